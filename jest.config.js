// One Jest config for the workspace: SWC compiles TypeScript with decorator metadata (NestJS needs it).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.tsx?$': swc },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
module.exports = {
  // Real services, child processes and timers on a shared 2-core machine under the full suite:
  // 30 s per test, not Jest's 5 s (a global option: Jest ignores it inside a project).
  testTimeout: 30000,
  // Longest files first even from a fresh clone, so two workers end together (tools/testing/sequencer.js).
  testSequencer: '<rootDir>/tools/testing/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools,migrations}/**/*.int-spec.ts'],
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/tools/testing/global-setup.ts',
      globalTeardown: '<rootDir>/tools/testing/global-teardown.ts',
    },
  ],
};
