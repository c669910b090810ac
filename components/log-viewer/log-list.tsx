'use client';
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type ReactNode, type Ref } from 'react';
import type { Line, StepMeta } from '@/lib/contracts';
import { Virtuoso, type ListItem, type VirtuosoHandle } from 'react-virtuoso';
import type { RowFocus } from '@/lib/viewer/focus';
import { groupTitle } from '@/lib/viewer/group-title';
import { inRange, type JobLink } from '@/lib/viewer/hash';
import { formatCount } from '@/lib/viewer/format';
import { rowAt, rowAtOffset, type Row, type RowModel } from '@/lib/viewer/rows';
import type { ScrollRequest } from '@/lib/viewer/viewer-state';
import { windowHasAfter, windowHasBefore, type RowWindow } from '@/lib/viewer/window';
import type { LineHtmlCache } from './line-html';
import { GroupHeaderRow, LineRow, StepHeaderRow } from './rows';
import { StickyBar, type TopRow } from './sticky-bar';
import type { LineLookup } from './use-line-pages';
import type { LineStamper } from './use-line-stamper';
import { FocusItem, useRowFocus, type FocusContext } from './use-row-focus';

/** Estimated row height (px): lines are one 20 px row unless they wrap. */
const ROW_PX = 20;
/** Rows rendered beyond the viewport, in px, so fast wheel scrolling does not flash blanks. */
const OVERSCAN_PX = 600;

interface WindowContext extends FocusContext {
  win: RowWindow;
  total: number;
  onShiftWindow: (direction: -1 | 1) => void;
  /** height of the "earlier rows" bar above the rows (0 without it): row offsets start below it */
  headerPx: { current: number };
}

function WindowBefore({ context }: { context: WindowContext }) {
  if (!windowHasBefore(context.win)) return null;
  const measure = (el: HTMLDivElement | null) => {
    context.headerPx.current = el ? el.offsetHeight : 0;
  };
  return (
    <div className="ls-window-bar" ref={measure}>
      {formatCount(context.win.start)} earlier rows not in this view ·{' '}
      <button type="button" onClick={() => context.onShiftWindow(-1)}>
        show earlier rows
      </button>
    </div>
  );
}

function WindowAfter({ context }: { context: WindowContext }) {
  if (!windowHasAfter(context.win, context.total)) return null;
  return (
    <div className="ls-window-bar">
      {formatCount(context.total - context.win.start - context.win.size)} later rows not in this view ·{' '}
      <button type="button" onClick={() => context.onShiftWindow(1)}>
        show later rows
      </button>
    </div>
  );
}

function rowKey(row: Row | null, index: number): string {
  if (!row) return `x${index}`;
  if (row.kind === 'step') return `s:${row.section.key}`;
  if (row.kind === 'group') return `g:${row.group.key}`;
  return `l:${row.section.key}:${row.n}`;
}

/** The point under the list's top edge (px) whose row the sticky bar describes. */
const TOP_PROBE_PX = 2;

interface StickyHandle {
  setTop: (top: TopRow | null) => void;
}

function StickyTop({ ref, model, onStepClick }: { ref: Ref<StickyHandle>; model: RowModel; onStepClick: (step: string) => void }) {
  const [top, setTop] = useState<TopRow | null>(null);
  useImperativeHandle(ref, () => ({ setTop: (next) => setTop((prev) => (prev?.step === next?.step && prev?.n === next?.n ? prev : next)) }), []);
  if (!top || top.n === null) return null;
  const section = model.segments.find((s) => s.section.step.id === top.step)?.section;
  if (!section) return null;
  return <StickyBar section={section} n={top.n} onClick={() => onStepClick(section.step.id)} />;
}

/**
 * Scroll events this long after the hold (or a request) called scrollToIndex are taken as its
 * own: Virtuoso settles a far jump over a few frames.
 */
const OWN_SCROLL_MS = 250;

/** How far (px) a held row may sit from where it was asked to be before it is re-aligned. */
const ALIGN_SLACK_PX = 4;

/**
 * Whether the row at `local` is on screen where `align` puts it, or as near as the scroll range
 * allows (the last row cannot be centred). Reads layout: called once a frame while a scroll
 * request is held, not while the user scrolls.
 */
function isAligned(scroller: HTMLElement, local: number, align: ScrollRequest['align']): boolean {
  const item = scroller.querySelector<HTMLElement>(`[data-index="${local}"]`);
  if (!item) return false;
  const view = scroller.getBoundingClientRect();
  const box = item.getBoundingClientRect();
  const top = box.top - view.top;
  const want =
    align === 'start' ? 0 : align === 'end' ? scroller.clientHeight - box.height : (scroller.clientHeight - box.height) / 2;
  const off = top - want;
  if (Math.abs(off) <= ALIGN_SLACK_PX) return true;
  // Out of place but the list cannot scroll further that way: fine if the row is in view.
  const inView = top >= -ALIGN_SLACK_PX && top + Math.min(box.height, scroller.clientHeight) <= scroller.clientHeight + ALIGN_SLACK_PX;
  const atTop = scroller.scrollTop <= 0;
  const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1;
  return inView && ((off > 0 && atBottom) || (off < 0 && atTop));
}

export interface LogListProps {
  model: RowModel;
  win: RowWindow;
  lookup: LineLookup;
  selection: JobLink | null;
  expandedLines: ReadonlySet<string>;
  following: boolean;
  scrollRequest: ScrollRequest | null;
  now: number;
  cache: LineHtmlCache;
  lineHref: (step: string, n: number) => string;
  stepHref: ((step: string) => string) | null;
  onToggle: (key: string, open: boolean) => void;
  onLineClick: (step: string, n: number, extend: boolean) => void;
  onExpandLine: (step: string, n: number) => void;
  onFollowChange: (following: boolean) => void;
  onVisibleRows: (first: number, last: number) => void;
  onShiftWindow: (direction: -1 | 1) => void;
  onScrollDone: (seq: number) => void;
  /** a click on the sticky step bar */
  onStepClick: (step: string) => void;
  /** what a step's header shows under it (a failed step's first error) */
  stepHeaderExtra?: (step: StepMeta) => ReactNode;
  /** the timestamp gutter of a line (absent: timestamps off) */
  stamp?: LineStamper;
  /** long lines wrap; when it changes, the top row stays where it was (the rows change height) */
  wrap?: boolean;
  /** the row the keyboard is on (roving focus, use-row-focus.tsx) */
  focus: RowFocus | null;
  onFocusRow: (focus: RowFocus | null, index?: number) => void;
}

/** Lines remembered per lookup function (see useMemoLookup): a few screens of rows. */
const LOOKUP_MEMO_LINES = 2_000;

/**
 * Virtuoso renders every row in range on each scrolled frame. A lookup that misses the pages
 * fetched for this render falls back to React Query's cache, which hashes the page's key
 * (JSON.stringify) on every call; rows of one page ask for the same page. The answers are kept
 * per lookup function, which is new whenever pages or live lines arrive.
 */
function useMemoLookup(lookup: LineLookup): LineLookup {
  return useMemo(() => {
    const memo = new Map<string, Line | undefined>();
    return (step: string, n: number) => {
      const key = `${step}\u0000${n}`;
      if (memo.has(key)) return memo.get(key);
      if (memo.size >= LOOKUP_MEMO_LINES) memo.clear();
      const line = lookup(step, n);
      memo.set(key, line);
      return line;
    };
  }, [lookup]);
}

/**
 * The virtual list over one window of the row model. Follow mode: `followOutput` returns
 * 'auto' while following; following stops when the user scrolls up (wheel, keys, or the
 * scroll position moving up) and resumes when the list is at the bottom again.
 */
export function LogList(props: LogListProps) {
  const { model, win, selection, expandedLines, following, scrollRequest, now, cache } = props;
  const lookup = useMemoLookup(props.lookup);
  const ref = useRef<VirtuosoHandle>(null);
  const followingRef = useRef(following);
  followingRef.current = following;
  const cb = useRef(props);
  cb.current = props;

  // The sticky bar: which step (and line) the top row belongs to, from the rows Virtuoso has
  // laid out and the scroll offset (no DOM reads: hit-testing the top of the list forced a
  // layout in every scrolled frame). It lives in its own component, so a new top row
  // re-renders the bar, not the list and its rows.
  const stickyRef = useRef<StickyHandle>(null);
  const rendered = useRef<readonly ListItem<unknown>[]>([]);
  const scrollerEl = useRef<HTMLElement | null>(null);
  const headerPx = useRef(0);
  const topFrame = useRef(0);
  const modelRef = useRef({ model, start: win.start });
  modelRef.current = { model, start: win.start };
  /** the local index of the row at the top edge, as of the last scrolled frame */
  const topLocal = useRef<number | null>(null);
  const scheduleReadTop = useCallback(() => {
    if (topFrame.current) return;
    topFrame.current = requestAnimationFrame(() => {
      topFrame.current = 0;
      const el = scrollerEl.current;
      if (!el) return;
      const { model: m, start } = modelRef.current;
      const y = el.scrollTop - headerPx.current;
      stickyRef.current?.setTop(rowAtOffset(m, start, rendered.current, y + TOP_PROBE_PX));
      topLocal.current = rendered.current.find((item) => item.offset + item.size > y)?.index ?? null;
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(topFrame.current), []);
  // Sections toggled, the window moved or lines arrived: the same offsets may hold other rows.
  useEffect(scheduleReadTop, [model, win.start, scheduleReadTop]);
  const winStart = useRef(win.start);
  winStart.current = win.start;
  const winSize = useRef(win.size);
  winSize.current = win.size;
  // Landing: a scroll request aims at a row with estimated heights above it; when the rows load
  // and wrapped lines grow, the target drifts off screen. The request is held and re-aligned
  // whenever heights change or rows render, until the row sits where it was asked to be with
  // every rendered row loaded, for two frames running; the user scrolling themselves (wheel,
  // key, touch or pointer in the list) cancels it sooner, and a new request replaces it. A scroll that is not ours (a scrollbar
  // drag without a pointer event, find-in-page, a script) and moves more than a screen away
  // from where the hold left the list cancels it too.
  const hold = useRef<{ index: number; align: ScrollRequest['align']; settled?: boolean } | null>(null);
  /** scrollTop the hold last saw or asked for; when it last asked (performance.now()) */
  const holdTop = useRef(0);
  const holdIssued = useRef(0);
  const holdFrame = useRef(0);
  const realign = useCallback(function realign() {
    if (holdFrame.current || !hold.current) return;
    holdFrame.current = requestAnimationFrame(() => {
      holdFrame.current = 0;
      const target = hold.current;
      const el = scrollerEl.current;
      if (!target || !el) return;
      if (followingRef.current) {
        hold.current = null;
        return;
      }
      const local = target.index - winStart.current;
      if (local < 0 || local >= winSize.current) {
        hold.current = null;
        return;
      }
      if (isAligned(el, local, target.align)) {
        holdTop.current = el.scrollTop;
        // Landed: aligned, with every rendered row loaded (so measured) in two frames running.
        // The hold ends here, so a later scroll of any kind (a script's too) is never fought.
        if (el.querySelector('.ls-pending')) target.settled = false;
        else if (target.settled) hold.current = null;
        else {
          target.settled = true;
          realign();
        }
        return;
      }
      target.settled = false;
      holdIssued.current = performance.now();
      ref.current?.scrollToIndex({ index: local, align: target.align });
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(holdFrame.current), []);
  // Wrapping toggled: rows change height around the reader's place. The row that was at the top
  // is held there (as a scroll request is, until the heights settle); following keeps the end.
  const wrapSeen = useRef(props.wrap);
  useEffect(() => {
    if (wrapSeen.current === props.wrap) return;
    wrapSeen.current = props.wrap;
    const local = topLocal.current;
    if (local === null || followingRef.current) return;
    holdIssued.current = performance.now();
    hold.current = { index: winStart.current + local, align: 'start' };
    ref.current?.scrollToIndex({ index: local, align: 'start' });
  }, [props.wrap]);
  const rowFocus = useRowFocus({
    model,
    win,
    focus: props.focus,
    scroller: scrollerEl,
    list: ref,
    rendered,
    headerPx,
    following,
    onFocusRow: props.onFocusRow,
    onFollowChange: props.onFollowChange,
    onLineClick: props.onLineClick,
  });
  const { onKeyDown: focusKey, onFocusIn, requestFocus, onScrollCapture } = rowFocus;
  const itemsRendered = useCallback(
    (items: ListItem<unknown>[]) => {
      rendered.current = items;
      scheduleReadTop();
      realign();
    },
    [scheduleReadTop, realign],
  );
  const scrollerCleanup = useRef<(() => void) | null>(null);
  // Stable: Virtuoso calls a new scrollerRef again, which would re-attach the listeners.
  const setScroller = useCallback((el: HTMLElement | Window | null) => {
    scrollerCleanup.current?.();
    scrollerCleanup.current = null;
    if (!(el instanceof HTMLElement)) return;
    let lastTop = el.scrollTop;
    scrollerEl.current = el;
    const stop = () => {
      if (followingRef.current) cb.current.onFollowChange(false);
    };
    // Reading scrollTop right after Virtuoso re-rendered the rows forces a layout of its own
    // (up to 20 ms in a scrolled frame): only follow mode reads it here, the sticky bar reads
    // it in its animation frame.
    const onScroll = () => {
      if (hold.current) {
        const y = el.scrollTop;
        if (performance.now() - holdIssued.current < OWN_SCROLL_MS) holdTop.current = y;
        else if (Math.abs(y - holdTop.current) > el.clientHeight) hold.current = null;
      }
      if (followingRef.current) {
        const y = el.scrollTop;
        if (y < lastTop - 4) stop();
        lastTop = y;
      } else lastTop = Number.NEGATIVE_INFINITY;
      scheduleReadTop();
    };
    const release = () => {
      hold.current = null;
    };
    const onWheel = (e: WheelEvent) => {
      release();
      if (e.deltaY < 0) stop();
    };
    const onKey = (e: KeyboardEvent) => {
      release();
      if (e.key === 'ArrowUp' || e.key === 'PageUp' || e.key === 'Home') stop();
      // Line and section moves (the shortcuts table's log keys), Enter on a line.
      focusKey(e);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('wheel', onWheel, { passive: true });
    el.addEventListener('keydown', onKey);
    el.addEventListener('focusin', onFocusIn);
    // before the list re-renders for the scroll (capture, on the parent): see use-row-focus.tsx
    const parent = el.parentElement;
    parent?.addEventListener('scroll', onScrollCapture, { capture: true, passive: true });
    el.addEventListener('touchstart', release, { passive: true });
    el.addEventListener('pointerdown', release, { passive: true });
    scrollerCleanup.current = () => {
      scrollerEl.current = null;
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('wheel', onWheel);
      el.removeEventListener('keydown', onKey);
      el.removeEventListener('focusin', onFocusIn);
      parent?.removeEventListener('scroll', onScrollCapture, { capture: true });
      el.removeEventListener('touchstart', release);
      el.removeEventListener('pointerdown', release);
    };
  }, [scheduleReadTop, focusKey, onFocusIn, onScrollCapture]);
  useEffect(() => () => scrollerCleanup.current?.(), []);

  // Stable callbacks for Virtuoso (they read the latest props through refs).
  const followOutput = useCallback(() => (followingRef.current ? ('auto' as const) : false), []);
  const atBottomStateChange = useCallback((atBottom: boolean) => {
    if (atBottom && !followingRef.current) cb.current.onFollowChange(true);
  }, []);
  const rangeChanged = useCallback(({ startIndex, endIndex }: { startIndex: number; endIndex: number }) => {
    cb.current.onVisibleRows(winStart.current + startIndex, winStart.current + endIndex);
  }, []);

  useEffect(() => {
    if (!scrollRequest) return;
    const local = scrollRequest.index - win.start;
    if (local < 0 || local >= win.size) return;
    // One frame later, so the list has taken the new row count before it scrolls.
    const id = requestAnimationFrame(() => {
      holdIssued.current = performance.now();
      ref.current?.scrollToIndex({ index: local, align: scrollRequest.align });
      // Following keeps the end in view by itself (followOutput): no hold to fight it.
      hold.current = followingRef.current ? null : { index: scrollRequest.index, align: scrollRequest.align };
      cb.current.onScrollDone(scrollRequest.seq);
      // A jump that takes the keyboard focus: the row takes it once rendered (see use-row-focus.tsx).
      if (scrollRequest.focus) requestFocus();
      scheduleReadTop();
    });
    return () => cancelAnimationFrame(id);
  }, [scrollRequest, win.start, win.size, scheduleReadTop, requestFocus]);

  const renderRow = (local: number): ReactNode => {
    const row = rowAt(model, win.start + local);
    if (!row) return <div className="ls-row" />;
    if (row.kind === 'step') {
      const step = row.section.step;
      return (
        <StepHeaderRow
          step={step}
          lines={row.section.lines}
          open={row.open}
          now={step.status === 'running' ? now : 0}
          stepHref={props.stepHref ? props.stepHref(step.id) : null}
          onToggle={props.onToggle}
          extra={props.stepHeaderExtra?.(step)}
        />
      );
    }
    const stepId = row.section.step.id;
    const sel = selection && selection.step === stepId ? selection.lines : undefined;
    // the timestamp gutter: the line's stamp, and the pause since the line before it
    const stamp = props.stamp?.(row.section.step, lookup, row.kind === 'group' ? row.group.start : row.n);
    if (row.kind === 'group') {
      return (
        <GroupHeaderRow
          group={row.group}
          title={groupTitle(row.group.name, lookup(stepId, row.group.start)?.text)}
          stepId={stepId}
          open={row.open}
          highlighted={inRange(sel, row.group.start)}
          now={row.group.open ? now : 0}
          onToggle={props.onToggle}
          ts={stamp?.ts}
          gap={stamp?.gap}
        />
      );
    }
    return (
      <LineRow
        stepId={stepId}
        n={row.n}
        depth={row.depth}
        line={lookup(stepId, row.n)}
        href={props.lineHref(stepId, row.n)}
        highlighted={inRange(sel, row.n)}
        expanded={expandedLines.has(`${stepId}:${row.n}`)}
        cache={cache}
        onLineClick={props.onLineClick}
        onExpand={props.onExpandLine}
        ts={stamp?.ts}
        gap={stamp?.gap}
      />
    );
  };

  const initial = scrollRequest ? scrollRequest.index - win.start : following ? win.size - 1 : 0;
  return (
    <>
      <StickyTop ref={stickyRef} model={model} onStepClick={props.onStepClick} />
      <Virtuoso<unknown, WindowContext>
      ref={ref}
      className="ls-scroller"
      style={{ height: '100%' }}
      totalCount={win.size}
      context={{ win, total: model.total, onShiftWindow: props.onShiftWindow, headerPx, ...rowFocus.context }}
      components={{ Header: WindowBefore, Footer: WindowAfter, Item: FocusItem }}
      computeItemKey={(i) => rowKey(rowAt(model, win.start + i), i)}
      itemContent={(i) => renderRow(i)}
      defaultItemHeight={ROW_PX}
      increaseViewportBy={OVERSCAN_PX}
      initialTopMostItemIndex={{ index: Math.max(0, Math.min(win.size - 1, initial)), align: scrollRequest?.align ?? (following ? 'end' : 'start') }}
      // `false`, not the callback, while not following: for any other value Virtuoso arms a rule
      // on each re-render ("at the bottom, then the list grows within 100 ms: scroll to the end")
      // that ignores what the callback answers, so a group expanded in a log that fitted on
      // screen jumped to the end of the log.
      followOutput={following ? followOutput : false}
      atBottomThreshold={ROW_PX * 2}
      atBottomStateChange={atBottomStateChange}
      rangeChanged={rangeChanged}
      itemsRendered={itemsRendered}
      totalListHeightChanged={realign}
      scrollerRef={setScroller}
      tabIndex={0}
      />
    </>
  );
}
