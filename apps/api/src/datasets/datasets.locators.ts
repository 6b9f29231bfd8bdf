/** Where a dataset call acts: the project of the dataset or version an argument names, resolved once through the request's loaders. */
import { notFound } from '@caliper/domain';
import type { ProjectLocator } from '../auth/locators';

function argAt(args: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), args);
}

/** The dataset named at `path` (e.g. `input.datasetId`); an unknown id and one of an unreadable project get the same NOT_FOUND. */
export function projectOfDataset(path: string): ProjectLocator {
  return async (args, loaders, _principal, resolved) => {
    const id = argAt(args, path);
    resolved.notFound = () => notFound(`Dataset ${String(id)}`);
    const d = typeof id === 'string' ? await loaders.dataset.load(id) : null;
    if (!d) throw resolved.notFound();
    return d.projectId;
  };
}

/** The version named at `path`, through its dataset. */
export function projectOfDatasetVersion(path: string): ProjectLocator {
  return async (args, loaders, _principal, resolved) => {
    const id = argAt(args, path);
    resolved.notFound = () => notFound(`Dataset version ${String(id)}`);
    const v = typeof id === 'string' ? await loaders.datasetVersion.load(id) : null;
    const d = v ? await loaders.dataset.load(v.datasetId) : null;
    if (!d) throw resolved.notFound();
    return d.projectId;
  };
}
