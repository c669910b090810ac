import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyLink, isLinkToken } from './links';

/*
 * The session cookie a signed link sets (README "Access control"), so that the full viewer,
 * its range fetches and its events stream work after one click. No `server-only` here:
 * proxy.ts, which sets the cookie, cannot import it (nor any module that does).
 */

/** The session cookie a signed link sets, so the full viewer works after one click. */
export const ACCESS_COOKIE = 'logscope_access';
/** The query parameter that carries a signed link (EventSource cannot send headers). */
export const ACCESS_PARAM = 'access';
/** Signed links one session cookie holds at most (the newest are kept). */
export const MAX_COOKIE_LINKS = 8;
/** Links in the cookie are separated by this (not in the base64url alphabet, nor in `.`). */
const SEPARATOR = '~';

/** The link tokens in a Cookie header's logscope_access value (`~`-separated), at most MAX_COOKIE_LINKS. */
export function cookieLinks(cookieHeader: string | null): string[] {
  const value = cookieValue(cookieHeader, ACCESS_COOKIE);
  return value === null ? [] : value.split(SEPARATOR).filter(isLinkToken).slice(-MAX_COOKIE_LINKS);
}

export interface SessionCookie {
  /** the cookie's value: the valid links, oldest first, the new one last */
  readonly value: string;
  /** seconds until the longest-lived link it holds expires */
  readonly maxAge: number;
}

/**
 * The session cookie after adding `token` to the links the request's cookie already holds, or
 * null when `token` does not verify (the page then answers the link's own 401). Links that no
 * longer verify are dropped, a repeated link is kept once, and only the newest
 * MAX_COOKIE_LINKS stay; the cookie lives as long as its longest-lived link.
 */
export function sessionCookie(
  cookieHeader: string | null,
  token: string,
  secrets: readonly string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): SessionCookie | null {
  const added = verifyLink(token, secrets, nowSeconds);
  if (!added.ok) return null;
  const kept: { token: string; expires: number }[] = [];
  for (const old of cookieLinks(cookieHeader)) {
    if (old === token) continue;
    const check = verifyLink(old, secrets, nowSeconds);
    if (check.ok) kept.push({ token: old, expires: check.claims.expires });
  }
  kept.push({ token, expires: added.claims.expires });
  const links = kept.slice(-MAX_COOKIE_LINKS);
  return { value: links.map((l) => l.token).join(SEPARATOR), maxAge: Math.max(...links.map((l) => l.expires)) - nowSeconds };
}

/** The Set-Cookie header value for `cookie`: HttpOnly, SameSite=Lax, Path=/, Secure on https. */
export function setCookieHeader(cookie: SessionCookie, secure: boolean): string {
  return `${ACCESS_COOKIE}=${cookie.value}; Path=/; Max-Age=${cookie.maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * The origin the client asked for: `fallback`'s scheme with the request's Host header (Next's
 * own request URL names the host it was started with, e.g. localhost, which is not always the
 * one the browser holds a cookie for). A Host that is no host keeps `fallback`'s origin.
 */
export function clientOrigin(host: string | null, fallback: URL): string {
  if (host === null || !/^[A-Za-z0-9.:[\]-]{1,300}$/.test(host)) return fallback.origin;
  try {
    return new URL(`${fallback.protocol}//${host}`).origin;
  } catch {
    return fallback.origin;
  }
}

/**
 * A key session: a browser that presented a read or admin key once (POST /api/v1/session)
 * holds `logscope_session=lss1.<payload>.<sig>`, HMAC-SHA256 under the newest link secret of
 * `{"h": sha256 hex of the key's secret, "e": expiry}`. It reads what that key reads, for as
 * long as that very secret is in the keys file (rotating the key out ends the session) and
 * at most KEY_SESSION_TTL_SECONDS. The key itself is never stored in the browser.
 */
export const SESSION_COOKIE = 'logscope_session';
export const KEY_SESSION_PREFIX = 'lss1.';
/** A key session lasts at most this long (12 hours). */
export const KEY_SESSION_TTL_SECONDS = 12 * 3600;

export function signKeySession(secret: string, claims: { keyHash: string; expires: number }): string {
  const signed = `${KEY_SESSION_PREFIX}${Buffer.from(JSON.stringify({ h: claims.keyHash, e: claims.expires }), 'utf8').toString('base64url')}`;
  return `${signed}.${createHmac('sha256', secret).update(signed, 'utf8').digest('base64url')}`;
}

/** The key hash a session token names, if it verifies under one of `secrets` and has not expired. */
export function verifyKeySession(token: string, secrets: readonly string[], nowSeconds = Math.floor(Date.now() / 1000)): string | null {
  if (token.length > 512 || !token.startsWith(KEY_SESSION_PREFIX)) return null;
  const dot = token.lastIndexOf('.');
  const signed = token.slice(0, dot);
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (signature.length !== 32 || dot <= KEY_SESSION_PREFIX.length) return null;
  let valid = false;
  for (const secret of secrets) if (timingSafeEqual(createHmac('sha256', secret).update(signed, 'utf8').digest(), signature)) valid = true;
  if (!valid) return null;
  try {
    const { h, e } = JSON.parse(Buffer.from(signed.slice(KEY_SESSION_PREFIX.length), 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h) || typeof e !== 'number' || !Number.isSafeInteger(e) || e <= nowSeconds) return null;
    return h;
  } catch {
    return null;
  }
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookieValue(cookieHeader: string | null, name: string): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
