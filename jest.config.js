// One Jest config for the workspace: SWC compiles TypeScript with decorator metadata (NestJS needs it).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true, tsx: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  transform: { '^.+\\.tsx?$': swc },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools,migrations}/**/*.int-spec.ts'],
      setupFiles: ['reflect-metadata'],
      globalSetup: '<rootDir>/tools/testing/global-setup.ts',
      globalTeardown: '<rootDir>/tools/testing/global-teardown.ts',
      // Real services and child processes on a shared 2-core machine: a test's own bound, not 5 s.
      testTimeout: 30000,
    },
  ],
};
