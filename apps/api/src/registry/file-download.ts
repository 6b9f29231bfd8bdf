/** How the registry's export endpoints read a version number from the path and send a file. */
import { badInput } from '@caliper/domain';
import type { Response } from 'express';

export function versionNumber(raw: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw badInput('version', `must be a version number (1, 2, …), got ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}

/** A download: the body with its type and file name, never cached (it changes as the version is signed and deployed). */
export function sendFile(res: Response, type: string, filename: string, body: string | Buffer): void {
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}
