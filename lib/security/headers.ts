/**
 * The security headers of every page, and the path check that runs before any route.
 * Pure functions: proxy.ts calls them per request, lib/config.ts reads the same setting, and
 * they are tested without a server. No `server-only` here: proxy.ts cannot import it.
 *
 * The page CSP is the one Next 16 recommends for a strict policy: a fresh nonce per request
 * with 'strict-dynamic' (Next reads the nonce from the request's CSP header and puts it on
 * its own scripts; any script they load is trusted through them, and nothing else runs).
 * Styles: stylesheets and Next's inline <style> need 'self', the nonce, or (the page CSS Next
 * inlines without a nonce, lib/security/inline-styles.ts) their hash; style *attributes*
 * stay allowed because the log lines are ANSI-coloured `<span style="color:…">` and the
 * virtualised list positions rows with inline styles (an attribute cannot run script).
 * No `upgrade-insecure-requests`: Logscope is often served over plain http on a LAN, where
 * upgrading its own requests to https would break every page.
 */

/** `LOGSCOPE_EMBED_ORIGINS`: who may put /embed/** in an iframe besides Logscope itself. */
export const EMBED_ORIGINS_ENV = 'LOGSCOPE_EMBED_ORIGINS';

/** The only paths that may be framed (and then only by 'self' and the configured origins). */
const EMBED_PREFIX = '/embed/';

export interface EmbedOrigins {
  /** CSP sources: `https://ci.example.com`, `https://*.example.com:8443`, or `*` (any) */
  origins: string[];
  /** entries that are not an origin; they are ignored (fail closed) and reported */
  invalid: string[];
}

/**
 * Parses the comma-separated list. Each entry must be an http(s) origin with no path, query or
 * credentials (a leading `*.` wildcard subdomain is allowed, as CSP allows it), or `*` alone.
 */
export function parseEmbedOrigins(value: string | undefined): EmbedOrigins {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim().replace(/\/$/, '');
    if (entry === '') continue;
    if (entry === '*' || isOrigin(entry)) {
      if (!origins.includes(entry)) origins.push(entry);
    } else invalid.push(raw.trim());
  }
  return { origins, invalid };
}

function isOrigin(entry: string): boolean {
  const wildcard = /^(https?:\/\/)\*\./.exec(entry);
  const probe = wildcard ? entry.replace('*.', 'wildcard.') : entry;
  let url: URL;
  try {
    url = new URL(probe);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // the entry must be exactly an origin as a browser writes it: no path, user, or default port
  return url.origin === probe.toLowerCase();
}

/** `'none'` everywhere, except /embed/**: `'self'` plus the configured origins. */
export function frameAncestors(pathname: string, embedOrigins: readonly string[]): string {
  if (!pathname.startsWith(EMBED_PREFIX)) return "'none'";
  return embedOrigins.includes('*') ? '*' : ["'self'", ...embedOrigins].join(' ');
}

export function pageContentSecurityPolicy(options: { nonce: string; frameAncestors: string; dev: boolean; styleHashes?: readonly string[] }): string {
  const { nonce, dev } = options;
  const hashes = options.styleHashes?.length ? ` ${options.styleHashes.join(' ')}` : '';
  return [
    "default-src 'self'",
    // React's dev build evaluates server stacks with eval; production never does
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // the page's own CSS, inlined by Next without a nonce, by hash (lib/security/inline-styles.ts)
    `style-src 'self' ${dev ? "'unsafe-inline'" : `'nonce-${nonce}'${hashes}`}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${options.frameAncestors}`,
  ].join('; ');
}

/** CSP and X-Frame-Options of one page response (nosniff and Referrer-Policy: next.config.js). */
export interface PageSecurityHeaders {
  'Content-Security-Policy': string;
  'X-Frame-Options'?: 'DENY' | 'SAMEORIGIN';
}

export function pageSecurityHeaders(
  pathname: string,
  options: { nonce: string; embedOrigins: readonly string[]; dev: boolean; styleHashes?: readonly string[] },
): PageSecurityHeaders {
  const ancestors = frameAncestors(pathname, options.embedOrigins);
  const headers: PageSecurityHeaders = {
    'Content-Security-Policy': pageContentSecurityPolicy({ nonce: options.nonce, frameAncestors: ancestors, dev: options.dev, styleHashes: options.styleHashes }),
  };
  // X-Frame-Options cannot list origins: browsers that know frame-ancestors ignore it anyway
  if (ancestors === "'none'") headers['X-Frame-Options'] = 'DENY';
  else if (ancestors === "'self'") headers['X-Frame-Options'] = 'SAMEORIGIN';
  return headers;
}

/** A fresh, unguessable nonce (128 bits) for one response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}

/**
 * True when a path segment's percent-encoding cannot be decoded: a lone `%`, `%zz`, a
 * truncated `%E0%A4%A`, or bytes that are not UTF-8 (`%c0%ae`, an overlong `.`). Next would
 * throw on such a path while matching routes and answer 500.
 */
export function hasMalformedPercentEncoding(pathname: string): boolean {
  if (!pathname.includes('%')) return false;
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/**
 * Whether `origin` (an iframe's `?parentOrigin=`) is one the configured embed origins allow: an
 * exact entry, a `*.` wildcard entry's subdomain (same scheme and port), or any http(s) origin
 * when the list is `*`. The embed route posts its messages to that origin only, never to `*`.
 */
export function isAllowedEmbedParent(origin: string, embedOrigins: readonly string[]): boolean {
  if (!isOrigin(origin) || origin.includes('*')) return false;
  for (const entry of embedOrigins) {
    if (entry === '*' || entry === origin) return true;
    const wildcard = /^(https?:\/\/)\*\.(.+)$/.exec(entry);
    if (!wildcard) continue;
    const [, scheme, rest] = wildcard;
    if (origin.startsWith(scheme!) && origin.endsWith(`.${rest!}`) && origin.length > scheme!.length + rest!.length + 1) {
      // the part before the entry's suffix is one or more labels, never a port or path
      const host = origin.slice(scheme!.length, origin.length - rest!.length - 1);
      if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)) return true;
    }
  }
  return false;
}
