'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JobSearchResult } from '@/lib/contracts/search';
import { isRunnable, stepMatch, type SearchOptions } from '@/lib/viewer/search';
import { matchStatus } from '@/lib/viewer/search-pages';
import type { LiveTail } from '@/lib/viewer/live-tail';
import { searchErrorText, useSearchPages, type SearchPages } from './use-search-pages';

/** Typing pauses this long before the search runs on its own (Enter runs it at once). */
const TYPE_DEBOUNCE_MS = 400;
/** Shorter queries run only on Enter: one letter matches most of a log. */
const DEBOUNCE_MIN_CHARS = 2;

export type Ranges = JobSearchResult['matches'][number]['ranges'];

export interface LogSearch {
  draft: SearchOptions;
  setText: (q: string) => void;
  toggleRegex: () => void;
  toggleCase: () => void;
  /** Enter / F3: run a changed query, else go to the next (1) or previous (-1) match */
  go: (direction: 1 | -1) => void;
  clear: () => void;
  status: 'idle' | 'searching' | 'error' | 'done';
  /** "k of N" (or "k of ≥ N" when the count is a lower bound), or the server's error, as text */
  message: string;
  /** ranges per `${step}:${n}` of the loaded matches, for in-line marks */
  rangesByLine: ReadonlyMap<string, Ranges>;
  /** `${step}:${n}` of the current match */
  currentKey: string | null;
  /** index (job order) of the current match, or null */
  current: number | null;
  /** "Only matching lines": the log shows the matches alone (search-filter.tsx) */
  filter: boolean;
  toggleFilter: () => void;
  /** leaves filter mode for the full log at match `index` */
  openMatch: (index: number) => void;
  /** the committed query's match pages (null: nothing searched) */
  pages: SearchPages | null;
}

const NO_RANGES: ReadonlyMap<string, Ranges> = new Map();

function same(a: SearchOptions | null, b: SearchOptions): boolean {
  return a !== null && a.q === b.q && a.regex === b.regex && a.caseSensitive === b.caseSensitive;
}

/**
 * The in-log search: the typed query, the committed one (whose matches use-search-pages.ts pages
 * in from the server), the current match as an index into every match of the log, and the filter
 * mode. Going to a match calls `onGo`, which is the viewer's deep-link navigation.
 */
export function useLogSearch(opts: { apiBase: string; jobId: string; onlyStep?: string; lineCount: number; tail?: LiveTail; onGo: (step: string, n: number) => void }): LogSearch {
  const { apiBase, jobId, onlyStep, lineCount, tail } = opts;
  const [draft, setDraft] = useState<SearchOptions>({ q: '', regex: false, caseSensitive: false });
  const [committed, setCommitted] = useState<SearchOptions | null>(null);
  const [current, setCurrent] = useState<number | null>(null);
  const [filter, setFilter] = useState(false);
  // Direction of the jump to make once the committed query's count arrives.
  const pendingJump = useRef<1 | -1 | null>(null);
  // The newest jump asked for: an older page arriving later does not move the view.
  const lastJump = useRef(0);
  const onGo = useRef(opts.onGo);
  useEffect(() => {
    onGo.current = opts.onGo;
  });

  const pages = useSearchPages({ apiBase, jobId, onlyStep, query: committed, lineCount, tail });
  const { total, load } = pages;

  const goTo = useCallback(
    /** `navigate`: show it in the log (not while filter mode is the view); `orFirst`: no such match → the first */
    (index: number, navigate: boolean, orFirst = false) => {
      const jump = ++lastJump.current;
      setCurrent(index);
      void load(index).then((m) => {
        if (jump !== lastJump.current) return;
        if (m && navigate) onGo.current(m.step, m.n);
        else if (!m && orFirst) goTo(0, navigate); // past the last match after all: wrap
      });
    },
    [load],
  );

  const commit = useCallback((next: SearchOptions, direction: 1 | -1) => {
    if (!isRunnable(next)) return;
    setCommitted((prev) => (same(prev, next) ? prev : next));
    setCurrent(null);
    pendingJump.current = direction;
  }, []);

  useEffect(() => {
    if (total === null || pendingJump.current === null) return;
    const direction = pendingJump.current;
    pendingJump.current = null;
    const index = stepMatch(null, total, direction);
    // In filter mode the list is the view: no jump in the log behind it.
    if (index !== null) goTo(index, !filter);
    else setCurrent(index);
  }, [total, goTo, filter]);

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const setText = useCallback(
    (q: string) => {
      const next = { ...draft, q };
      setDraft(next);
      clearTimeout(timer.current);
      if (q.trim().length >= DEBOUNCE_MIN_CHARS) timer.current = setTimeout(() => commit(next, 1), TYPE_DEBOUNCE_MS);
    },
    [draft, commit],
  );
  const toggle = useCallback(
    (key: 'regex' | 'caseSensitive') => {
      const next = { ...draft, [key]: !draft[key] };
      setDraft(next);
      if (committed) commit(next, 1);
    },
    [draft, committed, commit],
  );
  const go = useCallback(
    (direction: 1 | -1) => {
      clearTimeout(timer.current);
      if (!same(committed, draft)) return commit(draft, direction);
      if (total === null) {
        // Still counting: jump once the count arrives; a failed search is retried.
        pendingJump.current = direction;
        if (pages.error) pages.retry();
        return;
      }
      // A lower-bound count: past the last match counted, look for more before wrapping.
      const beyond = !pages.exact && direction > 0 && current === total - 1;
      const index = beyond ? total : stepMatch(current, total, direction);
      if (index === null) return;
      goTo(index, !filter, beyond);
    },
    [committed, draft, total, current, commit, pages, goTo, filter],
  );
  const clear = useCallback(() => {
    clearTimeout(timer.current);
    pendingJump.current = null;
    setDraft((d) => ({ ...d, q: '' }));
    setCommitted(null);
    setCurrent(null);
    setFilter(false);
  }, []);
  const toggleFilter = useCallback(() => {
    setFilter((on) => !on);
    // Turning it on runs what is typed, if it was not run yet.
    if (!filter && !same(committed, draft) && isRunnable(draft)) {
      clearTimeout(timer.current);
      setCommitted(draft);
      setCurrent(null);
    }
  }, [filter, committed, draft]);

  const openMatch = useCallback(
    (index: number) => {
      setFilter(false);
      goTo(index, true);
    },
    [goTo],
  );

  const { loaded } = pages;
  const rangesByLine = useMemo(() => (committed && loaded.length > 0 ? new Map(loaded.map((m) => [`${m.step}:${m.n}`, m.ranges])) : NO_RANGES), [committed, loaded]);
  const cur = current !== null ? pages.match(current) : undefined;

  let status: LogSearch['status'] = 'idle';
  let message = '';
  if (committed && pages.error && total === null) {
    status = 'error';
    message = searchErrorText(pages.error);
  } else if (committed && total === null) {
    status = 'searching';
    message = 'Searching…';
  } else if (committed && total !== null) {
    status = 'done';
    message = matchStatus(current, total, pages.exact);
  }

  return {
    draft,
    setText,
    toggleRegex: () => toggle('regex'),
    toggleCase: () => toggle('caseSensitive'),
    go,
    clear,
    status,
    message,
    rangesByLine,
    currentKey: cur ? `${cur.step}:${cur.n}` : null,
    current,
    filter,
    toggleFilter,
    openMatch,
    pages: committed ? pages : null,
  };
}
