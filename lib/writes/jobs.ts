import 'server-only';
import type { FinalJobStatus, JobMeta, PutJobBody, PutStepBody, StepMeta } from '../contracts';
import { FINAL_JOB_STATUSES } from '../contracts';
import { accessConfig, resolvePrincipal, type AccessConfig, type AccessKey, type Principal } from '../access';
import { REVOKED_TOKEN_HASH, newWriteToken, requireWriteToken } from '../auth/tokens';
import { assertScopeLabelsKept, checkCreateCredential, checkUpdateCredential, creationNeedsKey, keyCoversJob, requireAdmin, scopedCreateBody, tokenManagerKey } from './access';
import { AppError, JobCompletedError, notFound } from '../errors';
import { finishStep } from '../ingest';
import { maskJobBody, maskStepBody } from '../ingest/mask-names';
import type { LogStore } from '../store/types';
import { webhookJobCompleted, webhookJobCreated, webhookJobDeleted, webhookStepUpdated } from '../webhooks';
import { forgetWriteState } from './line-writer';

/** Resolves the job's token hash and checks the request's bearer token against it. */
export async function authorizeJobWrite(store: LogStore, headers: Headers, jobId: string): Promise<void> {
  const secret = await store.getJobPrivate(jobId);
  if (!secret) throw notFound(`job ${jobId}`);
  requireWriteToken(headers, secret.tokenHash);
}

export type PutJobResult = { created: true; job: JobMeta; writeToken: string } | { created: false; job: JobMeta };

/** Who may `PUT` the job: its token holder or an admin key when it exists (`tokenHash`), else a creator (null). */
export interface PutJobAuth {
  tokenHash: string | null;
  /** the ingest (or admin) key creating the job: its scope labels go on the new job */
  key: AccessKey | null;
  principal: Principal;
  config: AccessConfig;
}

/** One answer for "not this job's token" and "not an ingest key", so it says nothing of the job. */
const BAD_BEARER = 'the bearer token is neither this job\'s write token nor a valid ingest key';

/**
 * Checks the `PUT /jobs/{job}` credentials before the body is read (lib/writes/access.ts): an
 * ingest key is held to its prefix first, whether the job exists or not; then the job's write
 * token (or an admin key) when the job exists, a creator's credential when it does not.
 */
export async function authorizePutJob(store: LogStore, request: { headers: Headers; url: string }, jobId: string): Promise<PutJobAuth> {
  const config = accessConfig();
  const principal = resolvePrincipal(request, config);
  const guarded = creationNeedsKey(config);
  if (principal.kind === 'key' && principal.key.kind === 'read') throw new AppError('forbidden', 'a read key cannot write; use an ingest key');
  if (principal.kind === 'key' && principal.key.kind === 'ingest') checkCreateCredential(config, principal, jobId);
  if (guarded && principal.kind === 'anonymous') {
    throw new AppError('unauthorized', 'writing needs Authorization: Bearer <write token> (or an ingest key to create a job)');
  }
  const existing = await store.getJobPrivate(jobId);
  try {
    if (existing) {
      checkUpdateCredential(principal, existing.tokenHash);
      return { tokenHash: existing.tokenHash, key: null, principal, config };
    }
    return { tokenHash: null, key: checkCreateCredential(config, principal, jobId).key, principal, config };
  } catch (error) {
    if (guarded && principal.kind === 'bearer' && error instanceof AppError && error.code === 'forbidden') throw new AppError('forbidden', BAD_BEARER);
    throw error;
  }
}

/** A new job created in-process without a credential (benches, tests): what authorizePutJob gives an anonymous creator. */
export function inProcessCreateAuth(): PutJobAuth {
  return { tokenHash: null, key: null, principal: { kind: 'anonymous' }, config: accessConfig() };
}

/**
 * `PUT /jobs/{job}` once authorizePutJob passed: creating returns the job's write token, once;
 * updating merges the body, masked with the job's masks as they are once the body is read (a
 * completed job refuses any change; a job deleted meanwhile is not brought back).
 */
export async function putJob(store: LogStore, jobId: string, body: PutJobBody, auth: PutJobAuth): Promise<PutJobResult> {
  if (auth.tokenHash !== null) {
    const current = await store.getJob(jobId);
    if (!current) throw notFound(`job ${jobId}`);
    assertScopeLabelsKept(auth.config, auth.principal, current.labels, body);
    const masks = (await store.getJobPrivate(jobId))?.masks ?? [];
    const { job } = await store.putJob(jobId, maskJobBody(body, masks), null);
    // a declared marker dialect is read when a step's write state is loaded
    for (const step of body.steps ?? []) if (step.markers !== undefined) forgetWriteState(jobId, step.id);
    return { created: false, job };
  }
  const scoped = scopedCreateBody(body, auth.key);
  const { token, hash } = newWriteToken();
  const { job, created } = await store.putJob(jobId, scoped, { tokenHash: hash });
  if (!created) {
    // Another request created it between our read and write: its token is the job's.
    throw new AppError('conflict', `job ${jobId} was created by another request at the same time`);
  }
  webhookJobCreated(job);
  return { created: true, job, writeToken: token };
}

/**
 * `POST /jobs/{job}/token`: a new write token for the job; the old one stops working at once
 * (on every server: the hash lives in the store). An admin key or an ingest key covering the job.
 */
export async function issueJobToken(store: LogStore, request: { headers: Headers; url: string }, jobId: string): Promise<string> {
  await authorizeTokenManager(store, request, jobId);
  const { token, hash } = newWriteToken();
  await store.setTokenHash(jobId, hash);
  return token;
}

/** `DELETE /jobs/{job}/token`: no token writes the job any more (until a new one is issued). */
export async function revokeJobToken(store: LogStore, request: { headers: Headers; url: string }, jobId: string): Promise<void> {
  await authorizeTokenManager(store, request, jobId);
  await store.setTokenHash(jobId, REVOKED_TOKEN_HASH);
}

async function authorizeTokenManager(store: LogStore, request: { headers: Headers; url: string }, jobId: string): Promise<void> {
  const key = tokenManagerKey(resolvePrincipal(request, accessConfig()));
  const job = await store.getJob(jobId);
  if (job === null || !keyCoversJob(key, job)) throw notFound(`job ${jobId}`);
}

/** `DELETE /jobs/{job}` with an admin key: the job and everything of it, on every backend. */
export async function deleteJob(store: LogStore, request: { headers: Headers; url: string }, jobId: string): Promise<void> {
  requireAdmin(resolvePrincipal(request, accessConfig()), 'deleting a job');
  const job = await store.getJob(jobId);
  if (job === null || !(await store.deleteJob(jobId))) throw notFound(`job ${jobId}`);
  forgetWriteState(jobId);
  webhookJobDeleted(job);
}

const isFinal = (status: string): boolean => (FINAL_JOB_STATUSES as readonly string[]).includes(status) || status === 'skipped';

/** `PUT /jobs/{job}/steps/{step}`; a step that ends closes the groups still open in it. */
export async function putStep(store: LogStore, jobId: string, stepId: string, body: PutStepBody): Promise<StepMeta> {
  const job = await store.getJob(jobId);
  if (!job) throw notFound(`job ${jobId}`);
  if (job.status !== 'running' && body.status !== undefined) throw new JobCompletedError(jobId);
  const masks = (await store.getJobPrivate(jobId))?.masks ?? [];
  const step = await store.putStep(jobId, stepId, maskStepBody(body, masks));
  webhookStepUpdated(job, step);
  if (body.markers !== undefined) forgetWriteState(jobId, stepId); // read when the write state is loaded
  if (body.status !== undefined && isFinal(body.status)) await closeOpenGroups(store, jobId, step);
  return (await store.getJob(jobId))?.steps.find((s) => s.id === stepId) ?? step;
}

async function closeOpenGroups(store: LogStore, jobId: string, step: StepMeta): Promise<void> {
  if (!step.groups.some((g) => g.end === null)) return;
  const groups = finishStep(await store.getStepState(jobId, step.id), step.lines, step.endedAt ?? Date.now());
  if (groups) await store.append(jobId, step.id, { lines: [], groups });
  forgetWriteState(jobId, step.id);
}

/** `POST /jobs/{job}/complete`: open groups close, then the store writes the end sentinel. */
export async function completeJob(store: LogStore, jobId: string, status: FinalJobStatus): Promise<JobMeta> {
  const job = await store.getJob(jobId);
  if (!job) throw notFound(`job ${jobId}`);
  if (job.status !== 'running') throw new JobCompletedError(jobId);
  for (const step of job.steps) await closeOpenGroups(store, jobId, step);
  const done = await store.complete(jobId, status);
  forgetWriteState(jobId);
  webhookJobCompleted(job, done);
  return done;
}
