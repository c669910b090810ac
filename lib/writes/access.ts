import 'server-only';
import type { AccessConfig, AccessKey, Principal } from '../access';
import { requiredLabels, scopeCoversJob } from '../access';
import { tokenMatches } from '../auth/tokens';
import type { PutJobBody } from '../contracts';
import { AppError } from '../errors';

/**
 * Who may write what (README "Write access and retention", docs/api.md "Write access"). The
 * read rule lives in lib/access/principal.ts; this is its write half:
 * - creating a job needs an ingest or admin key once the server is protected (token mode, or
 *   any ingest key configured); an ingest key creates only inside its scope: ids that start
 *   with its `jobPrefix` (or are in its job list), labels that include its scope labels;
 * - a job is written with its own write token (revocable, lib/writes/tokens), or an admin key;
 * - a label that any ingest key scopes by is fixed at creation (so a job cannot move into
 *   another team's scope);
 * - deleting a job needs an admin key; issuing or revoking a job's token an admin key or an
 *   ingest key that covers the job.
 */

/** Whether creating a job needs a key: token mode, or any ingest key configured. */
export function creationNeedsKey(config: AccessConfig): boolean {
  return config.mode === 'token' || config.keys.some((key) => key.kind === 'ingest');
}

function keyOf(principal: Principal): AccessKey | null {
  return principal.kind === 'key' ? principal.key : null;
}

/** Whether an ingest key may create a job with this id (its prefix, its job list). */
export function keyMayCreateId(key: AccessKey, jobId: string): boolean {
  if (key.jobPrefix !== null && !jobId.startsWith(key.jobPrefix)) return false;
  return !('jobs' in key.scope) || key.scope.jobs.includes(jobId);
}

/** Whether a key covers an existing job for token management: admin, or an ingest key whose scope and prefix hold it. */
export function keyCoversJob(key: AccessKey, job: { id: string; labels: Readonly<Record<string, string>> }): boolean {
  if (key.kind === 'admin') return true;
  if (key.kind !== 'ingest') return false;
  return scopeCoversJob(key.scope, job) && (key.jobPrefix === null || job.id.startsWith(key.jobPrefix));
}

/** The ingest key that creates the job (null: no key, or none is needed), after the id checks. */
export type CreateAuth = { key: AccessKey | null };

/**
 * The checks that need neither the job nor the body: an ingest key presented for an id outside
 * its prefix or job list is refused whether or not that job exists (so the answer reveals
 * nothing), and a protected server refuses to create without a key.
 */
export function checkCreateCredential(config: AccessConfig, principal: Principal, jobId: string): CreateAuth {
  const key = keyOf(principal);
  if (key?.kind === 'ingest' && !keyMayCreateId(key, jobId)) {
    const rule = key.jobPrefix !== null ? `whose id starts with ${JSON.stringify(key.jobPrefix)}` : 'listed in its scope';
    throw new AppError('forbidden', `this ingest key writes only jobs ${rule}`);
  }
  if (key?.kind === 'ingest' || key?.kind === 'admin') return { key };
  if (!creationNeedsKey(config)) return { key: null };
  if (principal.kind === 'anonymous') throw new AppError('unauthorized', 'creating a job needs Authorization: Bearer <ingest key>');
  if (key?.kind === 'read') throw new AppError('forbidden', 'a read key cannot create jobs; use an ingest key');
  throw new AppError('forbidden', 'the ingest key is not valid');
}

/**
 * Who may update an existing job: its write token, or an admin key. Any other key gets the
 * same 403 whether the job is inside its scope or not (never revealing whose job it is).
 */
export function checkUpdateCredential(principal: Principal, tokenHash: string): void {
  const key = keyOf(principal);
  if (key?.kind === 'admin') return;
  if (key !== null) throw new AppError('forbidden', 'this job id is taken; updating a job needs its write token');
  if (principal.kind === 'anonymous') throw new AppError('unauthorized', 'this write needs Authorization: Bearer <writeToken>');
  if (principal.kind !== 'bearer' || !tokenMatches(principal.token, tokenHash)) {
    throw new AppError('forbidden', 'the write token is not valid for this job');
  }
}

/**
 * The body a job is created with under an ingest key: its scope labels are added where absent;
 * a body that gives one of them another value is refused (403), nothing stored.
 */
export function scopedCreateBody(body: PutJobBody, key: AccessKey | null): PutJobBody {
  if (key === null || key.kind !== 'ingest') return body;
  const required = requiredLabels(key.scope);
  const labels = { ...(body.labels ?? {}) };
  for (const [name, value] of Object.entries(required)) {
    if (Object.hasOwn(labels, name) && labels[name] !== value) {
      throw new AppError('forbidden', `this ingest key creates only jobs labelled ${name}=${value}`);
    }
    labels[name] = value;
  }
  return Object.keys(required).length === 0 ? body : { ...body, labels };
}

/** Label names some ingest key scopes by: fixed once a job is created. */
export function scopeLabelNames(config: AccessConfig): Set<string> {
  const names = new Set<string>();
  for (const key of config.keys) if (key.kind === 'ingest') for (const name of Object.keys(requiredLabels(key.scope))) names.add(name);
  return names;
}

/** An update (not by an admin key) may not change, add or remove a scope label (403, nothing stored). */
export function assertScopeLabelsKept(config: AccessConfig, principal: Principal, current: Readonly<Record<string, string>>, body: PutJobBody): void {
  if (body.labels === undefined || keyOf(principal)?.kind === 'admin') return;
  for (const name of scopeLabelNames(config)) {
    const before = Object.hasOwn(current, name) ? current[name] : undefined;
    const after = Object.hasOwn(body.labels, name) ? body.labels[name] : undefined;
    if (before !== after) throw new AppError('forbidden', `label ${name} is fixed when the job is created (it decides which keys reach the job)`);
  }
}

/** `DELETE /jobs/{job}`: an admin key. */
export function requireAdmin(principal: Principal, what: string): void {
  if (principal.kind === 'anonymous') throw new AppError('unauthorized', `${what} needs Authorization: Bearer <admin key>`);
  if (keyOf(principal)?.kind !== 'admin') throw new AppError('forbidden', `${what} needs an admin key`);
}

/**
 * Issuing or revoking a job's write token: an admin key, or an ingest key (which must then
 * cover the job: keyCoversJob; a job outside its reach is a 404, as one that does not exist).
 */
export function tokenManagerKey(principal: Principal): AccessKey {
  const key = keyOf(principal);
  if (principal.kind === 'anonymous') throw new AppError('unauthorized', "managing a job's write token needs Authorization: Bearer <admin or ingest key>");
  if (key === null || key.kind === 'read') throw new AppError('forbidden', "managing a job's write token needs an admin key or an ingest key covering the job");
  return key;
}
