/**
 * GraphQL codegen for the web app: typed documents from the `graphql()` calls in src/.
 * The schema is the API's committed schema.gql (emitted from the resolvers; its own drift test keeps it current).
 * A unit test (src/__tests__/codegen-drift.spec.ts) regenerates and fails on any difference.
 */
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

const repoRoot = path.resolve(__dirname, '../..');
export const schemaPath = path.join(repoRoot, 'apps/api/schema.gql');
export const generatedDir = path.join(__dirname, 'src/gql');

export function codegenConfig(outDir: string): CodegenConfig {
  return {
    schema: schemaPath,
    documents: [
      path.join(__dirname, 'src/**/*.{ts,tsx}'),
      `!${path.join(__dirname, 'src/gql/**')}`,
      `!${path.join(__dirname, 'src/**/__tests__/**')}`,
    ],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      [`${outDir}/`]: {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          scalars: { DateTime: 'string', JSON: 'unknown', NumberList: 'Array<number | null>' },
          avoidOptionals: false,
        },
      },
    },
  };
}

/** CALIPER_CODEGEN_OUT_DIR lets the drift test generate elsewhere and compare. */
export default codegenConfig(process.env.CALIPER_CODEGEN_OUT_DIR ?? generatedDir);
