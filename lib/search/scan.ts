import 'server-only';
import type { Line } from '../contracts';
import { MAX_RANGE_LIMIT } from '../contracts/lines';
import type { LogStore } from '../store/types';
import type { ScanBudget } from './budget';
import type { StepRange } from './file-scan';
import type { Range } from './matcher';
import type { BlockMatcher } from './pool';

/**
 * Lines read per `readLines` call and sent to the worker as one block. Reading and posting a
 * page is the request thread's share of a search: 1000 lines (a fifth of the store's range cap)
 * keeps each such slice short, so other requests wait less behind it.
 */
export const SCAN_PAGE_LINES = Math.min(1000, MAX_RANGE_LIMIT);

export type OnMatch = (step: string, line: Line, ranges: Range[]) => void;

/** Where a scan stopped: the range (its index) and its next line not scanned. */
export interface ScanStop {
  range: number;
  line: number;
}

/**
 * Scans step ranges of one job (in the given order) page by page through the generic store API,
 * handing each page to `matcher` (a search worker) and calling `onMatch` for each matching line.
 * Returns where the budget stopped the scan, or null when every range was scanned to its end
 * (`to`: a snapshot of the step's line count; lines appended while we scan are not searched).
 */
export async function scanSteps(
  store: LogStore,
  ranges: readonly StepRange[],
  matcher: BlockMatcher,
  budget: ScanBudget,
  onMatch: OnMatch,
): Promise<ScanStop | null> {
  for (const [index, range] of ranges.entries()) {
    for (let from = range.from; from <= range.to; ) {
      const allowed = budget.available();
      if (allowed <= 0) return { range: index, line: from };
      const count = Math.min(SCAN_PAGE_LINES, range.to - from + 1, allowed);
      const { lines } = await store.readLines(range.job, range.step, from, count);
      if (lines.length === 0) break; // the store has fewer lines than its metadata said
      const result = await matcher.match(
        lines.map((line) => line.text),
        budget.deadlineAt,
      );
      if (result === null) return { range: index, line: from }; // the worker was terminated at the deadline
      for (const [i, ranges] of result.hits) {
        const line = lines[i];
        if (line) onMatch(range.step, line, ranges);
      }
      budget.spend(result.scanned);
      if (result.scanned < lines.length) return { range: index, line: from + result.scanned }; // the clock ran out inside the page
      from += lines.length;
    }
  }
  return null;
}
