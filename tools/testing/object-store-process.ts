/**
 * The test object store (a local S3-protocol server) in a process of its own. A test that loads
 * its own process hard (writing hundreds of MB as an attacker would) and then measures how fast
 * the API answers must not measure its own event loop: with the S3 server inside the test
 * process, every readiness probe's S3 check would wait behind the attack's writes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObjectStoreConfig, objectStoreFromConfig } from '@caliper/storage';
import type { TestObjectStore } from '@caliper/storage/testing';

const ROOT = path.resolve(__dirname, '../..');
const KEYS = { accessKey: 'caliper-test', secretKey: 'caliper-test-secret' };

/** Started in the child: prints the endpoint as one JSON line, stops when its stdin closes. */
const CHILD = `
  const { startLocalS3 } = require('@caliper/storage/testing');
  const [directory, accessKey, secretKey] = process.argv.slice(1);
  startLocalS3({ directory, port: 0, accessKey, secretKey }).then((server) => {
    process.stdout.write(JSON.stringify({ endpoint: server.endpoint }) + '\\n');
    process.stdin.on('end', () => server.close().then(() => process.exit(0)));
    process.stdin.resume();
  }, (err) => { console.error(err); process.exit(1); });`;

export async function startObjectStoreProcess(timeoutMs = 30_000): Promise<TestObjectStore> {
  const directory = mkdtempSync(path.join(tmpdir(), 'caliper-s3-'));
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'tools/register.js'), '-e', CHILD, directory, KEYS.accessKey, KEYS.secretKey],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let line = '';
    const timer = setTimeout(() => reject(new Error(`the S3 server process did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      line += d;
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve((JSON.parse(line.slice(0, nl)) as { endpoint: string }).endpoint);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the S3 server process exited while starting:\n${output}`));
    });
  });
  const config: ObjectStoreConfig = {
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY: KEYS.accessKey,
    S3_SECRET_KEY: KEYS.secretKey,
  };
  return {
    store: objectStoreFromConfig(config),
    config,
    directory,
    close: async () => {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
