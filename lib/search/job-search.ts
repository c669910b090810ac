import 'server-only';
import type { JobSearchResult } from '../contracts/search';
import { notFound } from '../errors';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
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
  return runner.run(query, async (matcher) => {
    const matches: JobSearchResult['matches'] = [];
    let total = 0;
    const complete = await scanJob(store, job, steps, matcher, budget ?? new ScanBudget(), (step, line, ranges) => {
      total++;
      if (matches.length < options.limit) matches.push({ step, n: line.n, ranges });
    });
    return { matches, total, truncated: !complete || total > matches.length };
  });
}
