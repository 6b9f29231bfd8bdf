/** How the web names the executors a template runs on. */
import type { ExecutorKind } from '../gql/graphql';

export const EXECUTOR_LABELS: Record<ExecutorKind, string> = {
  LOCAL: 'Local process',
  SLURM: 'Slurm',
  KUBERNETES: 'Kubernetes',
};

/** What the executor's external id is, for the label beside it. */
export const EXTERNAL_ID_LABELS: Record<ExecutorKind, string> = {
  LOCAL: 'Process id',
  SLURM: 'Slurm job id',
  KUBERNETES: 'Kubernetes Job',
};
