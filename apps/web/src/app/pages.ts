/**
 * The signed-in pages, each its own chunk: a visit loads the shell and the page it opens, not
 * every page (the whole app was one 1.1 MB chunk). `preloadPage` starts the current page's chunk
 * at startup, beside the session request, so the split adds no round trip, and with it the
 * requests the page makes first (`prefetch`), so they wait for neither; `preloadAllPagesLater`
 * fetches the others once the first page has settled, so moving between pages never waits on a chunk.
 */
import { createElement, lazy, useEffect, useState, type ComponentType } from 'react';
import { matchPath, type Params } from 'react-router-dom';
import type { ApolloClient } from '@apollo/client';
import { prefetchComparePage } from '../compare/compare-page-prefetch';
import { prefetchRunPage } from '../runs/run-page-prefetch';

interface Page {
  path: string;
  Component: ComponentType;
  preload(): Promise<unknown>;
  /** Whether its chunk is here. */
  loaded(): boolean;
  /** Starts the requests the page makes first, before its code and the session are here (prefetch.ts). */
  prefetch?(client: ApolloClient, params: Params, search: URLSearchParams): void;
}

function page(path: string, load: () => Promise<ComponentType>, prefetch?: Page['prefetch']): Page {
  let loaded: ComponentType | null = null;
  let loading: Promise<{ default: ComponentType }> | null = null;
  // A failed load (a network blip, a deploy that replaced the chunk) is tried again next time.
  const once = () =>
    (loading ??= load().then(
      (Component) => {
        loaded = Component;
        return { default: Component };
      },
      (err: unknown) => {
        loading = null;
        throw err;
      },
    ));
  const Lazy = lazy(once);
  // Once the chunk is here the page renders directly: React.lazy would still suspend once, and
  // React holds back revealing a suspended boundary's content for up to 300 ms after its fallback.
  // The choice is made once per mounted page and kept: switching from Lazy to the loaded
  // component on a later render is a different element type, so React would unmount the page and
  // mount it again (every request of the page sent twice, the run page's artifact list included).
  const Component = () => {
    const [type] = useState<ComponentType>(() => loaded ?? Lazy);
    return createElement(type);
  };
  return { path, Component, preload: once, loaded: () => loaded !== null, prefetch };
}

export const PAGES: readonly Page[] = [
  page('projects', () => import('../projects/ProjectsPage').then((m) => m.ProjectsPage)),
  page('projects/:slug', () => import('../projects/ProjectPage').then((m) => m.ProjectPage)),
  page(
    'projects/:slug/compare',
    () => import('../compare/ComparePage').then((m) => m.ComparePage),
    (client, { slug }, search) => {
      if (slug) prefetchComparePage(client, slug, search);
    },
  ),
  page('runs', () => import('../runs/RunsPage').then((m) => m.RunsPage)),
  page(
    'runs/:runId',
    () => import('../runs/RunPage').then((m) => m.RunPage),
    (client, { runId }) => {
      if (runId) prefetchRunPage(client, runId);
    },
  ),
  page('experiments/:experimentId', () => import('../experiments/ExperimentPage').then((m) => m.ExperimentPage)),
  page('models', () => import('../models/ModelsPage').then((m) => m.ModelsPage)),
  page('models/:slug/:name', () => import('../models/ModelPage').then((m) => m.ModelPage)),
  page('models/:slug/:name/:version', () => import('../models/ModelVersionPage').then((m) => m.ModelVersionPage)),
  page('models/:slug/:name/requests/:id', () => import('../models/PromotionRequestPage').then((m) => m.PromotionRequestPage)),
  page('signatures', () => import('../models/PendingSignaturesPage').then((m) => m.PendingSignaturesPage)),
  page('datasets', () => import('../datasets/DatasetsPage').then((m) => m.DatasetsPage)),
  page('datasets/:datasetId', () => import('../datasets/DatasetPage').then((m) => m.DatasetPage)),
  page('dataset-versions/:versionId', () => import('../datasets/DatasetVersionPage').then((m) => m.DatasetVersionPage)),
  page('templates', () => import('../training/TemplatesPage').then((m) => m.TemplatesPage)),
  page('templates/:templateId', () => import('../training/TemplatePage').then((m) => m.TemplatePage)),
  page('projects/:slug/queue', () => import('../training/QueuePage').then((m) => m.QueuePage)),
  page('audit', () => import('../audit/AuditPage').then((m) => m.AuditPage)),
  page('admin', () => import('../admin/AdminPage').then((m) => m.AdminPage)),
  page('account', () => import('../account/AccountPage').then((m) => m.AccountPage)),
];

/** The page at `pathname`, with its route's parameters; null when none of PAGES is. */
function pageAt(pathname: string): { page: Page; params: Params } | null {
  for (const p of PAGES) {
    const match = matchPath(`/${p.path}`, pathname);
    if (match) return { page: p, params: match.params };
  }
  return null;
}

/** Set once the first page the shell shows has its chunk (or failed to get it). */
let firstPageSettled = false;

/**
 * Whether the shell may render the first page it shows: once that page's chunk is here, or failed
 * to come (the page then reports it). Until then the shell shows its own loading state rather
 * than the page's Suspense fallback: React holds back revealing a boundary's content for 300 ms
 * after it showed a fallback, so a page whose chunk came 50 ms after the session drew its charts
 * 300 ms later (npm run bench:first-visit -- --detail: no main-thread work for 250 ms before the
 * run page's first render). Later pages, whose chunks are fetched ahead (preloadAllPagesLater),
 * keep the fallback.
 */
export function useFirstPageReady(pathname: string): boolean {
  const [ready, setReady] = useState(() => firstPageSettled || !(pageAt(pathname)?.page.loaded() === false));
  useEffect(() => {
    if (ready) {
      firstPageSettled = true;
      return;
    }
    let current = true;
    const settle = () => {
      firstPageSettled = true;
      if (current) setReady(true);
    };
    pageAt(pathname)?.page.preload().then(settle, settle);
    return () => {
      current = false;
    };
  }, [ready, pathname]);
  return ready;
}

/**
 * For the page at `location`, if it is one of PAGES: starts loading its chunk and the requests it
 * makes first. At startup these leave beside the session request instead of one after the other
 * (session, then the page's first render, then its data): npm run bench:first-visit -- --detail.
 */
export function preloadPage(client: ApolloClient, location: { pathname: string; search: string }): void {
  const at = pageAt(location.pathname);
  if (!at) return;
  void at.page.preload().catch(() => undefined);
  at.page.prefetch?.(client, at.params, new URLSearchParams(location.search));
}

/** After `delayMs` and when the browser is idle, loads every page's chunk (a later navigation then renders at once). */
export function preloadAllPagesLater(delayMs = 3000): void {
  const all = () => PAGES.forEach((p) => void p.preload().catch(() => undefined));
  window.setTimeout(() => ('requestIdleCallback' in window ? window.requestIdleCallback(all) : all()), delayMs);
}
