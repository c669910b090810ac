import 'server-only';
import type { JobSearchResult } from '../contracts/search';
import { notFound } from '../errors';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { compileMatcher } from './matcher';
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
 * or the log was not scanned to its end.
 */
export async function searchJob(store: LogStore, jobId: string, options: JobSearchOptions, budget = new ScanBudget()): Promise<JobSearchResult> {
  const matcher = compileMatcher(options);
  const job = await store.getJob(jobId);
  if (!job) throw notFound('job');
  if (options.step !== undefined && !job.steps.some((s) => s.id === options.step)) throw notFound('step');
  const steps = options.step !== undefined ? [options.step] : job.steps.map((s) => s.id);
  const matches: JobSearchResult['matches'] = [];
  let total = 0;
  const complete = await scanJob(store, job, steps, matcher, budget, (step, line, ranges) => {
    total++;
    if (matches.length < options.limit) matches.push({ step, n: line.n, ranges });
  });
  return { matches, total, truncated: !complete || total > matches.length };
}
