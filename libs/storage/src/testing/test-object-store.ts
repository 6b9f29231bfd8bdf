/** An object store for one integration test file: a local S3 server on a free loopback port, files in a temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectStore, ObjectStoreConfig, objectStoreFromConfig } from '../object-store';
import { startLocalS3 } from './local-s3';

export interface TestObjectStore {
  store: ObjectStore;
  /** The S3_* settings that reach it, for a spawned process's environment. */
  config: ObjectStoreConfig;
  /** Where the server keeps its files (to check what is really stored). */
  directory: string;
  close(): Promise<void>;
}

export async function startTestObjectStore(): Promise<TestObjectStore> {
  const directory = mkdtempSync(path.join(tmpdir(), 'caliper-s3-'));
  const keys = { accessKey: 'caliper-test', secretKey: 'caliper-test-secret' };
  const server = await startLocalS3({ directory, port: 0, ...keys });
  const config: ObjectStoreConfig = {
    S3_ENDPOINT: server.endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY: keys.accessKey,
    S3_SECRET_KEY: keys.secretKey,
  };
  return {
    store: objectStoreFromConfig(config),
    config,
    directory,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
