/** Entry point: one Apollo Client, the router, and the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApolloProvider } from '@apollo/client/react';
import { createApolloClient } from './app/apollo';
import { App } from './app/App';
import { preloadAllPagesLater, preloadPage } from './app/pages';
import { MeQuery } from './app/session.operations';
import { followTheme } from './app/theme';
import './styles.css';

// Before the first render, so a dark theme never flashes light.
followTheme();
const client = createApolloClient();
// The shell renders a page once it knows the session: asked now, beside the page's chunk and
// first requests, rather than after the first render (the shell's own query joins this one in
// flight). Measured on a run page's first visit: the session request left ~150 ms later
// (npm run bench:first-visit -- --detail).
if (window.location.pathname !== '/sign-in') void client.query({ query: MeQuery }).catch(() => undefined);
preloadPage(client, window.location);
preloadAllPagesLater();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </ApolloProvider>
  </StrictMode>,
);
