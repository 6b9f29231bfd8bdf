/** A version's state: sealed (immutable, with a manifest) or draft (still changing). */
import type { DatasetVersionState } from '../gql/graphql';

export function VersionStateBadge({ state }: { state: DatasetVersionState }) {
  return state === 'SEALED' ? <span className="badge badge-ok">Sealed</span> : <span className="badge badge-neutral">Draft</span>;
}
