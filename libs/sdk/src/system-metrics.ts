/**
 * System metrics as MLflow 2.x names them (`system/…`), sampled from the training machine:
 * CPU utilisation from the change in os.cpus() times between samples, memory from os, and
 * NVIDIA GPUs through `nvidia-smi` when it is on PATH (no GPU: no GPU keys, no error).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';

type CpuTimes = { idle: number; total: number };

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

const isFiniteNumber = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

function gpuStats(): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 5000 },
      (err, stdout) => {
        if (err) return resolve({});
        const out: Record<string, number> = {};
        stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .forEach((line, i) => {
            const [util, used, total] = line.split(',').map((v) => Number(v.trim()));
            if (!isFiniteNumber(util) || !isFiniteNumber(used) || !isFiniteNumber(total)) return;
            out[`system/gpu_${i}_utilization_percentage`] = util;
            out[`system/gpu_${i}_memory_usage_megabytes`] = used;
            out[`system/gpu_${i}_memory_usage_percentage`] = total > 0 ? (100 * used) / total : 0;
          });
        resolve(out);
      },
    );
  });
}

export class SystemMetricsSampler {
  private previous = cpuTimes();

  /** One sample: CPU since the previous sample (or construction), memory and GPUs now. */
  async sample(): Promise<Record<string, number>> {
    const now = cpuTimes();
    const total = now.total - this.previous.total;
    const busy = total - (now.idle - this.previous.idle);
    this.previous = now;
    const usedBytes = os.totalmem() - os.freemem();
    return {
      'system/cpu_utilization_percentage': total > 0 ? Math.min(100, Math.max(0, (100 * busy) / total)) : 0,
      'system/system_memory_usage_megabytes': usedBytes / 1024 / 1024,
      'system/system_memory_usage_percentage': (100 * usedBytes) / os.totalmem(),
      ...(await gpuStats()),
    };
  }
}
