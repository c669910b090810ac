import 'server-only';
import type { LineRange } from '../contracts';
import type { LogStore } from './types';

/**
 * `GET lines` within a byte budget: the backend stops before the line that would pass
 * `maxBytes` (at least one line), and the reply then says so with `truncated` and `next`, the
 * first line it left out. A range that ends at the step's last line, or at `from + limit - 1`,
 * is complete and carries neither.
 */
export async function readLinesWithin(
  store: LogStore,
  jobId: string,
  stepId: string,
  from: number,
  limit: number,
  maxBytes: number,
): Promise<LineRange> {
  const range = await store.readLines(jobId, stepId, from, limit, maxBytes);
  const end = Math.min(from + limit - 1, range.last);
  const lastSent = range.lines.at(-1)?.n;
  if (lastSent === undefined || lastSent >= end) return range;
  return { ...range, truncated: true, next: lastSent + 1 };
}
