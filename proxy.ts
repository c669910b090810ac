import { NextResponse, type NextRequest } from 'next/server';
import { EMBED_ORIGINS_ENV, hasMalformedPercentEncoding, newNonce, pageSecurityHeaders, parseEmbedOrigins } from '@/lib/security/headers';
import { inlineStyleHashes } from '@/lib/security/inline-styles';
import { accessConfig } from '@/lib/access/config';
import { ACCESS_PARAM, clientOrigin, sessionCookie, setCookieHeader } from '@/lib/access/session';

/**
 * Runs before routing, on pages and on the few API paths that need it (see `config`):
 * - a path whose percent-encoding cannot be decoded is refused here, where Next would
 *   otherwise throw while matching routes and answer a bare 500: a 400 JSON error on the API
 *   (docs/api.md's error shape), the not-found page elsewhere;
 * - every page gets its CSP with a fresh nonce, and frame-ancestors (lib/security/headers.ts);
 * - a page opened with a signed link (`?access=lsl1.…`) that verifies stores it in the session
 *   cookie and is redirected to the same URL without it (README "Access control"), so the
 *   viewer's range fetches and events stream carry it, and the link leaves the address bar.
 *   Not the embeds: a cross-site frame gets no SameSite=Lax cookie, it keeps its link.
 */
const embed = parseEmbedOrigins(process.env[EMBED_ORIGINS_ENV]);
if (embed.invalid.length > 0) {
  console.error(`logscope: ${EMBED_ORIGINS_ENV}: ignoring ${embed.invalid.map((e) => JSON.stringify(e)).join(', ')} (expected http(s) origins such as https://ci.example.com)`);
}
const dev = process.env.NODE_ENV === 'development';

/** Any path that matches no route: Next renders its not-found page with a 404. */
const NOT_FOUND_PATH = '/_logscope/not-found';

export function proxy(request: NextRequest): NextResponse {
  const { pathname } = request.nextUrl;
  if (hasMalformedPercentEncoding(pathname)) {
    if (pathname.startsWith('/api/')) {
      return NextResponse.json(
        { error: { code: 'bad_request', message: 'the path has malformed percent-encoding' } },
        { status: 400, headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } },
      );
    }
    return withPageHeaders(request, NOT_FOUND_PATH, (init) => NextResponse.rewrite(new URL(NOT_FOUND_PATH, request.url), init));
  }
  if (pathname.startsWith('/api/')) return NextResponse.next();
  const link = request.nextUrl.searchParams.get(ACCESS_PARAM);
  if (link !== null && !pathname.startsWith('/embed/') && (request.method === 'GET' || request.method === 'HEAD')) {
    const session = linkSession(request, link);
    if (session) return session;
  }
  return withPageHeaders(request, pathname, (init) => NextResponse.next(init));
}

/**
 * The redirect that moves a verified link into the session cookie (HttpOnly, SameSite=Lax,
 * Secure on https, living as long as its longest-lived link), or null for a link that does not
 * verify: the page then answers its 401 with the reason.
 */
function linkSession(request: NextRequest, link: string): NextResponse | null {
  const cookie = sessionCookie(request.headers.get('cookie'), link, accessConfig().linkSecrets);
  if (!cookie) return null;
  const target = request.nextUrl.clone();
  target.searchParams.delete(ACCESS_PARAM);
  // Secure when the browser talks https, here or to a TLS proxy in front (a spoofed header only
  // makes the client's own cookie https-only)
  const secure = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  const response = NextResponse.redirect(new URL(`${target.pathname}${target.search}`, clientOrigin(request.headers.get('host'), target)), 303);
  response.headers.set('Cache-Control', 'no-store');
  response.headers.append('Set-Cookie', setCookieHeader(cookie, secure));
  return response;
}

function withPageHeaders(
  request: NextRequest,
  pathname: string,
  respond: (init: { request: { headers: Headers } }) => NextResponse,
): NextResponse {
  const headers = pageSecurityHeaders(pathname, { nonce: newNonce(), embedOrigins: embed.origins, dev, styleHashes: dev ? [] : inlineStyleHashes() });
  // Next takes the nonce for its own scripts from the request's CSP header
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']);
  const response = respond({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) if (value) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    // Pages. Not the API: Next buffers the body of every request the proxy runs on until the
    // upload ends (proxyClientMaxBodySize), which would stall a build-long streamed POST.
    // Not the static assets, which carry no script context.
    '/((?!api/|_next/static/|_next/image|favicon.ico|icon.svg).*)',
    // API paths with a `%`: no valid job or step id has one, so no real upload is held up.
    '/api/(.*%.*)',
  ],
};
