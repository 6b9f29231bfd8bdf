/**
 * Loads ESM-only packages (@kubernetes/client-node, kubernetes-models) in Jest, which on Node
 * < 24.9 cannot require() ES modules: esbuild bundles them once into a CommonJS file in the temp
 * directory (named after the installed versions, so an upgrade rebuilds it), which Jest then
 * requires like any other. The code is the packages' own, unchanged but for the module format.
 */
import { buildSync, stop } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../../..');

function bundle<T>(name: string, packages: readonly string[], source: string): T {
  const versions = packages.map((p) => {
    const json = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string };
    return `${p}@${json.version}`;
  });
  const hash = createHash('sha256').update(versions.join('\n')).update(source).digest('hex').slice(0, 16);
  const dir = path.join(tmpdir(), 'caliper-esm-bundles');
  const file = path.join(dir, `${name}-${hash}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    buildSync({
      stdin: { contents: source, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: partial,
      logLevel: 'error',
    });
    // esbuild keeps a service process for its async API; without stop() it holds Jest open.
    void stop();
    renameSync(partial, file);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

/** The real @kubernetes/client-node, as CommonJS. */
export function loadClientNode(): typeof import('@kubernetes/client-node') {
  return bundle('kubernetes-client-node', ['@kubernetes/client-node'], "export * from '@kubernetes/client-node';");
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** kubernetes-models' Job and Secret classes: `new Job(manifest).validate()` checks it against the Kubernetes OpenAPI schema (ajv). */
export function loadKubernetesModels(): { Job: ModelClass; Secret: ModelClass } {
  return bundle(
    'kubernetes-models',
    ['kubernetes-models'],
    "export { Job } from 'kubernetes-models/batch/v1';\nexport { Secret } from 'kubernetes-models/v1';",
  );
}
