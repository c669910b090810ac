import 'server-only';
import type { FinalJobStatus, JobMeta, PutJobBody, PutStepBody, StepMeta } from '../contracts';
import { FINAL_JOB_STATUSES } from '../contracts';
import { newWriteToken, requireIngestKey, requireWriteToken } from '../auth/tokens';
import { AppError, JobCompletedError, notFound } from '../errors';
import { finishStep } from '../ingest';
import { maskJobBody, maskStepBody } from '../ingest/mask-names';
import type { LogStore } from '../store/types';
import { webhookJobCompleted, webhookJobCreated, webhookStepUpdated } from '../webhooks';
import { forgetWriteState } from './line-writer';

/** Resolves the job's token hash and checks the request's bearer token against it. */
export async function authorizeJobWrite(store: LogStore, headers: Headers, jobId: string): Promise<void> {
  const secret = await store.getJobPrivate(jobId);
  if (!secret) throw notFound(`job ${jobId}`);
  requireWriteToken(headers, secret.tokenHash);
}

export type PutJobResult = { created: true; job: JobMeta; writeToken: string } | { created: false; job: JobMeta };

/** Who may `PUT` the job: its token holder when it exists (`tokenHash`), else the ingest key holder (null). */
export interface PutJobAuth {
  tokenHash: string | null;
}

/**
 * Checks the `PUT /jobs/{job}` credentials before the body is read: the job's write token when
 * the job exists, the ingest key (when configured) when it does not.
 */
export async function authorizePutJob(store: LogStore, headers: Headers, jobId: string, ingestKey: string | null): Promise<PutJobAuth> {
  const existing = await store.getJobPrivate(jobId);
  if (existing) {
    requireWriteToken(headers, existing.tokenHash);
    return { tokenHash: existing.tokenHash };
  }
  requireIngestKey(headers, ingestKey);
  return { tokenHash: null };
}

/**
 * `PUT /jobs/{job}` once authorizePutJob passed: creating returns the job's write token, once;
 * updating merges the body, masked with the job's masks as they are once the body is read (a
 * completed job refuses any change).
 */
export async function putJob(store: LogStore, jobId: string, body: PutJobBody, auth: PutJobAuth): Promise<PutJobResult> {
  if (auth.tokenHash !== null) {
    const masks = (await store.getJobPrivate(jobId))?.masks ?? [];
    const { job } = await store.putJob(jobId, maskJobBody(body, masks), { tokenHash: auth.tokenHash });
    // a declared marker dialect is read when a step's write state is loaded
    for (const step of body.steps ?? []) if (step.markers !== undefined) forgetWriteState(jobId, step.id);
    return { created: false, job };
  }
  const { token, hash } = newWriteToken();
  const { job, created } = await store.putJob(jobId, body, { tokenHash: hash });
  if (!created) {
    // Another request created it between our read and write: its token is the job's.
    throw new AppError('conflict', `job ${jobId} was created by another request at the same time`);
  }
  webhookJobCreated(job);
  return { created: true, job, writeToken: token };
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
