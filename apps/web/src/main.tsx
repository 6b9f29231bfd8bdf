/** Entry point: one Apollo Client, the router, and the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApolloProvider } from '@apollo/client/react';
import { createApolloClient } from './app/apollo';
import { App } from './app/App';
import { preloadAllPagesLater, preloadPage } from './app/pages';
import './styles.css';

const client = createApolloClient();
preloadPage(window.location.pathname);
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
