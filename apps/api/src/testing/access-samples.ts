/**
 * Sample calls for the authorisation sweep (`__tests__/access-sweep.int-spec.ts`), kept beside each
 * feature in `<feature>.access-samples.ts`: a feature adding a root field adds its sample in its own
 * folder, and the sweep finds every such file. A root field without a sample fails the sweep.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';

/** The sweep's fixture project: one call per root field is aimed at it, so project roles decide. */
export interface AccessFixture {
  projectId: string;
  slug: string;
  memberId: string;
  tokenId: string;
  experimentId: string;
  runId: string;
  /** What features' ACCESS_SETUP added (e.g. a dataset id), by name. */
  extra: Record<string, string>;
}

/**
 * A feature whose sample calls need its own entities in the fixture project exports this as
 * `ACCESS_SETUP`: it creates them (through the app's services, as the fixture's PI `memberId`) and
 * returns their ids, which samples read from `fixture.extra`.
 */
export type AccessSetup = (app: INestApplication, fixture: AccessFixture) => Promise<Record<string, string>>;

export interface SampleCall {
  query: string;
  variables?: Record<string, unknown>;
}

export type AccessSamples = Record<string, (f: AccessFixture) => SampleCall>;

/** Typed identity: what a `*.access-samples.ts` file exports as `ACCESS_SAMPLES`. */
export function defineAccessSamples(samples: AccessSamples): AccessSamples {
  return samples;
}

const SAMPLES_FILE = /\.access-samples\.ts$/;

function sampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(e.parentPath, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sampleFiles(path);
    return SAMPLES_FILE.test(e.name) ? [path] : [];
  });
}

/** Every feature's samples under the api's source folder; a field sampled twice is refused, naming both files. */
export function loadAccessSamples(root = join(__dirname, '..')): { samples: AccessSamples; setups: AccessSetup[]; files: string[] } {
  const samples: AccessSamples = {};
  const setups: AccessSetup[] = [];
  const owner = new Map<string, string>();
  const files = sampleFiles(root).sort();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- found at run time, like Jest finds tests
    const mod = require(file) as { ACCESS_SAMPLES?: AccessSamples; ACCESS_SETUP?: AccessSetup };
    if (!mod.ACCESS_SAMPLES) throw new Error(`${file} exports no ACCESS_SAMPLES`);
    if (mod.ACCESS_SETUP) setups.push(mod.ACCESS_SETUP);
    for (const [field, sample] of Object.entries(mod.ACCESS_SAMPLES)) {
      const first = owner.get(field);
      if (first) throw new Error(`The root field ${field} has samples in both ${first} and ${file}`);
      owner.set(field, file);
      samples[field] = sample;
    }
  }
  return { samples, setups, files };
}
