'use client';
import { useEffect, useMemo, useRef, type MouseEvent } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { StepMeta } from '@/lib/contracts';
import { formatCount } from '@/lib/viewer/format';
import { groupAt, MAX_FILTER_ROWS, type SearchMatch } from '@/lib/viewer/search-pages';
import { useSearchMarks, type MarkRows } from '@/components/ui/use-search-marks';
import { LineHtml, type LineHtmlCache } from './line-html';
import './search-filter.css';
import type { LogSearch } from './use-log-search';

/** Estimated row height (px), as in the log list. */
const ROW_PX = 20;
/** Rows rendered beyond the viewport, in px. */
const OVERSCAN_PX = 400;

/** Filter rows, for the in-line marks (use-search-marks.ts). */
const FILTER_ROWS: MarkRows = {
  selector: '[data-match-step][data-match-line]',
  keyOf: (row) => `${row.getAttribute('data-match-step') ?? ''}:${row.getAttribute('data-match-line') ?? ''}`,
};

function FilterRow(props: {
  index: number;
  match: SearchMatch | undefined;
  step: StepMeta | undefined;
  showStep: boolean;
  current: boolean;
  cache: LineHtmlCache;
  href: string;
  onOpen: (index: number) => void;
}) {
  const { index, match, step, showStep, current, cache, href, onOpen } = props;
  if (!match) {
    return (
      <div className="ls-row ls-line ls-pending ls-filter-row" data-filter-index={index} aria-busy="true">
        <span className="ls-filter-place" />
        <span className="ls-content">
          <span className="ls-skeleton" />
        </span>
      </div>
    );
  }
  const group = step ? groupAt(step.groups, match.n) : null;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.altKey || e.shiftKey) return;
    e.preventDefault();
    onOpen(index);
  };
  const stepName = step ? step.name || step.id : match.step;
  const place = `${showStep ? `${stepName} › ` : ''}${group ? `${group.name} › ` : ''}${match.n}`;
  return (
    <div
      className="ls-row ls-line ls-filter-row"
      data-filter-index={index}
      data-match-step={match.step}
      data-match-line={match.n}
      data-highlighted={current ? '' : undefined}
    >
      <a className="ls-filter-place" href={href} onClick={click} title={`Open ${place} in the full log`}>
        {showStep && <span className="ls-filter-step">{stepName}</span>}
        {group && <span className="ls-filter-group">{group.name}</span>}
        <span className="ls-filter-n">{match.n}</span>
      </a>
      <span className="ls-content">
        {match.line ? <LineHtml line={match.line} cache={cache} expanded={false} onExpand={() => onOpen(index)} /> : <span className="ls-text" />}
      </span>
    </div>
  );
}

/**
 * "Only matching lines": every match of the search in job order, each with its step, group and
 * line number as a deep link (a click returns to the full log at that line). Virtualized over
 * the whole count (up to MAX_FILTER_ROWS rows): rows ask use-search-pages.ts for their page as
 * they scroll into view, and the browser keeps a bounded window of pages. A running job's new
 * matches appear as the count grows. Line text goes through LineHtml (escaped, the one HTML path).
 */
export function SearchFilter(props: {
  search: LogSearch;
  steps: readonly StepMeta[];
  /** one step's page or embed: the step is not repeated on each row */
  onlyStep: string | undefined;
  cache: LineHtmlCache;
  lineHref: (step: string, n: number) => string;
  onOpen: (index: number) => void;
}) {
  const { search, steps, onlyStep, cache, lineHref, onOpen } = props;
  const pages = search.pages;
  const rootRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<VirtuosoHandle>(null);
  const byId = useMemo(() => new Map(steps.map((s) => [s.id, s])), [steps]);
  useSearchMarks(rootRef, search.rangesByLine, search.currentKey, FILTER_ROWS);

  const total = pages?.total ?? null;
  const rows = total === null ? 0 : Math.min(total, MAX_FILTER_ROWS);
  const { current } = search;
  useEffect(() => {
    if (current !== null && current < rows) listRef.current?.scrollToIndex({ index: current, align: 'center' });
  }, [current, rows]);

  let note: string | null = null;
  if (!pages) note = 'Type a search to show only the matching lines.';
  else if (total === null) note = search.status === 'error' ? search.message : 'Searching…';
  else if (total === 0) note = search.message;
  return (
    <div ref={rootRef} className="ls-filter" data-testid="search-filter" role="region" aria-label="Matching lines">
      {note !== null && <div className="ls-message">{note}</div>}
      {total !== null && total > MAX_FILTER_ROWS && (
        <div className="ls-window-bar">
          Showing the first {formatCount(MAX_FILTER_ROWS)} matching lines; next and previous still reach every match.
        </div>
      )}
      {pages && rows > 0 && (
        <Virtuoso
          ref={listRef}
          className="ls-scroller"
          style={{ height: '100%' }}
          totalCount={rows}
          defaultItemHeight={ROW_PX}
          increaseViewportBy={OVERSCAN_PX}
          computeItemKey={(i) => i}
          rangeChanged={({ startIndex, endIndex }) => pages.show(startIndex, endIndex)}
          itemContent={(i) => {
            const match = pages.match(i);
            return (
              <FilterRow
                index={i}
                match={match}
                step={match ? byId.get(match.step) : undefined}
                showStep={onlyStep === undefined}
                current={i === current}
                cache={cache}
                href={match ? lineHref(match.step, match.n) : '#'}
                onOpen={onOpen}
              />
            );
          }}
          tabIndex={0}
        />
      )}
    </div>
  );
}
