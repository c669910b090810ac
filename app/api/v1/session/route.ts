import { createSessionBodySchema, type SessionAnswer } from '@/lib/contracts';
import { accessConfig, hashSecret } from '@/lib/access/config';
import { clientOrigin, KEY_SESSION_TTL_SECONDS, SESSION_COOKIE, signKeySession } from '@/lib/access/session';
import { AppError } from '@/lib/errors';
import { handle } from '@/lib/http/respond';
import { closeOnError, readForm, readJson } from '@/lib/http/parse';

export const dynamic = 'force-dynamic';

const isForm = (request: Request) => (request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
const secure = (request: Request) => new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
const cookie = (request: Request, value: string, maxAge: number) =>
  `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure(request) ? '; Secure' : ''}`;

/**
 * A browser's POST must come from a page of this server (an HTML form can be posted from any
 * site): its Origin names the host it was sent to (by host: behind a TLS proxy the schemes differ).
 */
function requireSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (origin === null) return; // not a browser's cross-site request (browsers send Origin on POST)
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host === null || host !== new URL(clientOrigin(request.headers.get('host'), new URL(request.url))).host) {
    throw new AppError('forbidden', 'a session is opened from a page of this server only');
  }
}

/**
 * POST /api/v1/session {key} → a key session (README "Access control"): the browser gets the
 * `logscope_session` cookie (HttpOnly, SameSite=Lax, at most 12 h) and reads what the key reads,
 * e.g. the job list of its team. JSON answers `{key, kind, expiresAt}`; the 401 page's form
 * (`application/x-www-form-urlencoded`) is sent back to `/`. Only read and admin keys.
 */
export async function POST(request: Request): Promise<Response> {
  return closeOnError(
    await handle(async () => {
      requireSameOrigin(request);
      const { key: secret } = isForm(request) ? await readForm(request, createSessionBodySchema) : await readJson(request, createSessionBodySchema);
      const config = accessConfig();
      const keyHash = hashSecret(secret);
      const key = config.keysByHash.get(keyHash);
      if (!key || key.kind === 'ingest') throw new AppError('unauthorized', 'not a read or admin key of this server');
      const signer = config.linkSecrets[0];
      if (signer === undefined) throw new AppError('conflict', 'sessions are signed with the link secret: set LOGSCOPE_LINK_SECRET (or linkSecrets in the keys file)');
      const expires = Math.floor(Date.now() / 1000) + KEY_SESSION_TTL_SECONDS;
      const headers = new Headers({ 'Cache-Control': 'no-store', 'Set-Cookie': cookie(request, signKeySession(signer, { keyHash, expires }), KEY_SESSION_TTL_SECONDS) });
      if (isForm(request)) {
        headers.set('Location', new URL('/', clientOrigin(request.headers.get('host'), new URL(request.url))).href);
        return new Response(null, { status: 303, headers });
      }
      const answer: SessionAnswer = { key: key.id, kind: key.kind, expiresAt: expires * 1000 };
      return Response.json(answer, { headers });
    }),
  );
}

/** DELETE /api/v1/session → 204: the key session cookie is cleared. */
export async function DELETE(request: Request): Promise<Response> {
  return handle(async () => {
    requireSameOrigin(request);
    return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store', 'Set-Cookie': cookie(request, '', 0) } });
  });
}
