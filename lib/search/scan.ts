import 'server-only';
import type { JobMeta, Line } from '../contracts';
import { MAX_RANGE_LIMIT } from '../contracts/lines';
import type { LogStore } from '../store/types';
import type { ScanBudget } from './budget';
import type { Range } from './matcher';
import type { BlockMatcher } from './pool';

/**
 * Lines read per `readLines` call and sent to the worker as one block. Reading and posting a
 * page is the request thread's share of a search: 1000 lines (a fifth of the store's range cap)
 * keeps each such slice short, so other requests wait less behind it.
 */
export const SCAN_PAGE_LINES = Math.min(1000, MAX_RANGE_LIMIT);

export type OnMatch = (step: string, line: Line, ranges: Range[]) => void;

/**
 * Scans `steps` of a job (in the given order) page by page through the generic store API,
 * handing each page to `matcher` (a search worker) and calling `onMatch` for each matching
 * line. Returns false when the budget stopped the scan. Each step is scanned up to the line
 * count in `job` (a snapshot: lines appended while we scan are not searched).
 */
export async function scanJob(
  store: LogStore,
  job: JobMeta,
  steps: readonly string[],
  matcher: BlockMatcher,
  budget: ScanBudget,
  onMatch: OnMatch,
): Promise<boolean> {
  const counts = new Map(job.steps.map((s) => [s.id, s.lines]));
  for (const step of steps) {
    const last = counts.get(step) ?? 0;
    for (let from = 1; from <= last; ) {
      const allowed = budget.available();
      if (allowed <= 0) return false;
      const count = Math.min(SCAN_PAGE_LINES, last - from + 1, allowed);
      const { lines } = await store.readLines(job.id, step, from, count);
      if (lines.length === 0) break; // the store has fewer lines than its metadata said
      const result = await matcher.match(
        lines.map((line) => line.text),
        budget.deadlineAt,
      );
      if (result === null) return false; // the worker was terminated at the deadline
      for (const [index, ranges] of result.hits) {
        const line = lines[index];
        if (line) onMatch(step, line, ranges);
      }
      budget.spend(result.scanned);
      if (result.scanned < lines.length) return false; // the clock ran out inside the page
      from += lines.length;
    }
  }
  return true;
}
