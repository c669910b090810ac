import 'server-only';
import { plainText } from '../ansi/plain';
import type { GlobalSearchResult } from '../contracts/search';
import { badRequest, isAppError } from '../errors';
import type { LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { previewLine } from './line-preview';
import { compileQuery } from './pattern';
import { searchPool, type BlockMatcher, type SearchRunner } from './pool';
import { scanJob } from './scan';

/** Jobs listed per `listJobs` page while walking newest first. */
const JOB_PAGE = 100;

export interface GlobalSearchOptions {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
  limit: number;
  /** `key:value`, exact match on one label */
  label?: string | undefined;
  /** ms since the epoch or ISO-8601: only jobs created at or after it */
  since?: string | undefined;
}

/** `since` as ms since the epoch: digits are ms, anything else must parse as an ISO-8601 date. */
export function parseSince(since: string): number {
  const ms = /^\d{1,16}$/.test(since) ? Number(since) : /^\d{4}-\d{2}-\d{2}/.test(since) ? Date.parse(since) : NaN;
  if (!Number.isFinite(ms)) throw badRequest('since must be ms since the epoch or an ISO-8601 date');
  return ms;
}

function parseLabel(label: string): [string, string] {
  const at = label.indexOf(':');
  if (at < 1) throw badRequest('label is key:value');
  return [label.slice(0, at), label.slice(at + 1)];
}

/**
 * `GET /search`: jobs newest first (filtered by label and since), each searched in job order
 * with one scan budget shared by the whole request and one search worker (pool.ts). Matches carry the stored line, cut to
 * LINE_PREVIEW_CHARS (ranges beyond the cut are dropped).
 */
export async function searchAll(
  store: LogStore,
  options: GlobalSearchOptions,
  budget?: ScanBudget,
  runner: SearchRunner = searchPool(),
): Promise<GlobalSearchResult> {
  const query = compileQuery(options);
  const since = options.since !== undefined ? parseSince(options.since) : null;
  const label = options.label !== undefined ? parseLabel(options.label) : null;
  return runner.run(query, (matcher) => walkJobs(store, options, since, label, matcher, budget ?? new ScanBudget()));
}

async function walkJobs(
  store: LogStore,
  options: GlobalSearchOptions,
  since: number | null,
  label: [string, string] | null,
  matcher: BlockMatcher,
  budget: ScanBudget,
): Promise<GlobalSearchResult> {
  const matches: GlobalSearchResult['matches'] = [];
  let total = 0;
  let scannedJobs = 0;
  let complete = true;
  let before: string | undefined;
  walk: for (;;) {
    // Listing is work too (a label that no job has still walks every page).
    if (budget.available() <= 0) {
      complete = false;
      break;
    }
    const page = await store.listJobs({ limit: JOB_PAGE, ...(before !== undefined ? { before } : {}) });
    for (const summary of page.jobs) {
      if (since !== null && summary.createdAt < since) break walk; // newest first: the rest are older
      if (label && summary.labels[label[0]] !== label[1]) continue;
      if (budget.available() <= 0) {
        complete = false;
        break walk;
      }
      const job = await store.getJob(summary.id);
      if (!job) continue; // deleted between the list and now
      scannedJobs++;
      try {
        const done = await scanJob(store, job, job.steps.map((s) => s.id), matcher, budget, (step, line, ranges) => {
          total++;
          if (matches.length >= options.limit) return;
          const preview = previewLine(line, ranges, (text) => plainText(text).length);
          matches.push({ job: job.id, title: job.title, step, n: line.n, ...preview });
        });
        if (!done) {
          complete = false;
          break walk;
        }
      } catch (error) {
        if (isAppError(error) && error.code === 'not_found') continue; // a job or step gone mid-scan
        throw error;
      }
    }
    if (page.next === null) break;
    before = page.next;
  }
  return { matches, total, truncated: !complete || total > matches.length, scannedJobs };
}
