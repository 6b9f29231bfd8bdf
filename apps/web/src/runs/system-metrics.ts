/**
 * System metrics: the `system/…` keys that MLflow 2.x, the TypeScript SDK (systemMetricsIntervalMs)
 * and the Python client (system_metrics_interval) log about the training machine. They are drawn
 * apart from the training metrics, against the time since the run started: how they read (label,
 * unit from the key's suffix), how they group (CPU and memory, one group per GPU, the rest), and
 * the time axis.
 */

export const SYSTEM_PREFIX = 'system/';

export function isSystemMetric(key: string): boolean {
  return key.startsWith(SYSTEM_PREFIX);
}

export type SystemUnit = '%' | 'MB' | 'W';

const UNIT_SUFFIXES: [string, SystemUnit][] = [
  ['_percentage', '%'],
  ['_megabytes', 'MB'],
  ['_watts', 'W'],
];

/** The unit a key's suffix names (`_percentage` → %, `_megabytes` → MB, `_watts` → W), or null. */
export function systemMetricUnit(key: string): SystemUnit | null {
  return UNIT_SUFFIXES.find(([suffix]) => key.endsWith(suffix))?.[1] ?? null;
}

const GPU_KEY = /^system\/gpu_(\d+)_(.+)$/;

/** Known names in words; others from the key ("disk_usage_megabytes" → "Disk usage"). */
const KNOWN: Record<string, string> = {
  cpu_utilization: 'CPU utilisation',
  system_memory_usage: 'Memory in use',
  utilization: 'utilisation',
  memory_usage: 'memory in use',
  power_usage: 'power draw',
};

function stripUnit(name: string): string {
  const suffix = UNIT_SUFFIXES.find(([s]) => name.endsWith(s))?.[0];
  return suffix ? name.slice(0, -suffix.length) : name;
}

/** "CPU utilisation", "Memory in use", "GPU 0 utilisation", "GPU 1 memory in use", "Disk usage". */
export function systemMetricLabel(key: string): string {
  const gpu = GPU_KEY.exec(key);
  if (gpu) {
    const [, index, name = ''] = gpu;
    const what = stripUnit(name);
    return `GPU ${index} ${KNOWN[what] ?? what.replace(/_/g, ' ')}`;
  }
  const what = stripUnit(key.slice(SYSTEM_PREFIX.length));
  const words = KNOWN[what] ?? what.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The label with its unit: "CPU utilisation (%)", "Memory in use (MB)". */
export function systemMetricTitle(key: string): string {
  const unit = systemMetricUnit(key);
  return unit ? `${systemMetricLabel(key)} (${unit})` : systemMetricLabel(key);
}

export interface SystemMetricGroup {
  id: string;
  title: string;
  keys: string[];
}

/** Within a group: utilisation, then memory in MB, then memory in %, then the rest by name. */
function rank(name: string): number {
  const order = [
    'cpu_utilization_percentage',
    'utilization_percentage',
    'system_memory_usage_megabytes',
    'memory_usage_megabytes',
    'system_memory_usage_percentage',
    'memory_usage_percentage',
  ];
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

function byRank(nameOf: (key: string) => string) {
  return (a: string, b: string) => rank(nameOf(a)) - rank(nameOf(b)) || a.localeCompare(b);
}

/**
 * The system keys in groups, in reading order: "CPU and memory", then "GPU 0", "GPU 1", … (by
 * number, so GPU 10 follows GPU 9), then "Other" (disk, network…). Keys outside `system/` are left out.
 */
export function groupSystemMetrics(keys: readonly string[]): SystemMetricGroup[] {
  const host: string[] = [];
  const other: string[] = [];
  const gpus = new Map<number, string[]>();
  for (const key of new Set(keys)) {
    if (!isSystemMetric(key)) continue;
    const gpu = GPU_KEY.exec(key);
    const name = key.slice(SYSTEM_PREFIX.length);
    if (gpu) {
      const n = Number(gpu[1]);
      gpus.set(n, [...(gpus.get(n) ?? []), key]);
    } else if (name.startsWith('cpu_') || name.startsWith('system_memory_')) {
      host.push(key);
    } else {
      other.push(key);
    }
  }
  const groups: SystemMetricGroup[] = [];
  if (host.length)
    groups.push({ id: 'cpu-memory', title: 'CPU and memory', keys: host.sort(byRank((k) => k.slice(SYSTEM_PREFIX.length))) });
  for (const [n, gpuKeys] of [...gpus].sort(([a], [b]) => a - b)) {
    groups.push({ id: `gpu-${n}`, title: `GPU ${n}`, keys: gpuKeys.sort(byRank((k) => GPU_KEY.exec(k)?.[2] ?? k)) });
  }
  if (other.length) groups.push({ id: 'other', title: 'Other', keys: other.sort() });
  return groups;
}

/** Elapsed time as a clock: "0:05", "12:30", "1:02:03"; negative (a clock ahead of the server's) with a minus. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const total = Math.round(Math.abs(ms) / 1000);
  const s = total % 60;
  const min = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  return h ? `${sign}${h}:${String(min).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${sign}${min}:${String(s).padStart(2, '0')}`;
}

const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * Ticks for a time axis from `fromMs` to `toMs` at a clock-friendly step (1 s, 5 s, 30 s, 1 min,
 * 5 min, 1 h, … up to days), at most `maxTicks` of them.
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 6): number[] {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) return [];
  const span = toMs - fromMs;
  let step = TICK_STEPS_S.map((s) => s * 1000).find((s) => span / s <= maxTicks - 1);
  if (step === undefined) step = Math.ceil(span / (maxTicks - 1) / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) ticks.push(t);
  return ticks;
}

/** A value with its unit: "45.2 %", "1024 MB". */
export function withUnit(text: string, unit: SystemUnit | null): string {
  return unit && text !== '—' ? `${text} ${unit}` : text;
}
