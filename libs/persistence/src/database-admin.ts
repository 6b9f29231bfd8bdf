/** Creating databases and cloning test databases from a migrated template; owner role only. */
import { Client } from 'pg';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid database name "${name}"`);
  return `"${name}"`;
}

async function onMaintenance<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function ensureDatabase(ownerUrl: string): Promise<boolean> {
  const name = databaseName(ownerUrl);
  return onMaintenance(ownerUrl, async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await c.query(`CREATE DATABASE ${ident(name)}`);
    return true;
  });
}

export async function recreateDatabase(ownerUrl: string, template?: string): Promise<void> {
  const name = databaseName(ownerUrl);
  await onMaintenance(ownerUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
  });
}

export async function dropDatabase(ownerUrl: string): Promise<void> {
  const name = databaseName(ownerUrl);
  await onMaintenance(ownerUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

/** Sets the app role's password (production); with trust auth locally none is needed. */
export async function setAppRolePassword(ownerUrl: string, password: string): Promise<void> {
  await onMaintenance(ownerUrl, async (c) => {
    const lit = await c.query('SELECT quote_literal($1) AS q', [password]);
    await c.query(`ALTER ROLE caliper_app PASSWORD ${lit.rows[0].q}`);
  });
}

export { withDatabase };
