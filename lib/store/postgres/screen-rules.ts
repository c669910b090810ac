import 'server-only';
import { SCREEN_ROWS, type AppendResult, type Line } from '../../contracts';
import { badRequest } from '../../errors';
import type { AppendBatch } from '../types';

/*
 * Issue 13's append rules (types.ts AppendBatch `produced`, `updates`), kept here until the
 * shared plan (lib/store/plan) has them; the NATS backend has the same three functions.
 */

/** A batch whose `produced` is not above the step's stored `produced ?? last` is a retry: nothing of it is stored. */
export function isRetry(batch: Pick<AppendBatch, 'produced'>, storedProduced: number): boolean {
  return batch.produced !== undefined && batch.produced <= storedProduced;
}

/**
 * The batch's updates, checked against the step's `last` before the batch: each `n` within the
 * screen (`last - SCREEN_ROWS < n <= last`), else bad_request (nothing stored). Ascending by `n`,
 * one per line (a later entry for the same `n` wins).
 */
export function screenUpdates(updates: readonly Line[] | undefined, last: number): Line[] {
  if (!updates || updates.length === 0) return [];
  const byLine = new Map<number, Line>();
  for (const line of updates) {
    if (!Number.isSafeInteger(line.n) || line.n <= last - SCREEN_ROWS || line.n > last || line.n < 1) {
      throw badRequest(`updated line ${line.n} is not within the step's screen (lines ${Math.max(1, last - SCREEN_ROWS + 1)}..${last})`);
    }
    byLine.set(line.n, line);
  }
  return [...byLine.values()].sort((a, b) => a.n - b.n);
}

/** AppendResult: `last` the producer's number, `lines` the stored line count when it differs. */
export function appendAnswer(accepted: number, duplicates: number, produced: number, lines: number): AppendResult {
  return produced === lines ? { accepted, duplicates, last: produced } : { accepted, duplicates, last: produced, lines };
}
