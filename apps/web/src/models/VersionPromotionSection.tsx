/**
 * The version page's promotion requests (issue 14, item 6): each request of this version, newest
 * first, with its status, who asked and when, and every signature (printed name, role, meaning,
 * decision, time); each links to its request page, where signers sign.
 */
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { DateText } from '../ui/time';
import type { VersionSectionProps } from './ModelVersionPage';
import { PromotionSignatureList, PromotionStatusBadge } from './PromotionParts';
import { promotionRequestPath } from './promotion-paths';
import { stageWords } from './promotion-words';
import { VersionPromotionsQuery } from './promotion.operations';

export function VersionPromotionSection({ project, version }: VersionSectionProps) {
  const { data } = useQuery(VersionPromotionsQuery, {
    variables: { projectId: project.id, name: version.modelName, version: version.version },
  });
  const requests = data?.modelVersion.promotionRequests ?? [];
  return (
    <section className="panel" aria-labelledby="version-promotions-title">
      <div className="panel-header">
        <h2 id="version-promotions-title">Promotion requests and signatures</h2>
      </div>
      {!data ? null : requests.length === 0 ? (
        <p className="muted">No promotion of this version was requested; request one from the model page.</p>
      ) : (
        <ul className="version-promotions">
          {requests.map((r) => (
            <li key={r.id}>
              <p>
                <Link to={promotionRequestPath(project.slug, version.modelName, r.id)}>
                  {r.kind === 'rollback' ? 'Rollback' : 'Promotion'} to {stageWords(r.targetStage)}
                </Link>{' '}
                <PromotionStatusBadge status={r.status} /> requested by {r.requestedBy.displayName}{' '}
                <DateText value={r.requestedAt} withTime />
                {r.decisionReason ? <span className="muted"> — {r.decisionReason}</span> : null}
              </p>
              <PromotionSignatureList
                signatures={r.signatures}
                compact
                label={`Signatures of the request to ${stageWords(r.targetStage)}`}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
