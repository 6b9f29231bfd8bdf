/** Routes of the web app; the sign-in page lives outside the signed-in shell. */
import { useEffect } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { useApolloClient } from '@apollo/client/react';
import { SignInPage } from '../auth/SignInPage';
import { NotFoundPage } from './PlaceholderPage';
import { onUnauthenticated } from './apollo';
import { PAGES } from './pages';
import { Shell } from './Shell';

/** Sends the user to sign in when the session ends, and back to where they were afterwards. */
function RedirectWhenSignedOut() {
  const navigate = useNavigate();
  const location = useLocation();
  const client = useApolloClient();
  useEffect(
    () =>
      onUnauthenticated(() => {
        if (location.pathname === '/sign-in') return;
        void client.clearStore();
        navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      }),
    [navigate, location, client],
  );
  return null;
}

export function App() {
  return (
    <>
      <RedirectWhenSignedOut />
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<Shell />}>
          <Route index element={<Navigate to="/projects" replace />} />
          {PAGES.map(({ path, Component }) => (
            <Route key={path} path={path} element={<Component />} />
          ))}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
