import 'server-only';
import { AppError } from '../errors';
import type { JobVisibility } from '../store/types';
import { bearerToken, tokenMatches } from '../auth/tokens';
import type { AccessConfig, AccessKey } from './config';
import { hashSecret } from './config';
import { isLinkToken, verifyLink, type LinkClaims } from './links';
import { scopeCoversJob, scopeCoversStep, type ScopedJob } from './scope';
import { ACCESS_PARAM, SESSION_COOKIE, cookieLinks, cookieValue, verifyKeySession } from './session';

export { ACCESS_COOKIE, ACCESS_PARAM, MAX_COOKIE_LINKS, cookieLinks } from './session';

/**
 * Who is asking: the credential a request carries, resolved once per request. The rules that
 * turn it into "may read this job" live here and nowhere else (docs/api.md "Access").
 */

export type Principal =
  /** No credential. */
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'key'; readonly key: AccessKey }
  | { readonly kind: 'links'; readonly links: readonly LinkClaims[] }
  /** A bearer token that is no key: maybe a job's write token, checked against the job. */
  | { readonly kind: 'bearer'; readonly token: string };

/** Enough of a job to decide a read: id, labels and its write token's hash. */
export interface ReadableJob extends ScopedJob {
  readonly writeTokenHash?: string | null;
}

function linkError(reason: 'malformed' | 'bad_signature' | 'expired'): AppError {
  return new AppError(
    'unauthorized',
    reason === 'expired' ? 'the signed link has expired; ask for a new one' : 'the signed link is not valid (tampered, malformed or signed with a retired secret)',
  );
}

/**
 * Resolves the credential of a request. A presented credential that is invalid is an error
 * (401), never silently anonymous: a Bearer that is neither a key nor a link is passed on as
 * a possible write token. Cookie links that no longer verify are skipped (a stale cookie must
 * not lock a user out of a job another credential opens).
 */
export function resolvePrincipal(request: { headers: Headers; url: string }, config: AccessConfig, nowSeconds?: number): Principal {
  const bearer = bearerToken(request.headers);
  if (bearer !== null) {
    if (isLinkToken(bearer)) {
      const check = verifyLink(bearer, config.linkSecrets, nowSeconds);
      if (!check.ok) throw linkError(check.reason);
      return { kind: 'links', links: [check.claims] };
    }
    const key = config.keysByHash.get(hashSecret(bearer));
    return key ? { kind: 'key', key } : { kind: 'bearer', token: bearer };
  }
  const param = new URL(request.url, 'http://x').searchParams.get(ACCESS_PARAM);
  if (param !== null) {
    const check = verifyLink(param, config.linkSecrets, nowSeconds);
    if (!check.ok) throw linkError(check.reason);
    return { kind: 'links', links: [check.claims] };
  }
  // a key session (POST /api/v1/session) reads as its key, while that key's secret is configured
  const session = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
  const sessionKey = session === null ? undefined : config.keysByHash.get(verifyKeySession(session, config.linkSecrets, nowSeconds) ?? '');
  if (sessionKey && sessionKey.kind !== 'ingest') return { kind: 'key', key: sessionKey };
  const links: LinkClaims[] = [];
  for (const token of cookieLinks(request.headers.get('cookie'))) {
    const check = verifyLink(token, config.linkSecrets, nowSeconds);
    if (check.ok) links.push(check.claims);
  }
  return links.length > 0 ? { kind: 'links', links } : { kind: 'anonymous' };
}

/** Whether `principal` may read `job` (one `step` of it when given) under `config`'s mode. */
export function mayRead(config: AccessConfig, principal: Principal, job: ReadableJob, step?: string): boolean {
  if (config.mode === 'none') return true;
  switch (principal.kind) {
    case 'anonymous':
      return false;
    case 'key':
      if (principal.key.kind === 'ingest') return false;
      return step === undefined ? scopeCoversJob(principal.key.scope, job) : scopeCoversStep(principal.key.scope, job, step);
    case 'links':
      return principal.links.some((claims) => {
        const scope = { job: claims.job, ...(claims.step !== undefined ? { step: claims.step } : {}) };
        return step === undefined ? scopeCoversJob(scope, job) && claims.step === undefined : scopeCoversStep(scope, job, step);
      });
    case 'bearer':
      return typeof job.writeTokenHash === 'string' && tokenMatches(principal.token, job.writeTokenHash);
  }
}

/**
 * Whether `principal` may see `job` at all (in a job list or search results): a step link
 * shows its job, but only the step it names is readable.
 */
export function maySee(config: AccessConfig, principal: Principal, job: ReadableJob): boolean {
  if (config.mode === 'none') return true;
  if (principal.kind === 'links') return principal.links.some((claims) => claims.job === job.id);
  return mayRead(config, principal, job);
}

/**
 * Throws when `principal` may not read: 401 without any credential, 404 with one for another
 * scope (so a credential never learns that a job outside it exists).
 */
export function requireRead(config: AccessConfig, principal: Principal, job: ReadableJob | null, step?: string): void {
  if (config.mode === 'none') return;
  if (job !== null && mayRead(config, principal, job, step)) return;
  if (principal.kind === 'anonymous') throw new AppError('unauthorized', 'reading logs on this server needs a credential: Authorization: Bearer <read key>, or a signed link (?access=…)');
  throw new AppError('not_found', step === undefined ? `job ${job?.id ?? ''} not found`.trim() : `step ${step} not found`);
}

/** Whether `principal` is an admin key. */
export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'key' && principal.key.kind === 'admin';
}

/** The configuration and the principal of a request, in one call for route handlers. */
export function accessOf(request: { headers: Headers; url: string }, config: AccessConfig): { config: AccessConfig; principal: Principal } {
  return { config, principal: resolvePrincipal(request, config) };
}

/**
 * What a job list or a global search may show `principal`, as the store's listing filter
 * (lib/store/types.ts JobVisibility), applied inside the store query so pages, cursors and
 * counts hold only those jobs; null: every job. No credential in token mode is a 401. A read
 * key shows its scope; a link (or a cookie of links) its jobs; an ingest key or a write token
 * lists nothing (a write token still reads its own job by id).
 */
export function listVisibility(config: AccessConfig, principal: Principal): JobVisibility | null {
  if (config.mode === 'none') return null;
  switch (principal.kind) {
    case 'anonymous':
      throw new AppError('unauthorized', 'listing and searching jobs on this server needs a credential: Authorization: Bearer <read key>, or a signed link (?access=…)');
    case 'key': {
      if (principal.key.kind === 'ingest') return { jobs: [] };
      const scope = principal.key.scope;
      if ('all' in scope) return null;
      if ('labels' in scope) return { labels: scope.labels };
      if ('jobs' in scope) return { jobs: scope.jobs };
      return { jobs: [scope.job] };
    }
    case 'links':
      return { jobs: [...new Set(principal.links.map((claims) => claims.job))] };
    case 'bearer':
      return { jobs: [] };
  }
}

/**
 * The steps of `job` that `principal` may read: 'all', or the step ids (a step link reads its
 * step only). Only meaningful for a job `maySee` allows.
 */
export function readableSteps(config: AccessConfig, principal: Principal, job: ReadableJob & { steps: readonly { id: string }[] }): 'all' | string[] {
  if (mayRead(config, principal, job)) return 'all';
  return job.steps.filter((step) => mayRead(config, principal, job, step.id)).map((step) => step.id);
}

/**
 * Whether `principal` may mint a signed link to `job` (POST /api/v1/jobs/{job}/links): an admin
 * key, a read key that covers the job, or the job's write token (so CI can post a link). Never
 * a link or a cookie: a link cannot extend its own life.
 */
export function mayMintLink(config: AccessConfig, principal: Principal, job: ReadableJob): boolean {
  if (principal.kind === 'key') return principal.key.kind !== 'ingest' && mayRead({ ...config, mode: 'token' }, principal, job);
  if (principal.kind === 'bearer') return mayRead({ ...config, mode: 'token' }, principal, job);
  return false;
}
