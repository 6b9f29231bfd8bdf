/**
 * The executors this worker hands launched runs to, by the template's executor kind, as
 * TRAINING_EXECUTORS enables them: local (a child process; one executor per worker process, as it
 * keeps the children it started) and slurm (sbatch on this submit host; its job folders under
 * TRAINING_WORK_DIR, which must be on a filesystem the compute nodes share). A kind this worker
 * has no executor for is null, and the submit job fails the run saying so.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@caliper/config';
import type { ExecutorKind } from '@caliper/domain';
import { CONFIG } from '../worker.options';
import { Executor } from './executor';
import { LocalProcessExecutor } from './local-process.executor';
import { SlurmExecutor } from './slurm.executor';

/** TRAINING_WORK_DIR, or <tmp>/caliper-training. */
export function trainingWorkDir(config: Pick<Config, 'TRAINING_WORK_DIR'>): string {
  return config.TRAINING_WORK_DIR ?? path.join(tmpdir(), 'caliper-training');
}

@Injectable()
export class Executors {
  private readonly byKind: Partial<Record<ExecutorKind, Executor>> = {};

  constructor(@Inject(CONFIG) config: Pick<Config, 'TRAINING_EXECUTORS' | 'TRAINING_WORK_DIR' | 'TRAINING_SLURM_PARTITION'>) {
    for (const kind of config.TRAINING_EXECUTORS)
      this.byKind[kind] =
        kind === 'local'
          ? new LocalProcessExecutor()
          : new SlurmExecutor({
              workDir: path.join(trainingWorkDir(config), 'slurm'),
              ...(config.TRAINING_SLURM_PARTITION ? { partition: config.TRAINING_SLURM_PARTITION } : {}),
            });
  }

  get(kind: ExecutorKind): Executor | null {
    return this.byKind[kind] ?? null;
  }
}
