import 'server-only';
import { plainText } from '../ansi/plain';
import type { JobMeta, Line } from '../contracts';
import { MAX_RANGE_LIMIT } from '../contracts/lines';
import type { LogStore } from '../store/types';
import type { ScanBudget } from './budget';
import type { Matcher, Range } from './matcher';

/** Lines read per `readLines` call: the store's range cap, so memory stays one page per request. */
export const SCAN_PAGE_LINES = MAX_RANGE_LIMIT;
/** How often (in lines) the wall-time budget is checked inside a page: a page of long lines can take a while. */
const CLOCK_CHECK_LINES = 256;

export type OnMatch = (step: string, line: Line, ranges: Range[]) => void;

/**
 * Scans `steps` of a job (in the given order) page by page through the generic store API,
 * calling `onMatch` for each matching line. Returns false when the budget stopped the scan.
 * Each step is scanned up to the line count in `job` (a snapshot: lines appended while we
 * scan are not searched).
 */
export async function scanJob(
  store: LogStore,
  job: JobMeta,
  steps: readonly string[],
  matcher: Matcher,
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
      let scanned = 0;
      for (const line of lines) {
        if (scanned % CLOCK_CHECK_LINES === CLOCK_CHECK_LINES - 1 && budget.available() <= 0) break;
        scanned++;
        const ranges = matcher(plainText(line.text));
        if (ranges) onMatch(step, line, ranges);
      }
      budget.spend(scanned);
      if (scanned < lines.length) return false; // the clock ran out inside the page
      if (lines.length === 0) break; // the store has fewer lines than its metadata said
      from += lines.length;
    }
  }
  return true;
}
