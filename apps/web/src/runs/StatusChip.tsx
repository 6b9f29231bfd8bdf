/** A run's status as a coloured chip with its word (never colour alone). */
import type { MlflowRunStatus, RunStatus } from '../gql/graphql';
import { STATUS_INFO } from './format';
import './runs.css';

export function StatusChip({ status, mlflowStatus }: { status: RunStatus; mlflowStatus?: MlflowRunStatus }) {
  const info = STATUS_INFO[status] ?? { label: status, tone: 'neutral' as const };
  // Caliper's status is finer than MLflow's (starting, lost): say what an MLflow client sees where they differ.
  const mlflowDiffers = mlflowStatus && mlflowStatus !== status;
  return (
    <span className={`status-chip status-${info.tone}`} title={mlflowDiffers ? `MLflow clients see ${mlflowStatus}` : undefined}>
      {info.label}
    </span>
  );
}
