import 'server-only';
import type { AccessConfig } from './config';

/**
 * CORS for the read API: only the configured origins (LOGSCOPE_CORS_ORIGINS), each echoed back
 * by name, never `*`, and never with credentials: a cross-origin viewer sends its read key or
 * signed link explicitly, so no cookie of this server is ever sent by another site.
 */

/** Methods another origin may use: reads only. */
export const CORS_METHODS = 'GET, HEAD, OPTIONS';
export const CORS_ALLOWED_HEADERS = 'Authorization, Accept, Content-Type, Last-Event-ID';
/** How long (s) a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** Headers to add to a read response for `origin` (the request's Origin header), or just Vary. */
export function corsHeaders(config: AccessConfig, origin: string | null): Record<string, string> {
  if (origin === null || !config.corsOrigins.includes(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** The answer to a preflight (OPTIONS): 204 with the allowed methods and headers, or 403 for an unlisted origin. */
export function preflightResponse(config: AccessConfig, origin: string | null, requestedMethod: string | null): Response {
  const allowed = origin !== null && config.corsOrigins.includes(origin);
  const method = (requestedMethod ?? 'GET').toUpperCase();
  if (!allowed || !['GET', 'HEAD'].includes(method)) {
    // docs/api.md's error body, like every other refusal of the API
    const message = allowed ? `cross-origin ${method} is not allowed: reads only` : 'this origin may not read the API cross-origin (LOGSCOPE_CORS_ORIGINS)';
    return Response.json({ error: { code: 'forbidden', message } }, { status: 403, headers: { Vary: 'Origin', 'Cache-Control': 'no-store' } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS,
      'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      Vary: 'Origin',
    },
  });
}

/** Copies `response` with CORS headers for `origin` added (streams pass through untouched). */
export function withCors(config: AccessConfig, origin: string | null, response: Response): Response {
  const headers = corsHeaders(config, origin);
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'Vary') {
      const vary = response.headers.get('Vary');
      response.headers.set('Vary', vary && !/\borigin\b/i.test(vary) ? `${vary}, Origin` : vary || 'Origin');
    } else response.headers.set(name, value);
  }
  return response;
}
