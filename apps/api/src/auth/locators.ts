/** How the API's routes find the project a call acts on, over the API's DataLoaders. */
import { notFound, type Permission } from '@caliper/domain';
import { argAt, Requires as requires, SIGNED_IN } from '@caliper/server-kit';
import type { ProjectLocator as KitProjectLocator } from '@caliper/server-kit';
import type { Loaders } from '../graphql/loaders';

/** A locator of the API: reads through the request's API loaders. */
export type ProjectLocator = KitProjectLocator<Loaders>;

/**
 * The project a slug names (a path parameter or a GraphQL argument). An unknown slug and the slug
 * of a project the caller cannot read get the same NOT_FOUND.
 */
export function projectOfSlug(field = 'slug'): ProjectLocator {
  return async (args, loaders, _principal, resolved) => {
    const slug = typeof args[field] === 'string' ? (args[field] as string) : '';
    resolved.notFound = () => notFound(`Project "${slug}"`);
    const project = slug ? await loaders.projectBySlug.load(slug.toLowerCase()) : null;
    if (!project) throw resolved.notFound();
    return project.id;
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The project of the entity whose uuid is at `path` of the arguments (e.g. 'input.templateId'),
 * read by `load` (a DataLoader of the request). An id that is no uuid, an unknown one and one in a
 * project the caller cannot read all get the same NOT_FOUND, naming `what`.
 */
export function projectOfIdAt(path: string, what: string, load: (loaders: Loaders, id: string) => Promise<string | null>): ProjectLocator {
  return async (args, loaders, _principal, resolved) => {
    const id = argAt(args, path);
    resolved.notFound = () => notFound(`${what} ${String(id)}`);
    const projectId = typeof id === 'string' && UUID_RE.test(id) ? await load(loaders, id) : null;
    if (!projectId) throw resolved.notFound();
    return projectId;
  };
}

/** `@Requires` whose inline locators read the API's loaders. */
export const Requires: (permission: Permission | typeof SIGNED_IN, projectOf?: ProjectLocator) => ReturnType<typeof requires> = requires;
