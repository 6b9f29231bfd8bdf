/**
 * Test fixtures of @caliper/persistence, imported as `@caliper/persistence/testing` by tests,
 * harnesses, Jest's global setup and the benchmarks; the runtime entry (src/index.ts) never loads
 * them (tools/build/runtime-imports.spec.ts keeps it so).
 */
export * from './test-database';
export * from './registered-version';
