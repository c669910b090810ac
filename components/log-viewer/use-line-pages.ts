'use client';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useQueries, type QueryClient } from '@tanstack/react-query';
import type { Line } from '@/lib/contracts';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import type { LiveTail } from '@/lib/viewer/live-tail';
import { densePrefix, pageFirstLine, pageOf, replaceInPage, replacementsByPage, type PageRef } from '@/lib/viewer/pages';
import { fetchLinePage } from '@/lib/client/api';
import { viewerKeys } from './query-keys';
import { useApiAuth } from './api-auth';

/** How long a range page stays cached after it scrolled out of view. */
const PAGE_GC_MS = 60_000;
/** A page that came back short of the known line count is fetched again at most this often. */
const REFETCH_COOLDOWN_MS = 2000;

export type LineLookup = (step: string, n: number) => Line | undefined;

/** No tail version while rendering on the server. */
const serverVersion = () => 0;

/**
 * Fetches the aligned pages that are on screen (React Query: cached, deduped, retried) and
 * answers "what is line n of step s" from the live tail or those pages. Pages are immutable
 * arrays of up to PAGE_SIZE lines, kept out of structural sharing (docs/notes.md).
 *
 * Redrawn lines (the `update` event, issue 13): the tail swaps its own copy, and within the same
 * flush every cached page holding the line gets a new array with the new line object, so the
 * row (memo on its line) and its HTML (cached per line object) re-render, and nothing else. The
 * tail is asked first: what it holds came over the stream, no older than a page read before it.
 */
export function useLinePages(opts: {
  apiBase: string;
  jobId: string;
  pages: readonly PageRef[];
  /** known line count per step */
  counts: ReadonlyMap<string, number>;
  tail: LiveTail;
  queryClient: QueryClient;
}): LineLookup {
  const { apiBase, jobId, pages, counts, tail, queryClient } = opts;
  const auth = useApiAuth();
  // A flush that only redrew lines held by the tail changes no count and no page: its version does.
  useSyncExternalStore(tail.subscribe, tail.getVersion, serverVersion);
  useEffect(
    () =>
      tail.onReplace((step, lines) => {
        for (const [page, inPage] of replacementsByPage(lines)) {
          const key = viewerKeys.page(apiBase, jobId, step, page);
          const data = queryClient.getQueryData<Line[]>(key);
          const next = data && replaceInPage(data, inPage);
          if (next) queryClient.setQueryData<Line[]>(key, next);
        }
      }),
    [tail, queryClient, apiBase, jobId],
  );
  const wanted = useMemo(
    () =>
      pages.filter((p) => {
        const count = counts.get(p.step) ?? 0;
        const first = pageFirstLine(p.page);
        if (first > count) return false;
        return !tail.covers(p.step, first, Math.min(first + PAGE_SIZE - 1, count));
      }),
    [pages, counts, tail],
  );
  const results = useQueries({
    queries: wanted.map((p) => ({
      queryKey: viewerKeys.page(apiBase, jobId, p.step, p.page),
      // a page known in part (server-rendered, or read while its step grew) is completed, not read again
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        fetchLinePage(apiBase, jobId, p.step, p.page, signal, queryClient.getQueryData<Line[]>(viewerKeys.page(apiBase, jobId, p.step, p.page)), auth),
      staleTime: Infinity,
      gcTime: PAGE_GC_MS,
      structuralSharing: false,
      retry: 3,
    })),
  });

  const loaded = new Map<string, Line[]>();
  results.forEach((r, i) => {
    const p = wanted[i];
    if (p && r.data) loaded.set(`${p.step}\u0000${p.page}`, r.data);
  });

  // A page fetched while its step was still growing can lack lines the tail has since dropped.
  const lastRefetch = useRef(new Map<string, number>());
  useEffect(() => {
    results.forEach((r, i) => {
      const p = wanted[i];
      if (!p || !r.data || r.isFetching) return;
      const first = pageFirstLine(p.page);
      const expected = Math.min(PAGE_SIZE, (counts.get(p.step) ?? 0) - first + 1);
      const have = densePrefix(p.page, r.data);
      if (have >= expected || tail.covers(p.step, first + have, first + expected - 1)) return;
      const id = `${p.step}\u0000${p.page}`;
      const now = Date.now();
      if (now - (lastRefetch.current.get(id) ?? 0) < REFETCH_COOLDOWN_MS) return;
      lastRefetch.current.set(id, now);
      void queryClient.refetchQueries({ queryKey: viewerKeys.page(apiBase, jobId, p.step, p.page), exact: true });
    });
  });

  // A fresh function per render: rows read the pages and the tail as they are now.
  return (step: string, n: number) => {
    const live = tail.get(step, n);
    if (live) return live;
    const page = pageOf(n);
    const data =
      loaded.get(`${step}\u0000${page}`) ??
      queryClient.getQueryData<Line[]>(viewerKeys.page(apiBase, jobId, step, page));
    const hit = data?.[n - pageFirstLine(page)];
    return hit && hit.n === n ? hit : undefined;
  };
}
