import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors';

/** A new write token: 32 random bytes, URL-safe. Only its hash is stored. */
export function newWriteToken(): { token: string; hash: string } {
  const token = `lsw_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** The stored hash of a revoked write token: no token hashes to it (tokenMatches is false). */
export const REVOKED_TOKEN_HASH = '';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares in constant time so a token cannot be guessed byte by byte. */
export function tokenMatches(token: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The bearer token of a request, or null when there is none. */
export function bearerToken(headers: Headers): string | null {
  const header = headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Throws 401 without credentials and 403 with a token that is not this job's. */
export function requireWriteToken(headers: Headers, tokenHash: string): void {
  const token = bearerToken(headers);
  if (!token) throw new AppError('unauthorized', 'this write needs Authorization: Bearer <writeToken>');
  if (!tokenMatches(token, tokenHash)) throw new AppError('forbidden', 'the write token is not valid for this job');
}
