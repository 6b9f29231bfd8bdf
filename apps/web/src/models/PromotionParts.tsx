/**
 * Pieces of signed promotion that other pages drop in: a request's status badge, the list of its
 * signatures (printed name, role, meaning, decision, time, the hash each binds) and a short hash
 * with a copy button.
 */
import './promotion.css';
import type { PromotionSignatureFieldsFragment, PromotionStatus } from '../gql/graphql';
import { CopyButton } from '../ui/CopyButton';
import { DateText } from '../ui/time';
import { MEANING_WORDS, roleWords, STATUS_WORDS } from './promotion-words';

export function PromotionStatusBadge({ status }: { status: PromotionStatus }) {
  const words = STATUS_WORDS[status];
  return (
    <span className={`badge promotion-status promotion-status-${words.tone}`} title={words.explain}>
      {words.label}
    </span>
  );
}

export function ShortHash({ value, label }: { value: string; label: string }) {
  return (
    <span className="promotion-hash">
      <span className="mono" title={value}>
        {value.slice(0, 16)}…
      </span>
      <CopyButton text={value} label={label} />
    </span>
  );
}

/** Every signature of a request, in the order given; `compact` leaves out the hashes (lists of many requests). */
export function PromotionSignatureList({
  signatures,
  compact = false,
  label = 'Signatures',
}: {
  signatures: readonly PromotionSignatureFieldsFragment[];
  compact?: boolean;
  label?: string;
}) {
  if (signatures.length === 0) return <p className="muted">No signatures yet.</p>;
  return (
    <ol className="promotion-signatures" aria-label={label}>
      {signatures.map((s) => (
        <li key={s.id} className={`promotion-signature promotion-signature-${s.decision === 'REJECT' ? 'reject' : 'approve'}`}>
          <p className="promotion-signature-line">
            <strong>{s.printedName}</strong> <span className="muted">({s.username})</span> signed as <strong>{roleWords(s.role)}</strong>{' '}
            for <strong>{MEANING_WORDS[s.meaning].label.toLowerCase()}</strong>:{' '}
            <span className={s.decision === 'REJECT' ? 'promotion-decision-reject' : 'promotion-decision-approve'}>
              {s.decision === 'REJECT' ? 'rejected' : 'approved'}
            </span>{' '}
            <DateText value={s.signedAt} withTime absolute />
          </p>
          {s.reason ? <p className="promotion-signature-reason">Reason: {s.reason}</p> : null}
          {compact ? null : (
            <p className="promotion-signature-hash muted">
              Binds sha256 <ShortHash value={s.contentSha256} label="Copy" />
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
