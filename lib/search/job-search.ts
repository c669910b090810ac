import 'server-only';
import { plainText } from '../ansi/plain';
import { parseSearchCursor, searchCursor, type JobSearchResult } from '../contracts/search';
import { badRequest, notFound } from '../errors';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { jobRanges, scanRanges, sidecarStore, type StepRange } from './file-scan';
import { readHitLines } from './hit-lines';
import { cutText } from './line-preview';
import type { Range } from './matcher';
import { compileQuery } from './pattern';
import { searchPool, type SearchRunner } from './pool';
import { scanSteps } from './scan';

export interface JobSearchOptions {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  limit: number;
  /** only this step; default every step in job order */
  step?: string | undefined;
  /** matching lines passed over (counted) before the first kept, in job order */
  offset?: number | undefined;
  /** `<step>:<n>`: scan only the lines after this one (job order); not with `offset` */
  after?: string | undefined;
  /** each match carries its stored line, cut like the global search's (line-preview.ts) */
  lines?: boolean | undefined;
}

/** The step ranges a search scans: every step (or `step`) from line 1, or from just after the cursor. */
function rangesAfter(ranges: StepRange[], after: string | undefined): StepRange[] {
  if (after === undefined) return ranges;
  const cursor = parseSearchCursor(after);
  const at = ranges.findIndex((r) => r.step === cursor.step);
  if (at < 0) throw badRequest(`after: step ${cursor.step} is not searched`);
  return ranges.slice(at).map((r, i) => (i === 0 ? { ...r, from: cursor.n + 1 } : r));
}

type Hit = { step: string; n: number; ranges: Range[] };

/**
 * `GET /jobs/{job}/search`: a page of matching lines in job order (`limit` of them after the
 * first `offset`, or after the cursor `after`), and how many lines matched in all until the scan
 * budget ran out. `exact` = the scan reached the end of every step, so `total` is the true count
 * (of the log as it was when the scan began); `truncated` = matches exist past this page, or the
 * count is not exact. `next` (a cursor) is present when matches follow the page's last one.
 * The query is refused (400) before any wait for a worker; the scan budget's clock starts once a
 * worker is ours (unless a budget is given). On the file store the worker scans each step's
 * plain-text sidecar (file-scan.ts); on the other backends it matches pages read through the
 * store's range API (scan.ts). Only the kept page's lines are held, whatever `offset` is.
 */
export async function searchJob(
  store: LogStore,
  jobId: string,
  options: JobSearchOptions,
  budget?: ScanBudget,
  runner: SearchRunner = searchPool(),
): Promise<JobSearchResult> {
  if (options.offset !== undefined && options.after !== undefined) throw badRequest('offset and after cannot be combined');
  const query = compileQuery(options);
  const job = await store.getJob(jobId);
  if (!job) throw notFound('job');
  if (options.step !== undefined && !job.steps.some((s) => s.id === options.step)) throw notFound('step');
  const steps = options.step !== undefined ? [options.step] : job.steps.map((s) => s.id);
  const ranges = rangesAfter(jobRanges(job, steps), options.after);
  const skip = options.offset ?? 0;
  const files = sidecarStore(store);
  const { hits, total, complete } = await runner.run(query, async (matcher) => {
    const scan = budget ?? new ScanBudget();
    const hits: Hit[] = [];
    let total = 0;
    if (files) {
      const results = await scanRanges(files, ranges, matcher, scan, options.limit, skip);
      if (results === null) return { hits, total, complete: false }; // the worker was terminated at the deadline
      for (const [i, result] of results.entries()) {
        const step = ranges[i]?.step ?? '';
        total += result.total;
        for (const [n, lineRanges] of result.hits) hits.push({ step, n, ranges: lineRanges });
      }
      const complete = results.length === ranges.length && results.every((r) => r.stoppedAt === null);
      return { hits, total, complete };
    }
    const stop = await scanSteps(store, ranges, matcher, scan, (step, line, lineRanges) => {
      total++;
      if (total > skip && hits.length < options.limit) hits.push({ step, n: line.n, ranges: lineRanges });
    });
    return { hits, total, complete: stop === null };
  });
  const matches: JobSearchResult['matches'] = options.lines ? await withLines(store, jobId, hits) : hits;
  const more = total > skip + matches.length;
  const result: JobSearchResult = { matches, total, truncated: !complete || more, exact: complete, offset: Math.min(skip, total) };
  const last = matches[matches.length - 1];
  if (last && (more || !complete)) result.next = searchCursor(last.step, last.n);
  return result;
}

/**
 * The hits with their stored lines, read back per step and cut as they are read (line-preview.ts
 * cutText: the global search's bound), ranges clipped to the text kept.
 */
async function withLines(store: LogStore, jobId: string, hits: Hit[]): Promise<JobSearchResult['matches']> {
  const out: JobSearchResult['matches'] = [];
  for (let i = 0; i < hits.length; ) {
    const step = hits[i]!.step;
    let end = i;
    while (end < hits.length && hits[end]!.step === step) end++;
    const group = hits.slice(i, end);
    const lines = await readHitLines(store, jobId, step, group.map((h) => h.n), (line) => ({ ...line, text: cutText(line.text) }));
    for (const [k, hit] of group.entries()) {
      const line = lines[k];
      if (!line) {
        out.push(hit);
        continue;
      }
      const visible = plainText(line.text).length;
      const ranges = hit.ranges.filter(([from]) => from < visible).map(([from, to]): Range => [from, Math.min(to, visible)]);
      out.push({ ...hit, ranges, line });
    }
    i = end;
  }
  return out;
}
