/**
 * "My pending signatures": the promotion requests awaiting a signature the signed-in user could
 * give (not their own, a role they hold still missing), oldest first, each linking to its request
 * page where the signing dialog is.
 */
import './promotion.css';
import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { MyPendingSignaturesQuery } from './promotion.operations';
import { promotionRequestPath } from './promotion-paths';
import { roleWords, stageWords } from './promotion-words';

export function PendingSignaturesPage() {
  const { data, error, loading, refetch } = useQuery(MyPendingSignaturesQuery, { fetchPolicy: 'cache-and-network' });
  const projects = useQuery(ProjectsQuery);
  const requests = data?.myPendingSignatures ?? [];
  const slugOf = (projectId: string) => projects.data?.projects.find((p) => p.id === projectId)?.slug ?? null;
  return (
    <>
      <PageHeader
        title="My pending signatures"
        description="Promotion requests waiting for a signature you can give: every gate passed, a role you hold is still missing, and you did not request them."
      />
      {!data && loading ? <Loading label="Loading your pending signatures…" /> : null}
      {!data && error ? (
        <ErrorState title="Your pending signatures could not be loaded" error={error} onRetry={() => void refetch()} />
      ) : null}
      {data && requests.length === 0 ? <EmptyState title="Nothing is waiting for your signature." /> : null}
      {requests.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Requests waiting for your signature</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Requested by</th>
                <th scope="col">Requested</th>
                <th scope="col">Signed</th>
                <th scope="col">Still missing</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => {
                const slug = slugOf(r.projectId);
                const label = `${r.modelName} version ${r.version} to ${stageWords(r.targetStage)}`;
                return (
                  <tr key={r.id}>
                    <td>{slug ? <Link to={promotionRequestPath(slug, r.modelName, r.id)}>{label}</Link> : label}</td>
                    <td>{r.requestedBy.displayName}</td>
                    <td>
                      <DateText value={r.requestedAt} withTime />
                    </td>
                    <td>
                      {r.signatures.length} of {r.requiredSignatures}
                    </td>
                    <td>{r.missingRoles.map(roleWords).join(', ')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
