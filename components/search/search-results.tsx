'use client';
import { useMemo, useRef } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { ApiError, fetchGlobalSearch } from '@/lib/client/api';
import { useSearchMarks, type MarkRows } from '@/components/ui/use-search-marks';
import { renderLineHtml } from '@/lib/ansi/render';
import { formatCount } from '@/lib/viewer/format';
import { globalSearchUrl, groupByJob, hitHref, type GlobalSearchForm } from '@/lib/viewer/search';

/** Characters of a hit's line shown in the results (the whole line is one click away). */
const HIT_CHARS = 400;

const hitKey = (job: string, step: string, n: number) => `${job}/${step}:${n}`;
const HIT_ROWS: MarkRows = { selector: '[data-hit-key]', keyOf: (row) => row.getAttribute('data-hit-key') ?? '' };

/** Hits of one search, grouped by job (newest first, as the server sends them). */
export function SearchResults({ form, apiBase }: { form: GlobalSearchForm; apiBase: string }) {
  // Pages follow each other with the answer's `next` cursor (Load more).
  const query = useInfiniteQuery({
    queryKey: ['logscope', apiBase, 'global-search', globalSearchUrl(apiBase, form)],
    queryFn: ({ signal, pageParam }) => fetchGlobalSearch(apiBase, form, signal, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
  const root = useRef<HTMLDivElement>(null);
  const pages = query.data?.pages;
  const ranges = useMemo(() => new Map((pages ?? []).flatMap((page) => page.matches).map((m) => [hitKey(m.job, m.step, m.n), m.ranges])), [pages]);
  // Matched text is marked over the rendered line's text nodes (no change to its HTML).
  useSearchMarks(root, ranges, null, HIT_ROWS);
  if (query.isError) {
    const err = query.error;
    return (
      <p className="mt-4 text-[var(--ls-err,#f85149)]" role="alert" data-testid="search-error">
        {err instanceof ApiError ? err.detail || err.message : 'Search failed'}
      </p>
    );
  }
  if (!pages) return <p className="mt-4 text-[var(--ls-muted)]">Searching…</p>;
  const matches = pages.flatMap((page) => page.matches);
  const total = pages.reduce((sum, page) => sum + page.total, 0);
  const scannedJobs = pages.reduce((sum, page) => sum + page.scannedJobs, 0);
  const last = pages[pages.length - 1];
  const truncated = last?.truncated ?? false;
  const groups = groupByJob(matches);
  return (
    <div className="mt-4" ref={root}>
      <p className="text-xs text-[var(--ls-muted)]" role="status" data-testid="search-summary">
        {formatCount(total)}
        {truncated ? '+' : ''} matching {total === 1 ? 'line' : 'lines'} in {groups.length} {groups.length === 1 ? 'job' : 'jobs'} · {formatCount(scannedJobs)} jobs
        searched
      </p>
      {truncated && (
        <p className="mt-2 rounded border border-[var(--ls-border)] px-2 py-1 text-xs text-[var(--ls-warn)]" data-testid="search-truncated">
          Results were cut off (too many matches or too much log to scan for one answer): load more, or narrow the search with a label, a date or a longer query.
        </p>
      )}
      {groups.map(({ job, hits }) => (
        <section key={job} className="mt-4 rounded border border-[var(--ls-border)]" data-search-job={job} aria-label={`Job ${hits[0]?.title || job}`}>
          <h2 className="flex items-baseline gap-2 border-b border-[var(--ls-border)] bg-[var(--ls-raised)] px-3 py-1.5">
            <a href={`/jobs/${encodeURIComponent(job)}`} className="truncate font-medium text-[var(--ls-fg-strong)] hover:text-[var(--ls-accent)]">
              {hits[0]?.title || job}
            </a>
            <span className="truncate font-mono text-[11px] text-[var(--ls-muted)]">{job}</span>
            <span className="ml-auto text-[11px] text-[var(--ls-muted)]">
              {hits.length} {hits.length === 1 ? 'hit' : 'hits'}
            </span>
          </h2>
          <ul className="font-mono text-[12px]">
            {hits.map((hit) => (
              <li key={`${hit.step}:${hit.n}`} className="flex gap-3 px-3 leading-5 hover:bg-[var(--ls-bg-alt)]" data-hit-key={hitKey(hit.job, hit.step, hit.n)}>
                <a href={hitHref(hit.job, hit.step, hit.n)} className="w-40 shrink-0 truncate text-right text-[var(--ls-accent)] hover:underline" title={`${hit.step} line ${hit.n}`}>
                  {hit.step}:{hit.n}
                </a>
                {/* renderLineHtml escapes the text and emits only its own spans and vetted links. */}
                <span
                  className="ls-text min-w-0 flex-1 whitespace-pre-wrap [overflow-wrap:anywhere]"
                  dangerouslySetInnerHTML={{ __html: renderLineHtml(hit.line.text, { maxChars: HIT_CHARS }).html }}
                />
              </li>
            ))}
          </ul>
        </section>
      ))}
      {query.hasNextPage && (
        <button
          type="button"
          className="mt-4 rounded border border-[var(--ls-border)] px-3 py-1 text-xs text-[var(--ls-fg)] hover:border-[var(--ls-accent)] disabled:opacity-60"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
          data-testid="search-more"
        >
          {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
