/**
 * Sign-in: username and password to POST /api/v1/auth/login. The server's own message is shown
 * on refusal; when it locks sign-in for a while (429), the wait from Retry-After counts down.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { useApolloClient } from '@apollo/client/react';
import { Notice } from '../ui/feedback';
import { useDocumentTitle } from '../ui/PageHeader';
import { formatWait, safeNextPath, signIn } from './auth-api';

interface Refusal {
  message: string;
  /** Epoch milliseconds when the server lets this user try again. */
  retryAt: number | null;
}

function useSecondsUntil(at: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [at]);
  return at === null ? 0 : Math.max(0, Math.ceil((at - now) / 1000));
}

export function SignInPage() {
  useDocumentTitle('Sign in');
  const client = useApolloClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const waitSeconds = useSecondsUntil(refusal?.retryAt ?? null);
  const locked = waitSeconds > 0;
  const signedOut = (location.state as { signedOut?: boolean } | null)?.signedOut === true;
  const sessionEnded = params.has('next') && !signedOut;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setRefusal(null);
    const result = await signIn(username.trim(), password);
    setBusy(false);
    if (result.ok) {
      await client.clearStore();
      navigate(safeNextPath(params.get('next')), { replace: true });
      return;
    }
    setPassword('');
    setRefusal({
      message: result.message,
      retryAt: result.retryAfterSeconds !== null ? Date.now() + result.retryAfterSeconds * 1000 : null,
    });
  }

  return (
    <div className="signin">
      <main className="signin-card" id="main">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Caliper
        </p>
        <h1>Sign in</h1>
        <p className="muted">Use the username a system admin created for you; it never changes.</p>
        {signedOut ? <Notice kind="success">You have signed out.</Notice> : null}
        {sessionEnded && !refusal ? (
          <Notice kind="info">Your session has ended or you are not signed in. Sign in to continue.</Notice>
        ) : null}
        {refusal ? (
          <Notice kind="error" title="Sign-in failed">
            <p>{refusal.message}</p>
            {refusal.retryAt !== null ? (
              <p>{locked ? `You can try again in ${formatWait(waitSeconds)}.` : 'You can try again now.'}</p>
            ) : null}
          </Notice>
        ) : null}
        <form onSubmit={submit} className="form">
          <div className="field">
            <label htmlFor="signin-username">Username</label>
            <input
              id="signin-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input
              id="signin-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || locked}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}
