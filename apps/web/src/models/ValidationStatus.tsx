/** A version's ONNX validation status: valid, invalid (its reason shown where the version is), or pending while the worker has it. */
import './models.css';
import type { ModelValidationStatus } from '../gql/graphql';

export function ValidationStatus({ status }: { status: ModelValidationStatus | null | undefined }) {
  if (status === 'VALID') return <span className="badge badge-ok">Valid</span>;
  if (status === 'INVALID') return <span className="badge badge-danger">Invalid</span>;
  if (status === 'PENDING') return <span className="badge">Pending</span>;
  return <span className="badge badge-neutral">Not validated</span>;
}
