'use client';
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import type { CalculateViewLocation, ItemProps, ListItem, VirtuosoHandle } from 'react-virtuoso';
import { focusOfRow, indexOfFocus, nextFocusIndex, sameFocus, type FocusMove, type RowFocus } from '@/lib/viewer/focus';
import { rowAt, type RowModel } from '@/lib/viewer/rows';
import { isTypingTarget, shortcutFor, type ShortcutId } from '@/lib/viewer/shortcuts';
import type { RowWindow } from '@/lib/viewer/window';

/**
 * Roving keyboard focus over the virtual list (lib/viewer/focus.ts has the rules).
 *
 * The focused row lives in the viewer's state as the line it shows, never as a DOM node: the
 * list unmounts rows scrolled away. Each rendered row is a focus target (`tabIndex=-1`; a
 * header's own button takes the focus, so Enter and Space toggle it natively). When the
 * focused row is unmounted, the focus is parked on the list's scroller (keys keep working
 * there); when the row is rendered again while the focus is parked, or after a move or a jump
 * asked for it, the row takes the focus back.
 */

/** Height of the sticky step bar over the list (log-viewer.css `.ls-sticky`): a row scrolled to the top lands below it. */
const STICKY_PX = 28;
/** Estimated row height, for the rows one page moves. */
const ROW_PX = 20;
/** The point under the list's top edge (px) whose row is "the first on screen". */
const TOP_PROBE_PX = 2;
/**
 * Frames a requested focus is retried for: a new list stays hidden (so unfocusable) until it
 * has scrolled to its first row, and a far row is rendered only once the list got there.
 */
const FOCUS_RETRY_FRAMES = 180;

const MOVES: Partial<Record<ShortcutId, FocusMove>> = {
  'line-next': 'line-next',
  'line-prev': 'line-prev',
  'section-next': 'section-next',
  'section-prev': 'section-prev',
  'page-next': 'page-next',
  'page-prev': 'page-prev',
  'first-row': 'first',
  'last-row': 'last',
};

/** Moves that go up the log: they end follow mode. */
const UPWARD: ReadonlySet<FocusMove> = new Set(['line-prev', 'section-prev', 'page-prev', 'first']);

/** Focus that shows its ring (Chromium, Firefox): a keyboard move must be visible even after a mouse click. */
const FOCUS_OPTIONS: FocusOptions & { focusVisible?: boolean } = { preventScroll: true, focusVisible: true };

/** The element a row's focus goes to: a header's toggle button, else the row itself. */
function focusTarget(item: HTMLElement): HTMLElement {
  return item.querySelector<HTMLElement>('.ls-header-button') ?? item;
}

/** Scrolls a row into view only when it is not, clear of the sticky step bar at the top. */
const clearOfStickyBar: CalculateViewLocation = ({ itemTop, itemBottom, viewportTop, viewportBottom, locationParams: { align, behavior, ...rest } }) => {
  if (itemTop < viewportTop + STICKY_PX) return { ...rest, behavior, align: align ?? 'start', offset: -STICKY_PX };
  if (itemBottom > viewportBottom) return { ...rest, behavior, align: align ?? 'end' };
  return null;
};

export interface FocusContext {
  /** local index (in the window) of the focused row, or -1 */
  focusLocal: number;
  /** callback ref of every row's element (the focused one carries `data-focused`) */
  focusRef: (el: HTMLDivElement | null) => (() => void) | undefined;
}

/** Virtuoso's item wrapper, as the row's focus target. */
export function FocusItem({ context, children, item: _item, ...props }: ItemProps<unknown> & { context: FocusContext }) {
  const focused = props['data-index'] === context.focusLocal;
  return (
    <div {...props} className="ls-item" tabIndex={-1} ref={context.focusRef} data-focused={focused ? '' : undefined}>
      {children}
    </div>
  );
}

export interface RowFocusOptions {
  model: RowModel;
  win: RowWindow;
  focus: RowFocus | null;
  /** the list's scroller (set once Virtuoso gives it) */
  scroller: RefObject<HTMLElement | null>;
  list: RefObject<VirtuosoHandle | null>;
  /** rows Virtuoso has laid out (its itemsRendered) and the height of the bar above them */
  rendered: RefObject<readonly ListItem<unknown>[]>;
  headerPx: RefObject<number>;
  following: boolean;
  onFocusRow: (focus: RowFocus | null, index?: number) => void;
  onFollowChange: (following: boolean) => void;
  onLineClick: (step: string, n: number, extend: boolean) => void;
}

/**
 * How far (px) outside the list's viewport the focused row may go before the focus is parked on
 * the scroller: less than the list renders beyond it (log-list.tsx OVERSCAN_PX), so the focus
 * leaves the row before the list unmounts it. A focused row removed by the list's commit makes
 * Chromium lay the list out half-updated, which clamps (moves) its scroll position.
 */
const PARK_BEYOND_PX = 300;

export interface RowFocusControls {
  context: FocusContext;
  /** the scroller's keydown (after the list's own handling) */
  onKeyDown: (e: KeyboardEvent) => void;
  /** the scroller's focusin: a click or a Tab onto a row makes it the focused row */
  onFocusIn: (e: FocusEvent) => void;
  /** a scroll request asked for DOM focus on its row: focus it once it is rendered */
  requestFocus: () => void;
  /** a scroll of the list, seen before the list itself handles it (a capture listener on its parent) */
  onScrollCapture: () => void;
}

export function useRowFocus(opts: RowFocusOptions): RowFocusControls {
  const latest = useRef(opts);
  latest.current = opts;
  /** The row a move or a jump asked to focus: it takes the focus as soon as it is rendered. */
  const pending = useRef<RowFocus | null>(null);
  const retryFrame = useRef(0);
  useEffect(() => () => cancelAnimationFrame(retryFrame.current), []);
  // The user put the focus somewhere else (a toolbar button, another field) before the row was
  // shown: the request is dropped, never taking the focus back from them.
  const { scroller } = opts;
  useEffect(() => {
    const onFocusIn = (e: FocusEvent) => {
      if (pending.current && !(e.target instanceof Node && scroller.current?.contains(e.target))) pending.current = null;
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, [scroller]);
  const focusIndex = indexOfFocus(opts.model, opts.focus);
  const focusLocal = focusIndex === null ? -1 : focusIndex - opts.win.start;

  /** Focuses the focused row if it is rendered and can take it; true once it has it. */
  const focusNow = useCallback((item: HTMLElement): boolean => {
    focusTarget(item).focus(FOCUS_OPTIONS);
    if (!item.contains(document.activeElement)) return false;
    pending.current = null;
    return true;
  }, []);

  /** Tries the pending focus each frame until the row takes it (or FOCUS_RETRY_FRAMES pass). */
  const retry = useCallback(() => {
    if (retryFrame.current) return;
    let frames = 0;
    const step = () => {
      retryFrame.current = 0;
      if (!pending.current) return;
      const { scroller, model, win } = latest.current;
      const index = indexOfFocus(model, pending.current);
      const item = index === null ? null : scroller.current?.querySelector<HTMLElement>(`.ls-item[data-index="${index - win.start}"]`);
      if (item && focusNow(item)) return;
      if (++frames > FOCUS_RETRY_FRAMES) pending.current = null;
      else retryFrame.current = requestAnimationFrame(step);
    };
    step();
  }, [focusNow]);

  const focusRef = useCallback((el: HTMLDivElement | null) => {
    if (!el) return undefined;
    if (el.hasAttribute('data-focused')) {
      // The focused row is rendered (again): it takes the focus back from the scroller, or
      // takes the focus a move or a jump asked for.
      // (after the commit: see below)
      const scroller = latest.current.scroller.current;
      if (pending.current) retry();
      else if (scroller !== null && document.activeElement === scroller) queueMicrotask(() => el.isConnected && focusNow(el));
    }
    return () => {
      // Being unmounted (scrolled away) while it has the focus: the focus is parked on the
      // scroller, which still takes the keys, until the row comes back. Only once the list's
      // commit is over: moving the focus in the middle of it makes Chromium lay the list out
      // half-updated, which clamps (moves) its scroll position.
      if (!el.contains(document.activeElement)) return;
      queueMicrotask(() => {
        if (document.activeElement !== null && document.activeElement !== document.body) return;
        // the same commit may have rendered the focused row anew (a new element for it)
        const scroller = latest.current.scroller.current;
        const again = scroller?.querySelector<HTMLElement>('.ls-item[data-focused]');
        if (!again || !focusNow(again)) scroller?.focus({ preventScroll: true });
      });
    };
  }, [focusNow, retry]);

  const requestFocus = useCallback(() => {
    pending.current = latest.current.focus;
    retry();
  }, [retry]);

  const move = useCallback((how: FocusMove) => {
    const { model, win, focus, scroller, list, rendered, headerPx, following } = latest.current;
    const el = scroller.current;
    if (!el) return;
    const top = el.scrollTop - headerPx.current + TOP_PROBE_PX;
    const firstOnScreen = rendered.current.find((p) => p.offset + p.size > top);
    const fallback = win.start + (firstOnScreen?.index ?? 0);
    const page = Math.max(1, Math.floor((el.clientHeight - STICKY_PX) / ROW_PX) - 1);
    // From the row the last move asked for (still on its way), else the row that has the focus:
    // keys pressed faster than the viewer re-renders must not start from the state's older row.
    const active = document.activeElement;
    const activeItem = active instanceof Element && active !== el && el.contains(active) ? active.closest<HTMLElement>('.ls-item') : null;
    const from = pending.current
      ? indexOfFocus(model, pending.current)
      : activeItem
        ? win.start + Number(activeItem.dataset.index)
        : indexOfFocus(model, focus);
    const index = nextFocusIndex(model, from, how, fallback, page);
    const row = index === null ? null : rowAt(model, index);
    if (index === null || !row) return;
    if (following && UPWARD.has(how)) latest.current.onFollowChange(false);
    const next = focusOfRow(row);
    const local = index - win.start;
    if (!rendered.current.some((p) => p.index === local)) {
      // A row the list has not rendered (so not measured): the viewer issues a scroll request,
      // which lands it however tall the rows on the way are, and asks for the focus there.
      pending.current = next;
      latest.current.onFocusRow(next, index);
      return;
    }
    latest.current.onFocusRow(next);
    list.current?.scrollIntoView({ index: local, calculateViewLocation: clearOfStickyBar });
    pending.current = next;
    retry();
  }, [retry]);

  const onKeyDown = useCallback((e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const typing = isTypingTarget(e.target);
    const id = shortcutFor({ key: e.key, shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, typing, inLog: true });
    const how = id ? MOVES[id] : undefined;
    if (how) {
      e.preventDefault();
      move(how);
      return;
    }
    // Enter on a focused line selects it, as a click on its number does (Shift extends).
    if (e.key === 'Enter' && !typing && e.target instanceof HTMLElement && e.target.classList.contains('ls-item')) {
      const { model, win } = latest.current;
      const row = rowAt(model, win.start + Number(e.target.dataset.index));
      if (row?.kind === 'line') {
        e.preventDefault();
        latest.current.onLineClick(row.section.step.id, row.n, e.shiftKey);
      }
    }
  }, [move]);

  const onFocusIn = useCallback((e: FocusEvent) => {
    const item = e.target instanceof Element ? e.target.closest<HTMLElement>('.ls-item') : null;
    if (!item) return;
    const { model, win, focus } = latest.current;
    const row = rowAt(model, win.start + Number(item.dataset.index));
    if (!row) return;
    const next = focusOfRow(row);
    if (sameFocus(focus, next)) return;
    // the user put the focus on another row (a click): it wins over a pending request
    if (!sameFocus(pending.current, next)) pending.current = null;
    latest.current.onFocusRow(next);
  }, []);

  const onScrollCapture = useCallback(() => {
    const scroller = latest.current.scroller.current;
    const active = document.activeElement;
    if (!scroller || !(active instanceof HTMLElement) || active === scroller || !scroller.contains(active)) return;
    const view = scroller.getBoundingClientRect();
    const box = active.getBoundingClientRect();
    if (box.bottom < view.top - PARK_BEYOND_PX || box.top > view.bottom + PARK_BEYOND_PX) scroller.focus({ preventScroll: true });
  }, []);

  return { context: { focusLocal, focusRef }, onKeyDown, onFocusIn, requestFocus, onScrollCapture };
}
