'use client';
import { useEffect, type RefObject } from 'react';
import { locateRanges } from '@/lib/viewer/search';
import type { JobSearchResult } from '@/lib/contracts/search';
import './search-marks.css';

/**
 * Marks search matches inside rendered lines with the CSS Custom Highlight API: ranges over
 * the lines' existing text nodes, styled by `::highlight(ls-search)` in search-marks.css. The
 * rendered HTML (renderLineHtml, the one sanitised insertion point) is never touched. Browsers
 * without `CSS.highlights` only get the line highlight of the current match.
 *
 * Rows come and go as the virtual list scrolls, so the marks are rebuilt (once per frame at
 * most) whenever the log's DOM changes, for the rows that exist.
 */
const ALL = 'ls-search';
const CURRENT = 'ls-search-current';

/** `[from, to)` offsets into one line's plain text, as both search APIs return them. */
type Ranges = JobSearchResult['matches'][number]['ranges'];

function supported(): boolean {
  return typeof CSS !== 'undefined' && 'highlights' in CSS && typeof Highlight !== 'undefined';
}

/** The page-wide highlight of a name (shared by every viewer on the page; each adds its own ranges). */
function shared(name: string): Highlight {
  let h = CSS.highlights.get(name);
  if (!h) {
    h = new Highlight();
    CSS.highlights.set(name, h);
  }
  return h;
}

function textNodes(el: Element): Text[] {
  const out: Text[] = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n as Text);
  return out;
}

/** Log rows: `data-step` + `data-line`, keyed `${step}:${n}`. */
const LOG_ROWS = { selector: '[data-step][data-line]', keyOf: (row: Element) => `${row.getAttribute('data-step') ?? ''}:${row.getAttribute('data-line') ?? ''}` };

export interface MarkRows {
  /** the rows that may hold matches; each has its text in a `.ls-text` element */
  selector: string;
  keyOf: (row: Element) => string;
}

export function useSearchMarks(
  container: RefObject<HTMLElement | null>,
  rangesByLine: ReadonlyMap<string, Ranges>,
  currentKey: string | null,
  rows: MarkRows = LOG_ROWS,
) {
  useEffect(() => {
    const root = container.current;
    if (!root || !supported() || rangesByLine.size === 0) return;
    const all = shared(ALL);
    const cur = shared(CURRENT);
    let mine: StaticRange[] = [];
    const drop = () => {
      for (const r of mine) {
        all.delete(r);
        cur.delete(r);
      }
      mine = [];
    };
    const rebuild = () => {
      drop();
      for (const row of root.querySelectorAll(rows.selector)) {
        const key = rows.keyOf(row);
        const ranges = rangesByLine.get(key);
        const text = ranges ? row.querySelector('.ls-text') : null;
        if (!ranges || !text) continue;
        const nodes = textNodes(text);
        for (const { start, end } of locateRanges(
          nodes.map((n) => n.length),
          ranges,
        )) {
          const r = new StaticRange({ startContainer: nodes[start.node]!, startOffset: start.offset, endContainer: nodes[end.node]!, endOffset: end.offset });
          mine.push(r);
          (key === currentKey ? cur : all).add(r);
        }
      }
    };
    let frame = 0;
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(() => ((frame = 0), rebuild()));
    };
    const observer = new MutationObserver(schedule);
    observer.observe(root, { childList: true, subtree: true });
    rebuild();
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      drop();
    };
  }, [container, rangesByLine, currentKey, rows]);
}
