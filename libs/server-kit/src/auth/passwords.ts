/**
 * Password hashing with argon2id at OWASP's parameters (19 MiB, t=2, p=1) through @node-rs/argon2
 * (the `argon2` package's glibc prebuild crashes on load on Debian 12 with Node 20). Unknown
 * usernames pay the same verification cost, so timing does not reveal which accounts exist.
 */
import { hash, verify } from '@node-rs/argon2';

// 2 = Algorithm.Argon2id: the package exports it as a const enum, which does not exist at runtime.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hashPassword('caliper-dummy-password-for-timing');
    await verify(await dummyHash, password);
    return false;
  }
  return verify(storedHash, password);
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'must be at most 256 characters';
  return null;
}
