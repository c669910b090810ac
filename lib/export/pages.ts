import 'server-only';
import type { Line } from '../contracts';
import type { LogStore } from '../store/types';

/** Lines asked of the store per range read while streaming a download or an export. */
export const STREAM_PAGE_LINES = 2000;
/**
 * Bytes of line text (lib/limits.ts `lineBytes`) one range read holds at most, so a request
 * streaming a log never holds more than about one page in memory (plus the one being sent),
 * whatever the size of the log or of its lines (a single line over the budget still comes
 * alone: a page holds at least one line).
 */
export const STREAM_PAGE_BYTES = 256 * 1024;

export interface StepPagesOptions {
  /** Last line to read (inclusive); default: until the step's last line as the store reports it. */
  to?: number;
  pageLines?: number;
  pageBytes?: number;
}

/**
 * One step's lines from line 1, page by page through the store's range reads: the shared
 * machinery of downloads (lib/download) and exports (lib/export). Pull-based: the next page is
 * read only when the consumer asks for it, so a slow client holds back the reads (backpressure).
 */
export async function* stepPages(store: LogStore, jobId: string, stepId: string, options: StepPagesOptions = {}): AsyncGenerator<Line[]> {
  const pageLines = options.pageLines ?? STREAM_PAGE_LINES;
  const pageBytes = options.pageBytes ?? STREAM_PAGE_BYTES;
  let next = 1;
  for (;;) {
    const limit = options.to === undefined ? pageLines : Math.min(pageLines, options.to - next + 1);
    if (limit <= 0) return;
    const range = await store.readLines(jobId, stepId, next, limit, pageBytes);
    const last = range.lines.at(-1)?.n;
    if (last === undefined) return;
    yield range.lines;
    next = last + 1;
    const end = options.to === undefined ? range.last : Math.min(options.to, range.last);
    if (next > end) return;
  }
}
