/**
 * The signed-in pages, each its own chunk: a visit loads the shell and the page it opens, not
 * every page (the whole app was one 1.1 MB chunk). `preloadPage` starts the current page's chunk
 * at startup, beside the session request, so the split adds no round trip; `preloadAllPagesLater`
 * fetches the others once the first page has settled, so moving between pages never waits on a chunk.
 */
import { createElement, lazy, useState, type ComponentType } from 'react';
import { matchPath } from 'react-router-dom';

interface Page {
  path: string;
  Component: ComponentType;
  preload(): Promise<unknown>;
}

function page(path: string, load: () => Promise<ComponentType>): Page {
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
  return { path, Component, preload: once };
}

export const PAGES: readonly Page[] = [
  page('projects', () => import('../projects/ProjectsPage').then((m) => m.ProjectsPage)),
  page('projects/:slug', () => import('../projects/ProjectPage').then((m) => m.ProjectPage)),
  page('projects/:slug/compare', () => import('../compare/ComparePage').then((m) => m.ComparePage)),
  page('runs', () => import('../runs/RunsPage').then((m) => m.RunsPage)),
  page('runs/:runId', () => import('../runs/RunPage').then((m) => m.RunPage)),
  page('experiments/:experimentId', () => import('../experiments/ExperimentPage').then((m) => m.ExperimentPage)),
  page('models', () => import('../models/ModelsPage').then((m) => m.ModelsPage)),
  page('models/:slug/:name', () => import('../models/ModelPage').then((m) => m.ModelPage)),
  page('datasets', () => import('../datasets/DatasetsPage').then((m) => m.DatasetsPage)),
  page('datasets/:datasetId', () => import('../datasets/DatasetPage').then((m) => m.DatasetPage)),
  page('dataset-versions/:versionId', () => import('../datasets/DatasetVersionPage').then((m) => m.DatasetVersionPage)),
  page('audit', () => import('../audit/AuditPage').then((m) => m.AuditPage)),
  page('admin', () => import('../admin/AdminPage').then((m) => m.AdminPage)),
  page('account', () => import('../account/AccountPage').then((m) => m.AccountPage)),
];

/** Starts loading the chunk of the page at `pathname`, if it is one of PAGES. */
export function preloadPage(pathname: string): void {
  const found = PAGES.find((p) => matchPath(`/${p.path}`, pathname));
  if (found) void found.preload().catch(() => undefined);
}

/** After `delayMs` and when the browser is idle, loads every page's chunk (a later navigation then renders at once). */
export function preloadAllPagesLater(delayMs = 3000): void {
  const all = () => PAGES.forEach((p) => void p.preload().catch(() => undefined));
  window.setTimeout(() => ('requestIdleCallback' in window ? window.requestIdleCallback(all) : all()), delayMs);
}
