// No `server-only` here: proxy.ts (which cannot import it) verifies links to set the session cookie.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isJobId, isStepId } from '../contracts';

/**
 * Signed view links: `lsl1.<payload>.<signature>`, both base64url. The payload is JSON
 * `{"j": job, "s"?: step, "e": expiry in unix seconds}`; the signature is HMAC-SHA256 of
 * `lsl1.<payload>` under a link secret. The newest secret signs; every configured secret
 * verifies, so a secret rotates without breaking links already handed out.
 */

export const LINK_PREFIX = 'lsl1.';
/** How long a link may live, and by default (lib/contracts/access.ts, which the links endpoint parses with). */
export { DEFAULT_LINK_TTL_SECONDS, MAX_LINK_TTL_SECONDS } from '../contracts/access';
/** Longest token accepted before any parsing (a link is ~150 bytes; this bounds hostile input). */
export const MAX_LINK_CHARS = 1024;

export interface LinkClaims {
  readonly job: string;
  readonly step?: string;
  /** Expiry, unix seconds. */
  readonly expires: number;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed, 'utf8').digest();
}

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ j: claims.job, ...(claims.step !== undefined ? { s: claims.step } : {}), e: claims.expires }),
    'utf8',
  ).toString('base64url');
  const signed = `${LINK_PREFIX}${payload}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

export function isLinkToken(token: string): boolean {
  return token.startsWith(LINK_PREFIX);
}

/** Checks a link against every secret (constant time per secret), then its claims and expiry. */
export function verifyLink(token: string, secrets: readonly string[], nowSeconds = Math.floor(Date.now() / 1000)): LinkCheck {
  if (token.length > MAX_LINK_CHARS || !isLinkToken(token)) return { ok: false, reason: 'malformed' };
  const dot = token.lastIndexOf('.');
  const signed = token.slice(0, dot);
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (signature.length !== 32 || dot <= LINK_PREFIX.length) return { ok: false, reason: 'malformed' };
  let valid = false;
  for (const secret of secrets) if (timingSafeEqual(mac(secret, signed), signature)) valid = true;
  if (!valid) return { ok: false, reason: 'bad_signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(signed.slice(LINK_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'malformed' };
  const { j, s, e } = raw as Record<string, unknown>;
  if (typeof j !== 'string' || !isJobId(j)) return { ok: false, reason: 'malformed' };
  if (s !== undefined && (typeof s !== 'string' || !isStepId(s))) return { ok: false, reason: 'malformed' };
  if (typeof e !== 'number' || !Number.isSafeInteger(e)) return { ok: false, reason: 'malformed' };
  if (e <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { job: j, ...(typeof s === 'string' ? { step: s } : {}), expires: e } };
}
