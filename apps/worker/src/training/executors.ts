/**
 * The executors this worker hands launched runs to, by the template's executor kind, as
 * TRAINING_EXECUTORS enables them: local (a child process; one executor per worker process, as it
 * keeps the children it started), slurm (sbatch on this submit host; its job folders under
 * TRAINING_WORK_DIR, which must be on a filesystem the compute nodes share) and kubernetes (Jobs
 * through the API server TRAINING_KUBERNETES_* names, or the pod's own cluster). A kind this
 * worker has no executor for is null, and the submit job fails the run saying so.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@caliper/config';
import type { ExecutorKind } from '@caliper/domain';
import { CONFIG } from '../worker.options';
import { Executor } from './executor';
import { KubernetesExecutor } from './kubernetes.executor';
import { KubernetesConfig, kubernetesExecutorOptions } from './kubernetes-settings';
import { LocalProcessExecutor } from './local-process.executor';
import { SlurmExecutor } from './slurm.executor';

/** TRAINING_WORK_DIR, or <tmp>/caliper-training. */
export function trainingWorkDir(config: Pick<Config, 'TRAINING_WORK_DIR'>): string {
  return config.TRAINING_WORK_DIR ?? path.join(tmpdir(), 'caliper-training');
}

export type ExecutorsConfig = Pick<Config, 'TRAINING_EXECUTORS' | 'TRAINING_WORK_DIR' | 'TRAINING_SLURM_PARTITION'> & KubernetesConfig;

@Injectable()
export class Executors {
  private readonly byKind: Partial<Record<ExecutorKind, Executor>> = {};
  private readonly enabled: readonly ExecutorKind[];

  constructor(@Inject(CONFIG) config: ExecutorsConfig) {
    this.enabled = config.TRAINING_EXECUTORS;
    for (const kind of config.TRAINING_EXECUTORS) this.byKind[kind] = makeExecutor(kind, config);
  }

  /** The kinds this worker has (TRAINING_EXECUTORS). */
  get kinds(): readonly ExecutorKind[] {
    return this.enabled;
  }

  get(kind: ExecutorKind): Executor | null {
    return this.byKind[kind] ?? null;
  }

  /** Why a run of this kind cannot be submitted here, in words for the run's page. */
  missing(kind: ExecutorKind): string {
    return (
      `this worker has no ${kind} executor (TRAINING_EXECUTORS is ${this.enabled.join(',')}: ` +
      `add ${kind} there and configure it, see docs/training.md, or launch with another template)`
    );
  }
}

function makeExecutor(kind: ExecutorKind, config: ExecutorsConfig): Executor {
  switch (kind) {
    case 'local':
      return new LocalProcessExecutor();
    case 'slurm':
      return new SlurmExecutor({
        workDir: path.join(trainingWorkDir(config), 'slurm'),
        ...(config.TRAINING_SLURM_PARTITION ? { partition: config.TRAINING_SLURM_PARTITION } : {}),
      });
    case 'kubernetes':
      return new KubernetesExecutor(kubernetesExecutorOptions(config));
  }
}
