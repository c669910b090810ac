import 'server-only';
import { QuotaError } from '../../errors';
import { MAX_GROUPS } from '../../ingest/state';
import type { Line } from '../../contracts';

/**
 * Per-job quotas, decided in the plans so every backend refuses the same write, before
 * anything of it is stored (docs/api.md "Limits"). A refusal is `409 quota_exceeded` whose
 * `limit` names the quota and `max` gives its value.
 */

/** Steps one job may have: a job page lists them all, and every append reads the step list. */
export const MAX_STEPS_PER_JOB = 1000;

/** Groups one step may have: lib/ingest opens no more than this (MAX_GROUPS), the store takes no more. */
export const MAX_GROUPS_PER_STEP = MAX_GROUPS;

const DEFAULT_MAX_JOB_BYTES = 1024 * 1024 * 1024;

/**
 * Bytes of line text (UTF-8) one job may store, over all its steps: one runaway build must not
 * fill the disk every other job shares. `LOGSCOPE_MAX_JOB_BYTES` overrides the 1 GiB default.
 */
export const MAX_JOB_BYTES = positiveInt(process.env.LOGSCOPE_MAX_JOB_BYTES) ?? DEFAULT_MAX_JOB_BYTES;

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n > 0 ? n : null;
}

/** What a job holds, as the quotas count it. */
export interface JobUsage {
  steps: number;
  /** bytes of stored line text over all steps */
  bytes: number;
}

export function assertNewSteps(usage: Pick<JobUsage, 'steps'>, added: number): void {
  if (added > 0 && usage.steps + added > MAX_STEPS_PER_JOB) {
    throw new QuotaError('steps_per_job', MAX_STEPS_PER_JOB, `a job has at most ${MAX_STEPS_PER_JOB} steps`);
  }
}

export function assertGroups(count: number): void {
  if (count > MAX_GROUPS_PER_STEP) {
    throw new QuotaError('groups_per_step', MAX_GROUPS_PER_STEP, `a step has at most ${MAX_GROUPS_PER_STEP} groups`);
  }
}

/** The UTF-8 bytes of the lines' text: what `job_bytes` counts. */
export function textBytes(lines: readonly Pick<Line, 'text'>[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line.text, 'utf8');
  return bytes;
}

export function assertJobBytes(usage: Pick<JobUsage, 'bytes'>, added: number, max = MAX_JOB_BYTES): void {
  if (added > 0 && usage.bytes + added > max) {
    throw new QuotaError('job_bytes', max, `a job stores at most ${max} bytes of log text`);
  }
}
