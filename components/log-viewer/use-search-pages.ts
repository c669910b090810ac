'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, fetchJobSearch } from '@/lib/client/api';
import type { SearchOptions } from '@/lib/viewer/search';
import { answerCount, LIVE_RECOUNT_MS, matchIn, mergeCount, pageOf, pagesSpanning, pageStart, pagesToEvict, replaceMatchLines, SEARCH_PAGE_MATCHES, type Count, type SearchMatch } from '@/lib/viewer/search-pages';
import type { LiveTail } from '@/lib/viewer/live-tail';
import { useApiAuth } from './api-auth';

interface Page {
  number: number;
  matches: SearchMatch[];
  /** the count generation it was fetched in: older ones are shown until replaced */
  gen: number;
}

export interface SearchPages {
  /** matching lines counted by the newest answer; null until the first page arrived */
  total: number | null;
  /** `total` is the true count (the server scanned to the end) */
  exact: boolean;
  /** the first page failed (and nothing is known) */
  error: unknown;
  /** the match at `index` if its page is loaded */
  match(index: number): SearchMatch | undefined;
  /** loads the page of `index` (if needed) and resolves with its match */
  load(index: number): Promise<SearchMatch | undefined>;
  /** the filter list shows matches `first`..`last`: load their pages, keep them */
  show(first: number, last: number): void;
  /** retries after an error */
  retry(): void;
  /** every loaded match (a bounded window of pages), for in-line marks */
  loaded: readonly SearchMatch[];
}

const NO_MATCHES: readonly SearchMatch[] = [];

/**
 * The committed query's matches as a window of pages fetched from the job search API
 * (lib/viewer/search-pages.ts): page 0 gives the count; others are fetched when next/previous or
 * the filter list reach them; at most MAX_SEARCH_PAGES stay. While the job runs, new lines are
 * counted by the server: at most every LIVE_RECOUNT_MS once lines arrived, the pages in use are
 * fetched again (one request in flight), which brings the new count and the new matches.
 * Redrawn lines (issue 13) replace the lines of loaded matches at once and count as a change:
 * a redraw can make a line match, or stop matching.
 */
export function useSearchPages(opts: {
  apiBase: string;
  jobId: string;
  onlyStep?: string | undefined;
  query: SearchOptions | null;
  /** lines the viewer knows of (grows as a running job's lines arrive) */
  lineCount: number;
  /** the live lines: their redraws patch the loaded matches */
  tail?: LiveTail | undefined;
}): SearchPages {
  const { apiBase, jobId, onlyStep, query, tail } = opts;
  // Read at fetch time: a host may pass a new but equal credential object on every render.
  const currentAuth = useApiAuth();
  const auth = useRef(currentAuth);
  useEffect(() => {
    auth.current = currentAuth;
  });
  const [, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const state = useRef({
    pages: new Map<number, Page>(),
    inFlight: new Map<string, Promise<Page | null>>(),
    count: null as Count | null,
    error: null as unknown,
    gen: 0,
    focus: [] as number[],
    controller: new AbortController(),
  });

  const fetchPage = useCallback(
    (number: number): Promise<Page | null> => {
      const s = state.current;
      if (!query) return Promise.resolve(null);
      const gen = s.gen;
      const key = `${gen}:${number}`;
      const pending = s.inFlight.get(key);
      if (pending) return pending;
      const signal = s.controller.signal;
      const start = pageStart(number, s.pages.get(number - 1), gen);
      const request = fetchJobSearch(apiBase, jobId, query, onlyStep, signal, auth.current, { ...start, limit: SEARCH_PAGE_MATCHES, lines: true })
        .then((answer): Page | null => {
          if (signal.aborted) return null;
          const page: Page = { number, matches: answer.matches, gen };
          s.pages.set(number, page);
          s.count = mergeCount(s.count, answerCount(number, start, answer, gen));
          s.error = null;
          for (const gone of pagesToEvict([...s.pages.keys()], [...s.focus, number])) s.pages.delete(gone);
          bump();
          return page;
        })
        .catch((error: unknown): null => {
          if (signal.aborted) return null;
          if (s.count === null) s.error = error;
          bump();
          return null;
        })
        .finally(() => s.inFlight.delete(key));
      s.inFlight.set(key, request);
      return request;
    },
    [apiBase, jobId, onlyStep, query, bump],
  );

  // Lines the count covers: those known when its search was sent (a baseline, not exact: lines
  // in flight may be counted twice, which costs one more count, never a wrong one).
  // Redraws seen while a query is committed: each is a change to count again, like new lines.
  const [redraws, setRedraws] = useState(0);
  const lineCount = opts.lineCount + redraws;
  const counted = useRef({ at: 0, lines: lineCount, running: false });
  const lines = useRef(lineCount);
  lines.current = lineCount;
  const [recounted, setRecounted] = useState(0);

  // A new query starts from nothing: page 0 brings the count.
  useEffect(() => {
    const s = state.current;
    s.controller.abort();
    s.controller = new AbortController();
    s.pages.clear();
    s.inFlight.clear();
    s.count = null;
    s.error = null;
    s.gen++;
    s.focus = [0];
    counted.current = { at: Date.now(), lines: lines.current, running: false };
    bump();
    if (query) void fetchPage(0);
  }, [query, fetchPage, bump]);
  useEffect(() => () => state.current.controller.abort(), []);

  // Lines arrived since the last count (a running job) → count again: the pages in use are
  // fetched anew, at most every LIVE_RECOUNT_MS and one round at a time.
  useEffect(() => {
    const s = state.current;
    const last = counted.current;
    if (!query || s.count === null || lineCount === last.lines || last.running) return;
    const timer = setTimeout(() => {
      last.at = Date.now();
      last.lines = lines.current;
      last.running = true;
      s.gen++;
      const pages = s.focus.length > 0 ? s.focus : [0];
      void Promise.all(pages.map((p) => fetchPage(p))).finally(() => {
        last.running = false;
        setRecounted((n) => n + 1);
      });
    }, Math.max(0, last.at + LIVE_RECOUNT_MS - Date.now()));
    return () => clearTimeout(timer);
  }, [query, lineCount, fetchPage, recounted]);

  const queryRef = useRef(query);
  queryRef.current = query;
  useEffect(() => {
    if (!tail) return;
    return tail.onReplace((step, lines) => {
      if (!queryRef.current) return;
      const s = state.current;
      const byN = new Map(lines.map((l) => [l.n, l]));
      for (const [number, page] of s.pages) {
        const matches = replaceMatchLines(page.matches, step, byN);
        if (matches) s.pages.set(number, { ...page, matches });
      }
      setRedraws((r) => r + 1);
    });
  }, [tail]);

  const match = useCallback((index: number) => {
    const page = state.current.pages.get(pageOf(index));
    return page ? (matchIn(page, index) ?? undefined) : undefined;
  }, []);

  const load = useCallback(
    async (index: number) => {
      const s = state.current;
      const number = pageOf(index);
      s.focus = [number];
      const page = s.pages.get(number);
      if (page && page.gen === s.gen) return matchIn(page, index) ?? undefined;
      const fetched = (await fetchPage(number)) ?? page;
      return fetched ? (matchIn(fetched, index) ?? undefined) : undefined;
    },
    [fetchPage],
  );

  const show = useCallback(
    (first: number, last: number) => {
      const s = state.current;
      if (s.count === null) return;
      const pages = pagesSpanning(first, last, s.count.total);
      s.focus = pages;
      for (const p of pages) {
        const page = s.pages.get(p);
        if (!page || page.gen < s.gen) void fetchPage(p);
      }
    },
    [fetchPage],
  );

  const retry = useCallback(() => {
    state.current.error = null;
    void fetchPage(0);
  }, [fetchPage]);

  const s = state.current;
  // (redraws: a page whose lines were replaced keeps its number and generation)
  const loadedKey = [...s.pages.values()].map((p) => `${p.number}.${p.gen}`).join(',') + (s.pages.size > 0 ? `/${redraws}` : '');
  const loaded = useMemo(
    () => (loadedKey ? [...state.current.pages.values()].sort((a, b) => a.number - b.number).flatMap((p) => p.matches) : NO_MATCHES),
    [loadedKey],
  );
  return { total: s.count?.total ?? null, exact: s.count?.exact ?? true, error: s.error, match, load, show, retry, loaded };
}

/** A search error as the user reads it: the server's own message when it sent one. */
export function searchErrorText(error: unknown): string {
  return error instanceof ApiError ? error.detail || error.message : 'Search failed';
}
