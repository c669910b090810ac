import 'server-only';
import { SCREEN_ROWS, lineSchema, type AppendResult, type Line } from '../../contracts';
import { StaleAppendError, badRequest } from '../../errors';

/**
 * The store's rules for the terminal screen (issue 13; types.ts AppendBatch `updates`,
 * `produced`, `raw`), shared by every backend through planAppend:
 * - `produced` is the idempotency key once the screen merges producer lines into fewer stored
 *   lines: a batch whose `produced` is not above the step's `produced ?? lines` is a retry and
 *   stores nothing;
 * - `updates` replace lines within the step's screen only: each `n` in `last - SCREEN_ROWS < n
 *   <= last` (`last` before the batch), strictly ascending (no `n` twice), each a valid Line;
 *   anything else is a bad_request and nothing of the batch is stored;
 * - `base`, when given (any mode), is the step's number the batch was computed against: a batch
 *   whose base is not the stored one is a StaleAppendError, checked before the retry test (a batch
 *   computed from a stale state is not a retry of one stored: its rows differ).
 */

/** The producer's last line number a step has stored: StepMeta.produced, or its line count. */
export function storedProduced(step: { lines: number; produced?: number } | undefined): number {
  return step?.produced ?? step?.lines ?? 0;
}

/**
 * True when a batch carrying `produced` is a retry of one already stored (nothing of it is
 * stored; its lines count as duplicates). A batch without `produced` is never one by this rule
 * (dedupeLines decides by line number, as before).
 */
export function isProducedRetry(step: { lines: number; produced?: number } | undefined, produced: number | undefined): boolean {
  if (produced === undefined) return false;
  if (!Number.isSafeInteger(produced) || produced < 0) throw badRequest('produced must be a non-negative integer');
  return produced <= storedProduced(step);
}

/**
 * The step's number a batch's `base` names: `produced ?? lines` for a batch with `produced`, the
 * line count for one without (as before the screen).
 */
export function baseOf(step: { lines: number; produced?: number } | undefined, produced: number | undefined): number {
  return produced === undefined ? (step?.lines ?? 0) : storedProduced(step);
}

/**
 * Throws StaleAppendError (with the step's current base number) when `base` is given and is not
 * the step's (baseOf): the batch's rows, updates, groups and state were computed from another
 * state of the step, and nothing of it may be stored. A base that is not a non-negative integer is
 * a bad_request.
 */
export function assertBaseFresh(step: { lines: number; produced?: number } | undefined, batch: { base?: number; produced?: number }): void {
  if (batch.base === undefined) return;
  if (!Number.isSafeInteger(batch.base) || batch.base < 0) throw badRequest('base must be a non-negative integer');
  const current = baseOf(step, batch.produced);
  if (batch.base !== current) throw new StaleAppendError(current);
}

/**
 * The batch's updates, checked against the step's `last` line before the batch: copies holding
 * only {n, ts, stream, text}. Throws bad_request (naming the first bad update) for an update
 * that is not a Line, outside the screen, or not strictly after the previous one.
 */
export function checkUpdates(updates: readonly Line[] | undefined, last: number): Line[] {
  if (updates === undefined || updates.length === 0) return [];
  if (!Array.isArray(updates)) throw badRequest('updates must be an array of lines');
  const low = Math.max(1, last - SCREEN_ROWS + 1);
  const out: Line[] = [];
  let previous = 0;
  for (const update of updates) {
    const parsed = lineSchema.safeParse(update);
    if (!parsed.success) throw badRequest('an update must be a line {n, ts, stream, text}');
    const { n, ts, stream, text } = parsed.data;
    if (n < low || n > last) {
      throw badRequest(last === 0 ? `update of line ${n}: the step has no lines` : `update of line ${n} is outside the step's screen (lines ${low}..${last})`, { n, low, last });
    }
    if (n <= previous) throw badRequest(`updates must be in ascending order without repeats (line ${n} after ${previous})`);
    previous = n;
    out.push({ n, ts, stream, text });
  }
  return out;
}

/**
 * StepMeta.produced after a batch: the batch's `produced` when given; without it the producer
 * numbers lines as the store does, so a step that already differs keeps its offset. Absent
 * (undefined) when it equals the step's line count.
 */
export function producedAfter(step: { lines: number; produced?: number } | undefined, batchProduced: number | undefined, accepted: number, lines: number): number | undefined {
  const produced = batchProduced ?? (step?.produced === undefined ? undefined : step.produced + accepted);
  return produced === undefined || produced === lines ? undefined : produced;
}

/** The step with `produced` set, or without the key when undefined (StepMeta keeps it absent). */
export function withProduced<S extends { produced?: number }>(step: S, produced: number | undefined): S {
  const next = { ...step };
  if (produced === undefined) delete next.produced;
  else next.produced = produced;
  return next;
}

/**
 * The append's answer (types.ts LogStore.append): `last` is the producer's last line number
 * (`produced ?? lines`), `lines` the stored line count when it differs.
 */
export function appendResult(accepted: number, duplicates: number, lines: number, produced: number | undefined): AppendResult {
  return produced === undefined || produced === lines ? { accepted, duplicates, last: lines } : { accepted, duplicates, last: produced, lines };
}
