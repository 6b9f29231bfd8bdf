/** The resolvers the feature modules declare, found from their metadata: the schema emitter prints the schema from them alone. */
import type { DynamicModule } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import { API_FEATURES } from '../features';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Class = Function;

/** Every class provider carrying `@Resolver` metadata in `modules` and the modules they import, each once. */
export function resolversOf(modules: readonly (Class | DynamicModule)[]): Class[] {
  const seen = new Set<Class>();
  const found = new Set<Class>();
  const visit = (mod: Class | DynamicModule) => {
    if (typeof mod !== 'function') {
      // A dynamic module: its class's static metadata and what forRoot added.
      visit(mod.module);
      for (const p of mod.providers ?? []) if (typeof p === 'function' && Reflect.hasOwnMetadata(RESOLVER_TYPE_METADATA, p)) found.add(p);
      for (const m of mod.imports ?? []) if (typeof m === 'function' || (m && 'module' in m)) visit(m as Class | DynamicModule);
      return;
    }
    if (seen.has(mod)) return;
    seen.add(mod);
    for (const p of (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, mod) ?? []) as unknown[]) {
      if (typeof p === 'function' && Reflect.hasOwnMetadata(RESOLVER_TYPE_METADATA, p)) found.add(p);
    }
    for (const m of (Reflect.getMetadata(MODULE_METADATA.IMPORTS, mod) ?? []) as unknown[]) if (typeof m === 'function') visit(m);
  };
  modules.forEach(visit);
  return [...found];
}

export const RESOLVERS = resolversOf(API_FEATURES);
