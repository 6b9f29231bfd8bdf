/**
 * Per-request DataLoaders, contributed by the features. A feature declares its loaders' names and
 * types by augmenting `Loaders` (declaration merging) and provides a `@RequestLoaders()` factory in
 * its module; every request gets one set built from every factory (no request-scoped providers),
 * so the guard, the locators and the handlers read through the same caches.
 */
import { Injectable, SetMetadata } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { RequestWithPrincipal } from '@caliper/server-kit';

/** The request's loaders: each feature adds its own (see projects/projects.loaders.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in each feature's *.loaders.ts
export interface Loaders {}

/** Builds a feature's loaders for one request; `callerId` is the signed-in user once the guard has run. */
export interface LoaderFactory {
  create(callerId: () => string | null): Partial<Loaders>;
}

const REQUEST_LOADERS = 'caliper:request-loaders';
/** Marks a provider as a LoaderFactory to build into every request's loaders. */
export const RequestLoaders = () => SetMetadata(REQUEST_LOADERS, true);

/** Byte-for-byte the same loaders for the guard and the handlers of a request. */
export type LoadersFor = (req: RequestWithPrincipal) => Loaders;

@Injectable()
export class LoadersRegistry {
  private factories: LoaderFactory[] | null = null;
  private readonly byRequest = new WeakMap<object, Loaders>();

  constructor(private readonly discovery: DiscoveryService) {}

  /** The request's loaders, built on first use from every feature's factory. */
  readonly loadersFor: LoadersFor = (req) => {
    let loaders = this.byRequest.get(req);
    if (!loaders) {
      const callerId = () => req.principal?.user.id ?? null;
      loaders = Object.assign({}, ...this.all().map((f) => f.create(callerId))) as Loaders;
      this.byRequest.set(req, loaders);
    }
    return loaders;
  };

  private all(): LoaderFactory[] {
    // Every provider is instantiated before the first request, so one look is enough.
    this.factories ??= this.discovery
      .getProviders()
      .filter((w) => w.instance && w.metatype && Reflect.getMetadata(REQUEST_LOADERS, w.metatype) === true)
      .map((w) => w.instance as LoaderFactory);
    return this.factories;
  }
}

/** Orders rows as the keys asked for them, null for keys without one. */
export function byKey<T>(keys: readonly string[], rows: T[], keyOf: (r: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}
