'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Line } from '@/lib/contracts';
import { fetchLinePage } from '@/lib/client/api';
import { PAGE_SIZE } from '@/lib/viewer/constants';
import { pageFirstLine, pageOf } from '@/lib/viewer/pages';

/**
 * The real lines the diff view shows, read through the lines API one aligned page
 * (PAGE_SIZE lines) at a time, only for the rows on screen: the browser never holds a whole
 * log. At most MAX_DIFF_PAGES pages are kept (both sides together), the least recently used
 * dropped first, so the memory stays bounded however far the user scrolls.
 */

/** Pages of lines kept in memory for the diff view (both runs): 64 × 500 lines. */
export const MAX_DIFF_PAGES = 64;

export type DiffSide = 'base' | 'head';

export interface DiffLineSource {
  job: string;
  step: string;
}

export interface DiffLines {
  /** the line if its page is loaded, else undefined */
  get(side: DiffSide, n: number): Line | undefined;
  /** fetch the pages holding these lines (those not loaded yet, or loaded short of them: a live step grew) */
  want(lines: readonly { side: DiffSide; n: number }[]): void;
  /** pages that failed to load */
  failed: number;
  /** changes whenever a page arrives (rows that show lines depend on it) */
  version: number;
}

export function useDiffLines(apiBase: string, sources: Record<DiffSide, DiffLineSource> | null): DiffLines {
  const pages = useRef(new Map<string, Line[]>());
  const pending = useRef(new Set<string>());
  const [version, setVersion] = useState(0);
  const [failed, setFailed] = useState(0);
  const identity = identityOf(sources);
  const sourcesRef = useRef(sources);
  sourcesRef.current = sources;

  // other runs or steps: start afresh (answers still in flight for the old ones are dropped)
  useEffect(() => {
    pages.current = new Map();
    pending.current = new Set();
    setVersion((v) => v + 1);
  }, [identity]);

  const get = useCallback((side: DiffSide, n: number): Line | undefined => {
    const key = `${side}:${pageOf(n)}`;
    const page = pages.current.get(key);
    if (!page) return undefined;
    const line = page[n - pageFirstLine(pageOf(n))];
    return line && line.n === n ? line : page.find((l) => l.n === n);
  }, []);

  const want = useCallback(
    (lines: readonly { side: DiffSide; n: number }[]) => {
      const current = sourcesRef.current;
      if (!current) return;
      const keys = new Map<string, { side: DiffSide; page: number }>();
      for (const { side, n } of lines) {
        const page = pageOf(n);
        const key = `${side}:${page}`;
        if (pending.current.has(key) || keys.has(key)) continue;
        const have = pages.current.get(key);
        if (have && (have.length >= PAGE_SIZE || have.some((l) => l.n >= n))) {
          // recently used: move to the end of the eviction order
          pages.current.delete(key);
          pages.current.set(key, have);
          continue;
        }
        keys.set(key, { side, page });
      }
      for (const [key, { side, page }] of keys) {
        pending.current.add(key);
        const source = current[side];
        const have = pages.current.get(key);
        fetchLinePage(apiBase, source.job, source.step, page, undefined, have)
          .then((got) => {
            if (identityOf(sourcesRef.current) !== identityOf(current)) return;
            pages.current.delete(key);
            pages.current.set(key, got);
            while (pages.current.size > MAX_DIFF_PAGES) {
              const oldest = pages.current.keys().next().value;
              if (oldest === undefined) break;
              pages.current.delete(oldest);
            }
            setVersion((v) => v + 1);
          })
          .catch(() => setFailed((f) => f + 1))
          .finally(() => pending.current.delete(key));
      }
    },
    [apiBase],
  );

  return useMemo(() => ({ get, want, failed, version }), [get, want, failed, version]);
}

function identityOf(sources: Record<DiffSide, DiffLineSource> | null): string {
  return sources ? `${sources.head.job}\n${sources.head.step}\n${sources.base.job}\n${sources.base.step}` : '';
}
