import 'server-only';
import type { Line } from '../../contracts';
import { LineGapError, badRequest } from '../../errors';

/**
 * Largest `lines` event a backend may emit (a file journal record, a PostgreSQL `lines` event
 * row, a NATS lines message): keeps SSE frames and client batches bounded.
 */
export const MAX_EVENT_LINES = 1000;

export interface DedupedLines<L> {
  /** the lines after `last`, dense from last + 1 */
  fresh: L[];
  /** lines at or below `last`: retries of stored lines, counted and ignored */
  duplicates: number;
}

/**
 * The idempotency rule of every append (types.ts AppendBatch): lines with n <= last are
 * duplicates; the rest must continue at last + 1 without a gap, else LineGapError and
 * nothing of the batch is taken.
 */
export function dedupeLines<L extends { n: number }>(lines: readonly L[], last: number): DedupedLines<L> {
  const fresh: L[] = [];
  for (const line of lines) {
    if (!Number.isSafeInteger(line.n) || line.n < 1) throw badRequest('line numbers must be positive integers');
    if (line.n <= last) continue;
    const expected = last + 1 + fresh.length;
    if (line.n !== expected) throw new LineGapError(expected, line.n);
    fresh.push(line);
  }
  return { fresh, duplicates: lines.length - fresh.length };
}

/**
 * The numbering of an `end`-mode append (types.ts AppendBatch): the lines as they come, numbered
 * `last + 1…` whatever `n` they carry. Nothing is a duplicate: such a batch is not idempotent.
 */
export function numberAtEnd<L extends { n: number }>(lines: readonly L[], last: number): DedupedLines<L> {
  return { fresh: lines.map((line, i) => ({ ...line, n: last + 1 + i })), duplicates: 0 };
}

/** Consecutive runs of at most MAX_EVENT_LINES lines: one `lines` event each. */
export function eventChunks(lines: readonly Line[]): Line[][] {
  const chunks: Line[][] = [];
  for (let i = 0; i < lines.length; i += MAX_EVENT_LINES) chunks.push(lines.slice(i, i + MAX_EVENT_LINES));
  return chunks;
}
