/**
 * The e-signature of a promotion request (21 CFR 11.50, 11.200): the signer states a meaning,
 * approves or rejects (a rejection needs a reason and ends the request), picks the role only when
 * they hold more than one the request still needs, and re-enters their password. The statement
 * names them and the hash the signature binds. The API decides; its refusal (wrong password, a
 * locked account, a role already signed) is shown as it words it.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import type { PromotionTarget, SignatureDecision, SignatureMeaning } from '../gql/graphql';
import { Dialog } from '../ui/Dialog';
import { MutationError } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { SignPromotionMutation } from './promotion.operations';
import { MEANING_WORDS, MEANINGS, roleWords, stageWords } from './promotion-words';
import { ShortHash } from './PromotionParts';

export interface SignableRequest {
  id: string;
  modelName: string;
  version: number;
  targetStage: PromotionTarget;
  contentSha256: string | null;
}

export function SignPromotionDialog({
  open,
  request,
  printedName,
  roles,
  onClose,
  onSigned,
}: {
  open: boolean;
  request: SignableRequest;
  /** The signer's name as the signature prints it. */
  printedName: string;
  /** The roles the signer holds that the request still needs (lowercase, as the request names them); at least one. */
  roles: readonly string[];
  onClose: () => void;
  onSigned: () => void;
}) {
  return (
    <Dialog title={`Sign version ${request.version} of ${request.modelName}`} open={open} onClose={onClose}>
      <SignForm request={request} printedName={printedName} roles={roles} onClose={onClose} onSigned={onSigned} />
    </Dialog>
  );
}

function SignForm({
  request,
  printedName,
  roles,
  onClose,
  onSigned,
}: {
  request: SignableRequest;
  printedName: string;
  roles: readonly string[];
  onClose: () => void;
  onSigned: () => void;
}) {
  const [meaning, setMeaning] = useState<SignatureMeaning>('APPROVAL');
  const [decision, setDecision] = useState<SignatureDecision>('APPROVE');
  const [role, setRole] = useState(roles[0] ?? '');
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [sign, { loading, error, reset }] = useMutation(SignPromotionMutation, { refetchQueries: ['PendingSignatureCount'] });
  const target = stageWords(request.targetStage);
  const what = `version ${request.version} of ${request.modelName}`;
  const states =
    decision === 'REJECT'
      ? `I reject ${what} for ${target}, for the reason given`
      : meaning === 'REVIEW'
        ? `I have reviewed ${what} and the evidence shown, and approve it for ${target}`
        : meaning === 'APPROVAL'
          ? `I approve ${what} for ${target}`
          : `I take responsibility for ${what} in ${target}`;
  const statement = `By signing I, ${printedName}, state that ${states}.`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    if (decision === 'REJECT' && !reason.trim()) {
      setReasonError('A rejection needs a reason: it ends the request and the requester reads it.');
      return;
    }
    setReasonError(null);
    try {
      await sign({
        variables: {
          input: {
            requestId: request.id,
            password,
            meaning,
            decision,
            role: roles.length > 1 ? role : null,
            reason: reason.trim() || null,
          },
        },
      });
      setPassword('');
      onSigned();
    } catch {
      // Shown from the mutation state, in the API's words.
      setPassword('');
    }
  }

  return (
    <form className="form promotion-sign-form" onSubmit={submit} aria-label="Sign the promotion request" noValidate>
      <fieldset className="role-picker promotion-choice">
        <legend>Decision</legend>
        <label className="check">
          <input type="radio" name="decision" checked={decision === 'APPROVE'} onChange={() => setDecision('APPROVE')} />
          <span>
            <span className="check-label">Approve</span>
            <span className="check-hint">the version moves on once every required role has signed</span>
          </span>
        </label>
        <label className="check">
          <input type="radio" name="decision" checked={decision === 'REJECT'} onChange={() => setDecision('REJECT')} />
          <span>
            <span className="check-label">Reject</span>
            <span className="check-hint">ends the request; a reason is required</span>
          </span>
        </label>
      </fieldset>
      <fieldset className="role-picker promotion-choice">
        <legend>Meaning of this signature</legend>
        {MEANINGS.map((m) => (
          <label key={m} className="check">
            <input type="radio" name="meaning" checked={meaning === m} onChange={() => setMeaning(m)} />
            <span>
              <span className="check-label">{MEANING_WORDS[m].label}</span>
              <span className="check-hint">{MEANING_WORDS[m].explain}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {roles.length > 1 ? (
        <SelectField
          label="Sign as"
          value={role}
          onChange={(e) => setRole(e.target.value)}
          hint="You hold more than one role this request still needs; each role signs once."
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleWords(r)}
            </option>
          ))}
        </SelectField>
      ) : (
        <p className="muted">You sign as {roleWords(roles[0] ?? '')}.</p>
      )}
      <TextAreaField
        label="Reason"
        required={decision === 'REJECT'}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={reasonError}
        maxLength={2000}
        rows={2}
      />
      <div className="promotion-statement" aria-label="Signature statement">
        <p>{statement}</p>
        <p className="muted">
          This signature binds{' '}
          {request.contentSha256 ? <ShortHash value={request.contentSha256} label="Copy" /> : 'the version and its evidence'} (sha256 of the
          version&rsquo;s files, the evaluation evidence and the model card), your name, role, meaning and the time.
        </p>
      </div>
      <TextField
        label="Password"
        type="password"
        required
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint="Re-enter your password for this signature. Repeated wrong passwords lock your account as at sign-in."
      />
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className={decision === 'REJECT' ? 'btn btn-danger' : 'btn btn-primary'} disabled={loading || !password}>
          {loading ? 'Signing…' : decision === 'REJECT' ? 'Sign and reject' : 'Sign and approve'}
        </button>
        <button type="button" className="btn" onClick={onClose} disabled={loading}>
          Close
        </button>
      </div>
    </form>
  );
}
