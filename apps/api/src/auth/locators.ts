/** How the API's routes find the project a call acts on, over the API's DataLoaders. */
import { notFound, type Permission } from '@caliper/domain';
import { Requires as requires, SIGNED_IN } from '@caliper/server-kit';
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

/** `@Requires` whose inline locators read the API's loaders. */
export const Requires: (permission: Permission | typeof SIGNED_IN, projectOf?: ProjectLocator) => ReturnType<typeof requires> = requires;
