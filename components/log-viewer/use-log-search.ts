'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { JobSearchResult } from '@/lib/contracts/search';
import { isRunnable, matchCounter, stepMatch, type SearchOptions } from '@/lib/viewer/search';
import { ApiError, fetchJobSearch } from '@/lib/client/api';
import { useApiAuth } from './api-auth';
import { viewerKeys } from './query-keys';

/** Typing pauses this long before the search runs on its own (Enter runs it at once). */
const TYPE_DEBOUNCE_MS = 400;
/** Shorter queries run only on Enter: one letter matches most of a log. */
const DEBOUNCE_MIN_CHARS = 2;
/** A finished job's results stay valid; a running job's are a snapshot refreshed on a new search. */
const SEARCH_STALE_MS = 30_000;

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
  /** "k of N" or the server's error, as text */
  message: string;
  /** ranges per `${step}:${n}` of the loaded matches, for in-line marks */
  rangesByLine: ReadonlyMap<string, Ranges>;
  /** `${step}:${n}` of the current match */
  currentKey: string | null;
}

const NO_RANGES: ReadonlyMap<string, Ranges> = new Map();

function same(a: SearchOptions | null, b: SearchOptions): boolean {
  return a !== null && a.q === b.q && a.regex === b.regex && a.caseSensitive === b.caseSensitive;
}

/**
 * The in-log search: the typed query, the committed one (what React Query fetches), and the
 * current match. Going to a match calls `onGo`, which is the viewer's deep-link navigation.
 */
export function useLogSearch(opts: { apiBase: string; jobId: string; onlyStep?: string; onGo: (step: string, n: number) => void }): LogSearch {
  const { apiBase, jobId, onlyStep } = opts;
  const auth = useApiAuth();
  const [draft, setDraft] = useState<SearchOptions>({ q: '', regex: false, caseSensitive: false });
  const [committed, setCommitted] = useState<SearchOptions | null>(null);
  const [current, setCurrent] = useState<number | null>(null);
  // Direction of the jump to make once the committed query's results arrive.
  const pendingJump = useRef<1 | -1 | null>(null);
  const onGo = useRef(opts.onGo);
  onGo.current = opts.onGo;

  const query = useQuery({
    queryKey: viewerKeys.search(apiBase, jobId, onlyStep ?? null, committed?.q ?? '', committed?.regex ?? false, committed?.caseSensitive ?? false),
    queryFn: ({ signal }) => fetchJobSearch(apiBase, jobId, committed!, onlyStep, signal, auth),
    enabled: committed !== null,
    staleTime: SEARCH_STALE_MS,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
  const matches = committed ? query.data?.matches : undefined;

  const commit = useCallback((next: SearchOptions, direction: 1 | -1) => {
    if (!isRunnable(next)) return;
    setCommitted((prev) => (same(prev, next) ? prev : next));
    setCurrent(null);
    pendingJump.current = direction;
  }, []);

  useEffect(() => {
    if (!matches || pendingJump.current === null) return;
    const direction = pendingJump.current;
    pendingJump.current = null;
    const index = stepMatch(null, matches.length, direction);
    setCurrent(index);
    const m = index === null ? undefined : matches[index];
    if (m) onGo.current(m.step, m.n);
  }, [matches]);

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
      if (!matches) {
        // Still loading: jump once it arrives; a failed search is retried.
        pendingJump.current = direction;
        if (query.isError) void query.refetch();
        return;
      }
      const index = stepMatch(current, matches.length, direction);
      setCurrent(index);
      const m = index === null ? undefined : matches[index];
      if (m) onGo.current(m.step, m.n);
    },
    [committed, draft, matches, current, commit, query],
  );
  const clear = useCallback(() => {
    clearTimeout(timer.current);
    pendingJump.current = null;
    setDraft((d) => ({ ...d, q: '' }));
    setCommitted(null);
    setCurrent(null);
  }, []);

  const rangesByLine = useMemo(() => (matches ? new Map(matches.map((m) => [`${m.step}:${m.n}`, m.ranges])) : NO_RANGES), [matches]);
  const cur = current !== null ? matches?.[current] : undefined;

  let status: LogSearch['status'] = 'idle';
  let message = '';
  if (committed && query.isError && !matches) {
    status = 'error';
    const err = query.error;
    message = err instanceof ApiError ? err.detail || err.message : 'Search failed';
  } else if (committed && !matches) {
    status = 'searching';
    message = 'Searching…';
  } else if (committed && query.data) {
    status = 'done';
    message = matchCounter(current, query.data.total, query.data.matches.length, query.data.truncated);
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
  };
}
