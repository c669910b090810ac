import 'server-only';
import type { FinalJobStatus, Line, PutJobBody, PutStepBody, StepMeta, StepStatus } from '../../contracts';
import { LineGapError, badRequest } from '../../errors';
import type { AppendBatch } from '../types';
import type { JobState } from './job-state';
import { MAX_RECORD_LINES, type JournalRecord } from './journal';
import { applyStepPatch, withStatus } from '../step-transitions';

/**
 * Pure decisions of each write: validate, then say which journal records to write. Nothing
 * here touches the disk or the state, so a refused write changes nothing.
 */

function newStep(id: string, status: StepStatus, now: number): StepMeta {
  return { id, name: id, parent: null, status, startedAt: status === 'running' ? now : null, endedAt: null, lines: 0, groups: [] };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function planPutJob(job: JobState, body: PutJobBody, now: number): { title: string; labels: Record<string, string>; records: JournalRecord[] } {
  const title = body.title ?? job.title;
  const labels = body.labels ? { ...body.labels } : job.labels;
  const records: JournalRecord[] = [];
  // Events after `end` would break the stream's contract: a completed job only takes title/labels.
  if (job.completed) return { title, labels, records };
  for (const decl of body.steps ?? []) {
    const current = job.steps.get(decl.id) ?? newStep(decl.id, 'pending', now);
    const next: StepMeta = { ...current };
    if (decl.name !== undefined) next.name = decl.name;
    if (decl.parent !== undefined) next.parent = decl.parent;
    if (decl.internal !== undefined) next.internal = decl.internal;
    if (!job.steps.has(decl.id) || !same(next, current)) records.push({ t: 'step', step: next });
  }
  if (title !== job.title) records.push({ t: 'job', job: { id: job.id, status: job.status, title, endedAt: job.endedAt } });
  return { title, labels, records };
}

export function planPutStep(job: JobState, stepId: string, body: PutStepBody, now: number): JournalRecord[] {
  const existing = job.steps.get(stepId);
  const current = existing ?? newStep(stepId, 'pending', now);
  const next = applyStepPatch(current, body, now);
  return !existing || !same(next, current) ? [{ t: 'step', step: next }] : [];
}

export interface AppendPlan {
  accepted: Line[];
  duplicates: number;
  records: JournalRecord[];
}

/**
 * Lines with n <= last are duplicates; the new ones must continue at last + 1 without a gap,
 * else LineGapError and nothing of the batch is stored.
 */
export function planAppend(job: JobState, stepId: string, batch: AppendBatch, now: number): AppendPlan {
  const existing = job.steps.get(stepId);
  const last = existing?.lines ?? 0;
  let running = last;
  let duplicates = 0;
  const accepted: Line[] = [];
  for (const line of batch.lines) {
    if (!Number.isSafeInteger(line.n) || line.n < 1) throw badRequest('line numbers must be positive integers');
    if (line.n <= running) duplicates += 1;
    else if (line.n === running + 1) {
      accepted.push(line);
      running = line.n;
    } else throw new LineGapError(running + 1, line.n);
  }
  const groupsChanged = batch.groups !== undefined && !same(batch.groups, existing?.groups ?? []);
  if (accepted.length === 0 && !groupsChanged) return { accepted, duplicates, records: [] };

  const records: JournalRecord[] = [];
  let step = existing ?? newStep(stepId, 'running', now);
  if (step.status === 'pending') step = withStatus(step, 'running', now);
  if (!existing || step !== existing) records.push({ t: 'step', step });
  for (let i = 0; i < accepted.length; i += MAX_RECORD_LINES) {
    const from = last + i + 1;
    const to = last + Math.min(accepted.length, i + MAX_RECORD_LINES);
    const isLast = to === running;
    records.push(isLast && batch.state !== undefined && accepted.length > 0 ? { t: 'lines', step: stepId, from, to, state: batch.state } : { t: 'lines', step: stepId, from, to });
  }
  if (groupsChanged && batch.groups) records.push({ t: 'step', step: { ...step, lines: running, groups: structuredClone(batch.groups) } });
  return { accepted, duplicates, records };
}

/** Ends still-open steps with the job's outcome, then the job event, then the end sentinel. */
export function planComplete(job: JobState, status: FinalJobStatus, now: number): JournalRecord[] {
  const records: JournalRecord[] = [];
  const stepStatus: StepStatus = status === 'success' ? 'success' : 'cancelled';
  for (const step of job.steps.values()) {
    if (step.status === 'running' || step.status === 'pending') records.push({ t: 'step', step: withStatus(step, stepStatus, now) });
  }
  records.push({ t: 'job', job: { id: job.id, status, title: job.title, endedAt: now } });
  records.push({ t: 'end', status });
  return records;
}
