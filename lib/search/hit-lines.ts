import 'server-only';
import type { Line } from '../contracts';
import type { LogStore } from '../store/types';

/** Hits closer than this (in lines) are read in one range request. */
export const HIT_SPAN_LINES = 1000;
/**
 * Bytes one range read of hit lines may hold (the store stops a range before the line that would
 * pass it, always returning at least one line): a span of long lines is read in several steps,
 * and only the hits of each are kept.
 */
export const HIT_READ_BYTES = 1024 * 1024;

/**
 * The stored lines `numbers` (ascending) of one step, in as few range reads as their spread
 * allows, one read at a time (each at most HIT_READ_BYTES). A line that cannot be read (a step
 * gone) is undefined. `keep` shrinks a line as it is read (a preview), so what stays in memory is
 * what the answer holds.
 */
export async function readHitLines(
  store: LogStore,
  job: string,
  step: string,
  numbers: readonly number[],
  keep: (line: Line) => Line = (line) => line,
): Promise<(Line | undefined)[]> {
  const spans: [number, number][] = [];
  for (const n of numbers) {
    const last = spans[spans.length - 1];
    if (last && n - last[0] < HIT_SPAN_LINES) last[1] = n;
    else spans.push([n, n]);
  }
  const wanted = new Set(numbers);
  const byNumber = new Map<number, Line>();
  for (const [first, last] of spans) {
    for (let from = first; from <= last; ) {
      const { lines } = await store.readLines(job, step, from, last - from + 1, HIT_READ_BYTES).catch(() => ({ lines: [] as Line[] }));
      if (lines.length === 0) break;
      for (const line of lines) if (wanted.has(line.n)) byNumber.set(line.n, keep(line));
      from = (lines[lines.length - 1]?.n ?? last) + 1;
    }
  }
  return numbers.map((n) => byNumber.get(n));
}
