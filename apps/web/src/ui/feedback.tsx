/** Loading, empty, error and notice blocks: every page uses the same ones so states look alike. */
import type { ReactNode } from 'react';
import { describeError } from '../app/graphql-errors';

export function Loading({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const described = describeError(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>{described.message}</p>
      {described.hint ? <p className="muted">{described.hint}</p> : null}
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

type NoticeKind = 'error' | 'warning' | 'success' | 'info';

/** An inline message; errors interrupt the screen reader (alert), the others wait (status). */
export function Notice({ kind, title, children }: { kind: NoticeKind; title?: string; children?: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {title ? <p className="notice-title">{title}</p> : null}
      {children}
    </div>
  );
}

/** A mutation's error, in the same words as ErrorState but inline under a form. */
export function MutationError({ error }: { error: unknown }) {
  if (!error) return null;
  const described = describeError(error);
  return (
    <Notice kind="error">
      <p>{described.message}</p>
      {described.hint ? <p className="muted">{described.hint}</p> : null}
    </Notice>
  );
}
