import 'server-only';
import type { AppendResult, FinalJobStatus, Group, JobEvent, JobStatus, Line, PutJobBody, PutStepBody, StepErrors, StepMeta, StepStatus } from '../../contracts';
import { JobCompletedError, badRequest } from '../../errors';
import type { AppendBatch } from '../types';
import { dedupeLines, eventChunks, numberAtEnd } from './lines';
import { assertMasksFresh } from './masks';
import { assertGroups, assertJobBytes, assertNewSteps, textBytes, type JobUsage } from './quotas';
import { sameJson } from './same-json';
import { appendResult, assertBaseFresh, checkUpdates, isProducedRetry, producedAfter, withProduced } from './screen';
import { applyStepPatch, newStep, withStatus, type StepLike } from './steps';

/**
 * The write rules of every backend, decided once. A plan takes the current state as plain
 * data and returns what to write, or throws a typed error from lib/errors; it does no I/O,
 * so a refused write changes nothing. Each backend reads the state and persists the plan
 * inside its own transaction (PostgreSQL), compare-and-set loop (NATS) or job lock (file).
 */

/** The job fields a `PUT job` may change or report. */
export interface JobHead {
  id: string;
  status: JobStatus;
  title: string;
  labels: Record<string, string>;
  endedAt: number | null;
}

export interface PutStepPlan {
  /** the step after the write (the existing object when nothing changed) */
  step: StepMeta;
  /** true when the step is new or differs: write it and emit a `step` event */
  changed: boolean;
}

/**
 * `PUT step`: create the step if missing (pending, name = id), then apply the patch. `usage`
 * counts the job's steps (a new one must fit MAX_STEPS_PER_JOB).
 */
export function planPutStep(existing: StepMeta | undefined, stepId: string, body: PutStepBody, now: number, usage: Pick<JobUsage, 'steps'>): PutStepPlan {
  if (!existing) assertNewSteps(usage, 1);
  const next = applyStepPatch(existing ?? newStep(stepId), body, now);
  if (existing && sameJson(existing, next)) return { step: existing, changed: false };
  return { step: next, changed: true };
}

export interface PutJobPlan {
  title: string;
  labels: Record<string, string>;
  /** title or labels differ from the job's */
  changed: boolean;
  /** a running job's new title; a completed job's stream has ended, so it gets no event */
  event: JobEvent | null;
  /** declared steps that are new or changed, in declaration order (later ones build on earlier) */
  steps: StepMeta[];
}

/**
 * `PUT job` on an existing job (a backend creates the row first): title and labels replaced
 * when given; declared steps added or renamed, never removed. `steps` holds at least the
 * declared ids' current steps; `usage.steps` counts all of the job's steps. A completed job is
 * immutable: a body that would change anything is JobCompletedError, one that changes nothing
 * (a retry) is no write.
 */
export function planPutJob(job: JobHead, steps: ReadonlyMap<string, StepMeta>, body: PutJobBody, now: number, usage: Pick<JobUsage, 'steps'>): PutJobPlan {
  const title = body.title ?? job.title;
  const labels = body.labels ? { ...body.labels } : job.labels;
  const declared = new Map<string, StepMeta>();
  let added = 0;
  for (const decl of body.steps ?? []) {
    const current = declared.get(decl.id) ?? steps.get(decl.id);
    const plan = planPutStep(current, decl.id, decl, now, { steps: usage.steps + added });
    if (!plan.changed) continue;
    if (job.status !== 'running') throw new JobCompletedError(job.id);
    if (!current) added++;
    declared.set(decl.id, plan.step);
  }
  const changed = title !== job.title || !sameJson(labels, job.labels);
  if (changed && job.status !== 'running') throw new JobCompletedError(job.id);
  const event = title !== job.title ? { id: job.id, status: job.status, title, endedAt: job.endedAt } : null;
  return { title, labels, changed, event, steps: [...declared.values()] };
}

/**
 * An append to an unknown step creates it running (if it fits MAX_STEPS_PER_JOB); a pending
 * step starts. Otherwise null.
 */
export function planStart(existing: StepMeta | undefined, stepId: string, now: number, usage: Pick<JobUsage, 'steps'>): StepMeta | null {
  if (existing && existing.status !== 'pending') return null;
  if (!existing) assertNewSteps(usage, 1);
  return withStatus(existing ?? newStep(stepId), 'running', now);
}

/**
 * The step with the batch's groups, or null when the batch keeps them as they are. More than
 * MAX_GROUPS_PER_STEP groups is a QuotaError.
 */
export function planGroups<S extends { groups: Group[] }>(step: S, groups: Group[] | undefined): S | null {
  if (groups === undefined || sameJson(groups, step.groups)) return null;
  assertGroups(groups.length);
  return { ...step, groups: structuredClone(groups) };
}

/**
 * The step with the batch's error summary, or null when it keeps its own. A step's error count
 * only grows (its index counts each line once), so a summary with no more errors than the
 * step's is older and changes nothing: a batch that stored no line (a retry, ingested from an
 * older state), or one whose summary reaches NATS's record after a later batch's did.
 */
export function planErrors<S extends { errors?: StepErrors }>(step: S, errors: StepErrors | undefined, accepted: number): S | null {
  if (errors === undefined || accepted === 0 || errors.count <= (step.errors?.count ?? 0)) return null;
  return { ...step, errors: { ...errors } };
}

export interface AppendPlan {
  /** the new lines, dense from the step's last + 1 */
  accepted: Line[];
  duplicates: number;
  /** the step's last line after the append */
  last: number;
  /** the step created or started by this append (its `step` event precedes the lines), or null */
  started: StepMeta | null;
  /** `accepted` cut into `lines` events of at most MAX_EVENT_LINES lines */
  chunks: Line[][];
  /** the step with its new groups, error summary and line count (a `step` event after the lines), or null */
  regrouped: StepMeta | null;
  /** UTF-8 bytes of the accepted lines' text, added to the job's `job_bytes` count */
  bytes: number;
  /** stored lines whose text this batch replaces (screen.ts checkUpdates): one `update` event after the lines */
  updates: Line[];
  /** StepMeta.produced after the batch (absent when it equals `last`); persist it with the batch */
  produced: number | undefined;
  /**
   * The batch stores something: new lines, updates, or a `produced` that moved (an update-only
   * or cursor-only batch). Keep `state`, `errors` and `raw` only then.
   */
  advanced: boolean;
  /** the batch is a retry by `produced` (screen.ts isProducedRetry): nothing of it is stored */
  retry: boolean;
  /** AppendBatch.raw to store with the batch ('' when nothing is) */
  raw: string;
  /** what `append` answers */
  result: AppendResult;
}

/**
 * `append` to a step whose stored state is `existing` (its `lines` is the last stored line),
 * of a job whose quotas count `usage` and that has `masksVersion` masks. A batch masked with
 * fewer masks is StaleMasksError (masks.ts). A batch whose `base` is not the step's (any mode;
 * screen.ts assertBaseFresh) is StaleAppendError, checked before the retry test. A batch whose
 * `produced` is not above the step's is a retry: nothing stored, every line a duplicate
 * (screen.ts). A `numbered` batch is deduplicated and gap-checked; an `end` batch is numbered
 * after the last line. Updates must lie within the screen (bad_request).
 * Quotas are checked last, so a refused batch stores nothing. Updates and raw text do not count
 * against the job_bytes quota here (a backend adds an update's growth to the job's count).
 */
export function planAppend(existing: StepMeta | undefined, stepId: string, batch: AppendBatch, now: number, usage: JobUsage, masksVersion = 0): AppendPlan {
  assertMasksFresh(batch, masksVersion);
  const before = existing?.lines ?? 0;
  assertBaseFresh(existing, batch);
  if (isProducedRetry(existing, batch.produced)) {
    return {
      accepted: [],
      duplicates: batch.lines.length,
      last: before,
      started: null,
      chunks: [],
      regrouped: null,
      bytes: 0,
      updates: [],
      produced: existing?.produced,
      advanced: false,
      retry: true,
      raw: '',
      result: appendResult(0, batch.lines.length, before, existing?.produced),
    };
  }
  const { fresh, duplicates } = batch.mode === 'end' ? numberAtEnd(batch.lines, before) : dedupeLines(batch.lines, before);
  const updates = checkUpdates(batch.updates, before);
  if (batch.raw !== undefined && typeof batch.raw !== 'string') throw badRequest('raw must be a string');
  const advanced = fresh.length > 0 || updates.length > 0 || batch.produced !== undefined;
  const started = planStart(existing, stepId, now, usage);
  const bytes = textBytes(fresh);
  assertJobBytes(usage, bytes);
  const last = before + fresh.length;
  const produced = producedAfter(existing, batch.produced, fresh.length, last);
  const step = started ?? existing ?? newStep(stepId);
  const grouped = planGroups(step, batch.groups);
  const changed = planErrors(grouped ?? step, batch.errors, advanced ? Math.max(1, fresh.length) : 0) ?? grouped;
  return {
    accepted: fresh,
    duplicates,
    last,
    started,
    chunks: eventChunks(fresh),
    regrouped: changed && withProduced({ ...changed, lines: last }, produced),
    bytes,
    updates,
    produced,
    advanced,
    retry: false,
    raw: advanced ? (batch.raw ?? '') : '',
    result: appendResult(fresh.length, duplicates, last, produced),
  };
}

/** What a job's completion ends: success stays success, any other outcome cancels. */
export function endedStepStatus(status: FinalJobStatus): StepStatus {
  return status === 'success' ? 'success' : 'cancelled';
}

export interface CompletePlan<S> {
  /** every step, the open ones ended */
  steps: S[];
  /** the steps that were pending or running, ended (a `step` event each, in order) */
  ended: S[];
  /** the `job` event, then the `end` sentinel with `status` */
  job: JobEvent;
}

/** `complete`: end the still-open steps with the job's outcome, then the job, then `end`. */
export function planComplete<S extends StepLike>(job: { id: string; title: string }, steps: Iterable<S>, status: FinalJobStatus, now: number): CompletePlan<S> {
  const all: S[] = [];
  const ended: S[] = [];
  for (const step of steps) {
    const open = step.status === 'running' || step.status === 'pending';
    const next = open ? withStatus(step, endedStepStatus(status), now) : step;
    if (open) ended.push(next);
    all.push(next);
  }
  return { steps: all, ended, job: { id: job.id, status, title: job.title, endedAt: now } };
}
