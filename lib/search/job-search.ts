import 'server-only';
import type { JobSearchResult } from '../contracts/search';
import { notFound } from '../errors';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { jobRanges, scanRanges, sidecarStore } from './file-scan';
import { compileQuery } from './pattern';
import { searchPool, type SearchRunner } from './pool';
import { scanJob } from './scan';

export interface JobSearchOptions {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  limit: number;
  /** only this step; default every step in job order */
  step?: string | undefined;
}

/**
 * `GET /jobs/{job}/search`: the first `limit` matching lines in job order, and how many lines
 * matched in all until the scan budget ran out. `truncated` = some matches are not returned,
 * or the log was not scanned to its end. The query is refused (400) before any wait for a
 * worker; the scan budget's clock starts once a worker is ours (unless a budget is given).
 * On the file store the worker scans each step's plain-text sidecar (file-scan.ts); on the
 * other backends it matches pages read through the store's range API (scan.ts).
 */
export async function searchJob(
  store: LogStore,
  jobId: string,
  options: JobSearchOptions,
  budget?: ScanBudget,
  runner: SearchRunner = searchPool(),
): Promise<JobSearchResult> {
  const query = compileQuery(options);
  const job = await store.getJob(jobId);
  if (!job) throw notFound('job');
  if (options.step !== undefined && !job.steps.some((s) => s.id === options.step)) throw notFound('step');
  const steps = options.step !== undefined ? [options.step] : job.steps.map((s) => s.id);
  const files = sidecarStore(store);
  return runner.run(query, async (matcher) => {
    const scan = budget ?? new ScanBudget();
    const matches: JobSearchResult['matches'] = [];
    let total = 0;
    if (files) {
      const ranges = jobRanges(job, steps);
      const results = await scanRanges(files, ranges, matcher, scan, options.limit);
      if (results === null) return { matches, total, truncated: true }; // the worker was terminated at the deadline
      for (const [i, result] of results.entries()) {
        const step = ranges[i]?.step ?? '';
        total += result.total;
        for (const [n, lineRanges] of result.hits) if (matches.length < options.limit) matches.push({ step, n, ranges: lineRanges });
      }
      const complete = results.length === ranges.length && results.every((r) => r.stoppedAt === null);
      return { matches, total, truncated: !complete || total > matches.length };
    }
    const complete = await scanJob(store, job, steps, matcher, scan, (step, line, ranges) => {
      total++;
      if (matches.length < options.limit) matches.push({ step, n: line.n, ranges });
    });
    return { matches, total, truncated: !complete || total > matches.length };
  });
}
