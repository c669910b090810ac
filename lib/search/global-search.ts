import 'server-only';
import { z } from 'zod';
import { plainText } from '../ansi/plain';
import type { JobMeta, Line } from '../contracts';
import type { GlobalSearchResult } from '../contracts/search';
import { badRequest, isAppError } from '../errors';
import type { JobVisibility, LogStore } from '../store/types';
import { ScanBudget } from './budget';
import { scanRanges, sidecarStore, type StepRange } from './file-scan';
import { searchThroughIndex } from './indexed-search';
import { readHitLines } from './hit-lines';
import { previewLine } from './line-preview';
import type { Range } from './matcher';
import { compileQuery } from './pattern';
import { searchPool, type BlockMatcher, type SearchRunner } from './pool';
import { scanSteps } from './scan';

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
  /** `next` of a previous answer: go on after it */
  cursor?: string | undefined;
  /** only the jobs the reader may see (lib/access `listVisibility`); absent: every job */
  visible?: JobVisibility | undefined;
  /** of those, the steps it may read (a step link reads one step); absent: every step */
  mayReadStep?: ((job: { id: string; labels: Readonly<Record<string, string>> }, step: string) => boolean) | undefined;
}

/** The access part of the options, as the walks take it. */
type Reach = Pick<GlobalSearchOptions, 'visible' | 'mayReadStep'>;

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
 * A position in the walk: the `listJobs` page token that lists job `j` (null: the first page),
 * and line `n` of its step `s`, the last line dealt with (the search goes on after it).
 */
const positionSchema = z.object({ p: z.string().max(200).nullable(), j: z.string().max(200), s: z.string().max(200), n: z.number().int().nonnegative() });
export type SearchPosition = z.infer<typeof positionSchema>;

export function encodeCursor(position: SearchPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string): SearchPosition {
  try {
    return positionSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('invalid cursor');
  }
}

/**
 * `GET /search`: jobs newest first (filtered by label and since), each searched in job order
 * with one scan budget shared by the whole request and one search worker (pool.ts). Matches
 * carry the stored line, cut to LINE_PREVIEW_CHARS (ranges beyond the cut are dropped). The
 * file store's steps are scanned through their sidecars (file-scan.ts), the other backends'
 * through the range API (scan.ts), a page of JOB_PAGE jobs at a time: once a page holds more
 * than `limit` matches the search ends with it (`total` counts the matches of the lines scanned).
 * A truncated answer that can go on carries `next`: the position after its last match, or where
 * the budget stopped the scan. PostgreSQL answers a literal through its index (indexed-search.ts).
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
  const from = options.cursor !== undefined ? decodeCursor(options.cursor) : null;
  if (from === null || (from.p === null && from.j !== '')) {
    // PostgreSQL: a literal through its trigram index, without a worker (the database does the work).
    const indexed = await searchThroughIndex(store, query, options, { label, since, visible: options.visible, mayReadStep: options.mayReadStep }, from, budget ?? new ScanBudget());
    if (indexed) {
      if (indexed.next) indexed.result.next = encodeCursor({ p: null, ...indexed.next });
      return indexed.result;
    }
  }
  return runner.run(query, (matcher) => walkJobs(store, options, since, label, from, matcher, budget ?? new ScanBudget()));
}

/** The steps of `job` the reader may read, in job order; resumed after `from` when it names this job. */
function rangesOf(job: JobMeta, from: SearchPosition | null, reach: Reach): StepRange[] {
  const mayRead = reach.mayReadStep;
  let steps = mayRead ? job.steps.filter((s) => mayRead(job, s.id)) : job.steps;
  let first = 1;
  if (from && from.j === job.id) {
    const at = steps.findIndex((s) => s.id === from.s);
    if (at < 0) throw badRequest('invalid cursor: no such step');
    steps = steps.slice(at);
    first = from.n + 1;
  }
  return steps.map((step, i) => ({ job: job.id, step: step.id, from: i === 0 ? first : 1, to: step.lines }));
}

async function walkJobs(
  store: LogStore,
  options: GlobalSearchOptions,
  since: number | null,
  label: [string, string] | null,
  from: SearchPosition | null,
  matcher: BlockMatcher,
  budget: ScanBudget,
): Promise<GlobalSearchResult> {
  const files = sidecarStore(store);
  const matches: GlobalSearchResult['matches'] = [];
  let total = 0;
  let scannedJobs = 0;
  /** after the last match returned */
  let afterLast: SearchPosition | null = null;
  /** where the scan stopped before the end */
  let stopped: SearchPosition | null = null;
  let token: string | null = from?.p ?? null;
  let resume = from;
  walk: for (;;) {
    // Listing is work too (a label that no job has still walks every page).
    if (budget.available() <= 0) {
      stopped = resume ?? { p: token, j: '', s: '', n: 0 }; // `j` empty: from the start of page `p`
      break;
    }
    const page = await store.listJobs({
      limit: JOB_PAGE,
      ...(token !== null ? { before: token } : {}),
      ...(options.visible !== undefined ? { visible: options.visible } : {}),
    });
    let jobs = page.jobs;
    if (resume && resume.j !== '') {
      const id = resume.j;
      const at = jobs.findIndex((j) => j.id === id);
      if (at < 0) throw badRequest('invalid cursor: no such job');
      jobs = jobs.slice(at);
    }
    const batch: { job: JobMeta; ranges: StepRange[] }[] = [];
    let ended = false;
    for (const summary of jobs) {
      if (since !== null && summary.createdAt < since) {
        ended = true; // newest first: the rest are older
        break;
      }
      if (label && summary.labels[label[0]] !== label[1]) continue;
      const job = await store.getJob(summary.id);
      if (!job) continue; // deleted between the list and now
      const ranges = rangesOf(job, resume, options);
      resume = null;
      if (files) {
        batch.push({ job, ranges }); // scanned below, the whole page in one worker request
        continue;
      }
      if (budget.available() <= 0) {
        stopped = { p: token, j: job.id, s: ranges[0]?.step ?? '', n: (ranges[0]?.from ?? 1) - 1 };
        break walk;
      }
      scannedJobs++;
      const onMatch = (step: string, line: Line | null, lineRanges: Range[]) => {
        total++;
        if (line === null || matches.length >= options.limit) return;
        const preview = previewLine(line, lineRanges, (text) => plainText(text).length);
        matches.push({ job: job.id, title: job.title, step, n: line.n, ...preview });
        afterLast = { p: token, j: job.id, s: step, n: line.n };
      };
      try {
        const stop = await scanSteps(store, ranges, matcher, budget, onMatch);
        if (stop) {
          const range = ranges[stop.range];
          stopped = { p: token, j: job.id, s: range?.step ?? '', n: stop.line - 1 };
          break walk;
        }
      } catch (error) {
        if (isAppError(error) && error.code === 'not_found') continue; // a job or step gone mid-scan
        throw error;
      }
    }
    if (files && batch.length > 0) {
      const ranges = batch.flatMap((b) => b.ranges);
      const jobOf = batch.flatMap((b) => b.ranges.map(() => b.job));
      const results = await scanRanges(files, ranges, matcher, budget, Math.max(0, options.limit - matches.length));
      if (results === null) {
        const first = ranges[0];
        stopped = { p: token, j: batch[0]?.job.id ?? '', s: first?.step ?? '', n: (first?.from ?? 1) - 1 };
        break walk;
      }
      const scanned = new Set<string>();
      for (const [i, result] of results.entries()) {
        const range = ranges[i];
        const job = jobOf[i];
        if (!range || !job) break;
        scanned.add(job.id);
        const lines = await readHitLines(files, range.job, range.step, result.hits.map(([n]) => n));
        for (const [k, [, hitRanges]] of result.hits.entries()) {
          total++;
          const line = lines[k];
          if (!line || matches.length >= options.limit) continue;
          matches.push({ job: job.id, title: job.title, step: range.step, n: line.n, ...previewLine(line, hitRanges, (text) => plainText(text).length) });
          afterLast = { p: token, j: job.id, s: range.step, n: line.n };
        }
        total += result.total - result.hits.length; // matches past the kept hits are only counted
        if (result.stoppedAt !== null) {
          stopped = { p: token, j: job.id, s: range.step, n: result.stoppedAt - 1 };
          break;
        }
      }
      if (!stopped && results.length < ranges.length) {
        const range = ranges[results.length];
        stopped = { p: token, j: range?.job ?? '', s: range?.step ?? '', n: (range?.from ?? 1) - 1 };
      }
      scannedJobs += stopped ? scanned.size : batch.length;
      if (stopped) break walk;
    }
    if (ended) break;
    // `limit` reached, and more matches found: the rest of the jobs is for `next`.
    if (total > matches.length) break;
    if (page.next === null) break;
    token = page.next;
  }
  const more = total > matches.length;
  const next: SearchPosition | null = more ? afterLast : stopped;
  const result: GlobalSearchResult = { matches, total, truncated: stopped !== null || more, scannedJobs };
  if (next) result.next = encodeCursor(next);
  return result;
}

