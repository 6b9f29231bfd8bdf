/**
 * The signed-in frame: top bar with the user and sign-out, the main navigation, and the page.
 * It loads `me` once; without a session the Apollo error link sends the user to sign in.
 */
import { Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { signOut } from '../auth/auth-api';
import { PendingSignatureCountQuery } from '../models/promotion.operations';
import { ProjectsQuery } from '../projects/projects.operations';
import { ErrorState, Loading } from '../ui/feedback';
import { globalRoleLabel } from '../ui/roles';
import { isUnauthenticated } from './apollo';
import { useFirstPageReady } from './pages';
import { MeQuery } from './session.operations';
import { SessionProvider } from './session';
import { ThemeSelect } from './ThemeSelect';

function useFocusHeadingOnNavigation(): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [pathname]);
}

export function Shell() {
  const { data, error, refetch } = useQuery(MeQuery);
  const { pathname } = useLocation();
  const pageReady = useFirstPageReady(pathname);
  useFocusHeadingOnNavigation();

  if (!data || !pageReady) {
    if (!data && error && !isUnauthenticated(error)) {
      return (
        <main className="standalone">
          <ErrorState title="Caliper could not load your session" error={error} onRetry={() => void refetch()} />
        </main>
      );
    }
    return (
      <main className="standalone">
        <Loading label="Loading Caliper…" />
      </main>
    );
  }

  return (
    <SessionProvider me={data.me}>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <TopBar user={data.me.user} />
      <div className="layout">
        <MainNav globalPermissions={data.me.globalPermissions} />
        <main id="main" className="content" tabIndex={-1}>
          <Suspense fallback={<Loading label="Loading the page…" />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </SessionProvider>
  );
}

function TopBar({ user }: { user: { username: string; displayName: string; globalRole?: string | null } }) {
  const client = useApolloClient();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  const [failed, setFailed] = useState(false);

  async function handleSignOut() {
    setSigningOut(true);
    setFailed(false);
    try {
      await signOut();
      await client.clearStore();
      navigate('/sign-in', { replace: true, state: { signedOut: true } });
    } catch {
      setFailed(true);
      setSigningOut(false);
    }
  }

  const role = globalRoleLabel(user.globalRole);
  return (
    <header className="topbar">
      <NavLink to="/projects" className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Caliper
      </NavLink>
      <div className="topbar-user">
        <span>
          Signed in as{' '}
          <NavLink to="/account" className="topbar-account" aria-label={`Your account: ${user.displayName} (${user.username})`}>
            <strong>{user.displayName}</strong>
          </NavLink>{' '}
          <span className="muted">({user.username})</span>
        </span>
        {role ? <span className="badge">{role}</span> : null}
        <ThemeSelect />
        <button type="button" className="btn btn-quiet" onClick={handleSignOut} disabled={signingOut}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
        {failed ? (
          <span className="field-error" role="alert">
            Sign-out failed; try again.
          </span>
        ) : null}
      </div>
    </header>
  );
}

function MainNav({ globalPermissions }: { globalPermissions: readonly string[] }) {
  // The audit log is open to global readers and to project roles that hold audit.read (PI, QA).
  const { data } = useQuery(ProjectsQuery);
  const canReadAudit =
    globalPermissions.includes('audit.read') || (data?.projects ?? []).some((p) => p.myPermissions.includes('audit.read'));
  const canAdmin = globalPermissions.includes('user.manage') || globalPermissions.includes('audit.read');
  // Only members who may sign promotions somewhere have an inbox (and ask for its count).
  const canSign = (data?.projects ?? []).some((p) => p.myPermissions.includes('promotion.sign'));
  const pending = useQuery(PendingSignatureCountQuery, { skip: !canSign });
  const pendingCount = pending.data?.myPendingSignatures.length ?? 0;
  const items: { to: string; label: string; show: boolean; count?: number }[] = [
    { to: '/projects', label: 'Projects', show: true },
    { to: '/runs', label: 'Runs', show: true },
    { to: '/models', label: 'Models', show: true },
    { to: '/datasets', label: 'Datasets', show: true },
    { to: '/templates', label: 'Templates', show: true },
    { to: '/signatures', label: 'Signatures', show: canSign, count: pendingCount },
    { to: '/audit', label: 'Audit', show: canReadAudit },
    { to: '/admin', label: 'Admin', show: canAdmin },
  ];
  return (
    <nav className="sidenav" aria-label="Main">
      <ul>
        {items
          .filter((i) => i.show)
          .map((i) => (
            <li key={i.to}>
              <NavLink to={i.to}>
                {i.label}
                {i.count ? (
                  <>
                    <span aria-hidden="true">
                      {' '}
                      <span className="badge">{i.count}</span>
                    </span>
                    <span className="sr-only">, {i.count} waiting</span>
                  </>
                ) : null}
              </NavLink>
            </li>
          ))}
      </ul>
    </nav>
  );
}
