/**
 * Local S3 server (s3rver) and per-test object stores, imported as `@caliper/storage/testing` by
 * tests, harnesses, the benchmarks and the dev launcher; the runtime entry (src/index.ts) never
 * loads them, so s3rver stays a dev dependency (tools/build/runtime-imports.spec.ts keeps it so).
 */
export * from './local-s3';
export * from './test-object-store';
