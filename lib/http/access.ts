import 'server-only';
import type { JobMeta } from '../contracts';
import { accessConfig, type AccessConfig } from '../access/config';
import { preflightResponse, withCors } from '../access/cors';
import { mayRead, maySee, readableSteps, requireRead, resolvePrincipal, type Principal, type ReadableJob } from '../access/principal';
import { AppError, notFound } from '../errors';
import type { LogStore } from '../store/types';
import { handle } from './respond';

/**
 * The read side of access control for route handlers and pages (README "Access control"): one
 * helper per kind of read, all built on lib/access's rules (requireRead, maySee, listVisibility).
 *
 * - readRoute: every read route's handler: the request's access resolved, errors as JSON, and
 *   CORS headers for the listed origins on every answer, errors included.
 * - readPreflight: every read route's OPTIONS.
 * - openJob: the job a request may read (401 without a credential, 404 for one of another scope),
 *   with only the steps it may read.
 * - stepFor: the one step a partial reader's stream or search is narrowed to.
 */

export interface RequestAccess {
  readonly config: AccessConfig;
  readonly principal: Principal;
}

/** Enough of a request to resolve its credential: a Request, or a page's headers and URL. */
export interface AccessRequest {
  readonly headers: Headers;
  readonly url: string;
}

/**
 * The access of a read request. In mode none anyone reads and no credential is looked at (a
 * stale `?access=` never breaks a page); in token mode the credential is resolved, and a bad,
 * expired or tampered link is a 401 with its reason.
 */
export function readAccess(request: AccessRequest, config: AccessConfig = accessConfig()): RequestAccess {
  return { config, principal: config.mode === 'none' ? { kind: 'anonymous' } : resolvePrincipal(request, config) };
}

/** A read route's handler with access, JSON errors and CORS (see above). */
export function readRoute<C>(fn: (request: Request, access: RequestAccess, ctx: C) => Promise<Response>): (request: Request, ctx: C) => Promise<Response> {
  return async (request, ctx) => {
    const config = accessConfig();
    const response = await handle(() => fn(request, readAccess(request, config), ctx));
    return withCors(config, request.headers.get('origin'), response);
  };
}

/** A read route's OPTIONS: a preflight from a listed origin for GET/HEAD is 204, anything else 403. */
export function readPreflight(request: Request): Response {
  return preflightResponse(accessConfig(), request.headers.get('origin'), request.headers.get('access-control-request-method'));
}

/** A job as one reader sees it: its metadata with only the steps it may read. */
export interface JobView {
  readonly job: JobMeta;
  /** 'all', or the ids of the steps the reader may read (a step link: one) */
  readonly steps: 'all' | readonly string[];
}

/**
 * The job `jobId` as `access` may read it, or the error the contract gives (docs/api.md
 * "Access"): no credential is a 401, a credential of another scope a 404, exactly as for a job
 * that does not exist. With `step`, that step must be readable. A job the reader sees but reads
 * only some steps of (a step link) comes with just those steps.
 */
export async function openJob(store: LogStore, access: RequestAccess, jobId: string, step?: string): Promise<JobView> {
  const job = await store.getJob(jobId);
  const { config, principal } = access;
  if (config.mode === 'none') {
    if (!job) throw notFound(`job ${jobId}`);
    return { job, steps: 'all' };
  }
  let readable: ReadableJob | null = null;
  if (job) {
    // only a bearer that is no key may be the job's write token: the private record is read for it alone
    const writeTokenHash = principal.kind === 'bearer' ? ((await store.getJobPrivate(jobId))?.tokenHash ?? null) : null;
    readable = { id: job.id, labels: job.labels, writeTokenHash };
  }
  if (!job || !readable || !maySee(config, principal, readable)) {
    if (principal.kind === 'anonymous') requireRead(config, principal, null); // no credential: the 401
    throw notFound(`job ${jobId}`); // the very answer of a job that does not exist
  }
  if (step !== undefined && !mayRead(config, principal, readable, step)) throw notFound(`step ${step} of job ${jobId}`);
  const steps = readableSteps(config, principal, { ...readable, steps: job.steps });
  return steps === 'all' ? { job, steps } : { job: { ...job, steps: job.steps.filter((s) => steps.includes(s.id)) }, steps };
}

/**
 * Whether `principal` may read step `step` of job `jobId` judging by the ids alone: true or
 * false, or null when the job's labels or its write token decide (a label scope, a bearer that
 * may be the write token). Lets the hottest read, a range of lines, skip loading the job.
 */
function decidedByIds(access: RequestAccess, jobId: string, step: string): boolean | null {
  const { config, principal } = access;
  if (config.mode === 'none') return true;
  const byId = { id: jobId, labels: {} };
  switch (principal.kind) {
    case 'anonymous':
      return false;
    case 'links':
      return mayRead(config, principal, byId, step);
    case 'key':
      if (principal.key.kind === 'ingest') return false;
      return 'labels' in principal.key.scope ? null : mayRead(config, principal, byId, step);
    case 'bearer':
      return null;
  }
}

/**
 * Checks that `access` may read step `step` of job `jobId`, with the answers of openJob (401,
 * or 404 as for a missing job), loading the job only when its labels or write token decide.
 * When the ids decide, the read that follows answers 404 itself for a missing job or step.
 */
export async function requireStepRead(store: LogStore, access: RequestAccess, jobId: string, step: string): Promise<void> {
  const decided = decidedByIds(access, jobId, step);
  if (decided === true) return;
  if (decided === null) {
    await openJob(store, access, jobId, step);
    return;
  }
  const { config, principal } = access;
  if (principal.kind === 'anonymous') requireRead(config, principal, null);
  if (maySee(config, principal, { id: jobId, labels: {} }) && (await store.getJob(jobId)) !== null) throw notFound(`step ${step} of job ${jobId}`);
  throw notFound(`job ${jobId}`);
}

/**
 * The step a read of the whole job is narrowed to: `requested` (openJob checked it), none for a
 * reader of every step, the one step of a step link; a reader of several steps of a job names one.
 */
export function stepFor(view: JobView, requested: string | undefined): string | undefined {
  if (requested !== undefined || view.steps === 'all') return requested;
  if (view.steps.length === 1) return view.steps[0];
  throw new AppError('bad_request', 'this credential reads only some steps of the job: name one with ?step=');
}
