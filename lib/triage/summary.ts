import type { JobErrorRef, JobStatus, StepErrors, StepMeta } from '../contracts/job';
import type { StepErrorsPage } from '../contracts/triage';
import { createErrorIndex, type ErrorIndex, type ErrorIndexJson } from './error-index';

/**
 * What the rest of Logscope reads of a step's error index (error-index.ts): the summary carried
 * on StepMeta.errors, a page of the errors endpoint, and the job listing's first error.
 */

/** StepMeta.errors of an index: null while it has seen no error line (the field is then absent). */
export function errorSummary(index: ErrorIndex): StepErrors | null {
  const count = index.count();
  if (count === 0) return null;
  return { count, first: index.first()?.n ?? null, truncated: index.truncated() };
}

/**
 * One page of the errors endpoint from a persisted index (null: the step has none, e.g. it was
 * stored before error lines were recognised): kept errors with n > after, ascending, at most
 * `limit`; `next` is the last one's n while kept errors remain after it.
 */
export function errorsPage(step: string, index: ErrorIndexJson | null, after: number, limit: number): StepErrorsPage {
  if (!index) return { step, count: 0, truncated: false, errors: [], next: null };
  const entries = createErrorIndex(index).entries();
  // entries ascend: binary search for the first n > after
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid]?.n ?? 0) > after) hi = mid;
    else lo = mid + 1;
  }
  const errors = entries.slice(lo, lo + limit).map((e) => ({ n: e.n, rule: e.rule }));
  const last = errors[errors.length - 1];
  return { step, count: index.count, truncated: index.count > entries.length, errors, next: last && lo + limit < entries.length ? last.n : null };
}

/**
 * JobSummary.firstError: the first error of the first failed step (in step order) with one; for
 * a failed job without such a step, the first error of the first step with one; else null.
 */
export function firstJobError(status: JobStatus, steps: readonly Pick<StepMeta, 'id' | 'status' | 'errors'>[]): JobErrorRef | null {
  let fallback: JobErrorRef | null = null;
  for (const step of steps) {
    const n = step.errors?.first;
    if (n === undefined || n === null) continue;
    if (step.status === 'failure') return { step: step.id, n };
    fallback ??= { step: step.id, n };
  }
  return status === 'failure' ? fallback : null;
}
