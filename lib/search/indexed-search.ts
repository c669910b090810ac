import 'server-only';
import { plainText } from '../ansi/plain';
import type { GlobalSearchResult } from '../contracts/search';
import { CANDIDATES_TIMED_OUT, type CandidateQuery, type SearchCandidate } from '../store/postgres/search';
import type { JobVisibility, LogStore } from '../store/types';
import type { ScanBudget } from './budget';
import { previewLine } from './line-preview';
import { matcherFor } from './matcher';
import type { CompiledQuery } from './pattern';

/** A store that finds candidate lines for a literal through an index (PostgreSQL's trigram index). */
export interface CandidateSource {
  searchCandidates(query: CandidateQuery): Promise<SearchCandidate[] | typeof CANDIDATES_TIMED_OUT | null>;
  countSearchJobs(label: [string, string] | null, since: number | null, from: string | null, to: string | null, visible?: JobVisibility): Promise<number>;
}

function isCandidateSource(store: LogStore): store is LogStore & CandidateSource {
  return 'searchCandidates' in store && typeof store.searchCandidates === 'function' && 'countSearchJobs' in store;
}

/** Candidates read per query past the first page. */
const CANDIDATE_BATCH = 1000;

export interface IndexedPosition {
  j: string;
  s: string;
  n: number;
}

/**
 * Global search of a literal through the store's index (lib/store/postgres/search.ts): candidate
 * lines come newest job first, each is checked with the search's matcher on its plain text (the
 * one semantics), and the search stops at the first match past `limit`, so `total` is then
 * `limit + 1` (a lower bound) and `next` goes on after the last match returned. Null when the
 * store has no such index or the query is a regex: the caller scans instead.
 */
export async function searchThroughIndex(
  store: LogStore,
  query: CompiledQuery,
  options: { q: string; limit: number },
  filters: {
    label: [string, string] | null;
    since: number | null;
    /** only these jobs (the reader's reach), and of them only the steps `mayReadStep` allows */
    visible?: JobVisibility | undefined;
    mayReadStep?: ((job: { id: string; labels: Readonly<Record<string, string>> }, step: string) => boolean) | undefined;
  },
  from: IndexedPosition | null,
  budget: ScanBudget,
): Promise<{ result: GlobalSearchResult; next: IndexedPosition | null } | null> {
  if (!isCandidateSource(store) || query.kind === 'regex') return null;
  const matcher = matcherFor(query);
  const needle = query.kind === 'substring' ? query.needle : options.q;
  const matches: GlobalSearchResult['matches'] = [];
  let total = 0;
  let after: IndexedPosition | null = from;
  let afterLast: IndexedPosition | null = null;
  let more = false;
  let stopped = false;
  for (let batch = options.limit + 1; ; batch = CANDIDATE_BATCH) {
    if (budget.available() <= 0) {
      stopped = true;
      break;
    }
    const rows = await store.searchCandidates({
      needle,
      caseSensitive: query.kind === 'substring',
      label: filters.label,
      since: filters.since,
      visible: filters.visible,
      after: after ? { job: after.j, step: after.s, n: after.n } : null,
      limit: batch,
      timeoutMs: budget.deadlineAt - Date.now(),
    });
    if (rows === null) return null;
    if (rows === CANDIDATES_TIMED_OUT) {
      budget.exhaust();
      stopped = true;
      break;
    }
    for (const row of rows) {
      if (filters.mayReadStep && !filters.mayReadStep({ id: row.job, labels: row.labels }, row.step)) {
        after = { j: row.job, s: row.step, n: row.line.n }; // another step of a job the reader sees: neither shown nor counted
        continue;
      }
      const ranges = matcher(plainText(row.line.text));
      if (ranges) {
        total++;
        if (matches.length >= options.limit) {
          more = true;
          break;
        }
        matches.push({ job: row.job, title: row.title, step: row.step, n: row.line.n, ...previewLine(row.line, ranges, (text) => plainText(text).length) });
        afterLast = { j: row.job, s: row.step, n: row.line.n };
      }
      after = { j: row.job, s: row.step, n: row.line.n };
    }
    budget.spend(rows.length);
    if (more || rows.length < batch) break;
  }
  const complete = !more && !stopped;
  const scannedJobs = await store.countSearchJobs(filters.label, filters.since, from?.j ?? null, complete ? null : (after?.j ?? from?.j ?? null), filters.visible);
  const next = more ? afterLast : stopped ? after : null;
  return { result: { matches, total, truncated: !complete, scannedJobs }, next };
}
