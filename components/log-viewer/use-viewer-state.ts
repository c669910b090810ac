'use client';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { JobStatus } from '@/lib/contracts';
import type { RowFocus } from '@/lib/viewer/focus';
import type { JobLink } from '@/lib/viewer/hash';
import type { LinkTools } from '@/lib/viewer/links';
import { chooseLanding } from '@/lib/viewer/landing';
import { linkTarget } from '@/lib/viewer/navigate';
import { buildRowModel, type RowModel } from '@/lib/viewer/rows';
import type { StepSection } from '@/lib/viewer/sections';
import { goToDefaultStep, initViewerState, reduce, windowOf, type ViewerState } from '@/lib/viewer/viewer-state';
import type { RowWindow } from '@/lib/viewer/window';

/** Range fetches wait until scrolling pauses this long (a scrollbar drag crosses many pages). */
const FETCH_DEBOUNCE_MS = 80;

export interface ViewerControls {
  state: ViewerState;
  model: RowModel;
  win: RowWindow;
  /**
   * Goes to a link the user chose and puts it in the address bar; false if it leads nowhere.
   * Keyboard focus moves to the target row once it is shown, unless `focus: false` (e.g. a
   * jump asked for from a text field that keeps the focus, or by a host page).
   */
  goTo: (link: JobLink, opts?: { focus?: boolean }) => boolean;
  /** The same for what was typed into "go to line"; false if it names no line or step shown. */
  goToInput: (input: string) => boolean;
  onLineClick: (step: string, n: number, extend: boolean) => void;
  onToggle: (key: string, open: boolean) => void;
  onSetAll: (open: boolean) => void;
  onHidden: (step: string, hidden: boolean) => void;
  onExpandLine: (step: string, n: number) => void;
  onFollowChange: (following: boolean) => void;
  onJumpToLive: () => void;
  onShiftWindow: (direction: -1 | 1) => void;
  onScrollDone: (seq: number) => void;
  onVisibleRows: (first: number, last: number) => void;
  /** stop waiting for a line not written yet (or dismiss that it never came) */
  onCancelWait: () => void;
  /** The keyboard focus moved to `focus` (row `index`: given when the list may have to move its window there). */
  onFocusRow: (focus: RowFocus | null, index?: number) => void;
}

/** Runs the latest call after `ms` of quiet. */
function debouncer(ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    call(fn: () => void) {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}

/**
 * The viewer's state (lib/viewer/viewer-state.ts) with its side effects: the address bar
 * (read on load and on `hashchange`, written in one place), the end of follow mode when the
 * job ends, and the debounce of the visible-rows reports.
 */
export function useViewerState(opts: {
  sections: readonly StepSection[];
  onlyStep?: string;
  links: LinkTools;
  /** the job's status; undefined until its metadata is loaded */
  status: JobStatus | undefined;
  /** follow without a link in the URL (default: when the job is running) */
  follow?: boolean;
  /**
   * Whether this viewer owns the address bar's hash (default true: Logscope's own pages). An
   * embedded viewer (one of several on a host page) neither reads nor writes it: it opens at
   * `initialLink` instead, and reports clicks through its own callback.
   */
  urlHash?: boolean;
  /** where to open when `urlHash` is false (null: the default place) */
  initialLink?: JobLink | null;
  /** the step name this browser remembers (a passed job opens it; lib/viewer/landing.ts) */
  remembered?: () => string | null;
}): ViewerControls {
  const { sections, onlyStep, links, status, follow } = opts;
  const urlHash = opts.urlHash ?? true;
  const initialLink = opts.initialLink ?? null;
  const [state, dispatch] = useReducer(reduce, onlyStep, initViewerState);
  const { view } = state;
  const model = useMemo(() => buildRowModel(sections, view, onlyStep ? { onlyStep } : {}), [sections, view, onlyStep]);
  const win = windowOf(state, model.total);
  const total = model.total;
  const running = status === 'running';

  // The one writer of the address bar: it shows the link the user last chose.
  const { address } = state;
  useEffect(() => {
    if (!address) return;
    // '' is "the page itself" (a whole step on its own page): nothing to put in the URL.
    const hash = urlHash ? links.hash(address.link) : '';
    if (hash) window.history.replaceState(window.history.state, '', hash);
  }, [address, links, urlHash]);

  const { ready } = state;
  // read once, at load
  const rememberedRef = useRef(opts.remembered);
  useEffect(() => {
    if (status === undefined || ready) return;
    const link = urlHash ? links.parseHash(window.location.hash) : initialLink;
    const steps = sections.map((s) => s.step);
    const landing = link ? null : chooseLanding(status, steps, { ...(onlyStep !== undefined ? { onlyStep } : {}), remembered: rememberedRef.current?.() ?? null });
    // A page's own link (its hash) takes the keyboard focus; an embedded viewer never takes it on load.
    dispatch({ type: 'load', link, landing, follow: follow ?? status === 'running', running: status === 'running', sections, focus: urlHash });
  }, [status, ready, links, follow, sections, urlHash, initialLink, onlyStep]);

  // A line waited for: every new line count or status may bring it (or end the wait).
  const { waiting } = state;
  useEffect(() => {
    if (waiting) dispatch({ type: 'progress', sections, running });
  }, [waiting, sections, running]);

  // The sections as of the last render: live lines change them every frame, and re-attaching
  // the listener for each showed in the live profile (docs/bench/issue-9-profiles.md).
  const sectionsRef = useRef(sections);
  sectionsRef.current = sections;
  const runningRef = useRef(running);
  runningRef.current = running;
  useEffect(() => {
    if (!urlHash) return;
    const onHash = () => {
      const link = links.parseHash(window.location.hash);
      if (link) dispatch({ type: 'navigate', link, sections: sectionsRef.current, writeUrl: false, running: runningRef.current, focus: true });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [links, urlHash]);

  // A job that ends while followed stays where it is (at its end) but stops following.
  const { following } = state;
  useEffect(() => {
    if (status !== undefined && !running && following) dispatch({ type: 'setFollowing', following: false, total, running });
  }, [status, running, following, total]);

  const [visibleDebounce] = useState(() => debouncer(FETCH_DEBOUNCE_MS));
  useEffect(() => () => visibleDebounce.cancel(), [visibleDebounce]);
  const onVisibleRows = useCallback(
    (first: number, last: number) => visibleDebounce.call(() => dispatch({ type: 'visibleRows', first, last })),
    [visibleDebounce],
  );

  const goTo = useCallback(
    (link: JobLink, opts?: { focus?: boolean }): boolean => {
      if (!linkTarget(sections, link, onlyStep)) return false;
      dispatch({ type: 'navigate', link, sections, writeUrl: true, running, focus: opts?.focus ?? true });
      return true;
    },
    [sections, onlyStep, running],
  );
  const goToInput = (input: string): boolean => {
    const link = links.parseGoTo(input, goToDefaultStep(state, sections));
    return link !== null && goTo(link);
  };

  // Stable: the list and the rows compare these by identity.
  const onLineClick = useCallback((step: string, n: number, extend: boolean) => dispatch({ type: 'selectLine', step, n, extend }), []);
  const onToggle = useCallback((key: string, open: boolean) => dispatch({ type: 'toggle', key, open }), []);
  const onSetAll = useCallback((open: boolean) => dispatch({ type: 'setAll', open }), []);
  const onHidden = useCallback((step: string, hidden: boolean) => dispatch({ type: 'setHidden', step, hidden }), []);
  const onExpandLine = useCallback((step: string, n: number) => dispatch({ type: 'expandLine', step, n }), []);
  const onScrollDone = useCallback((seq: number) => dispatch({ type: 'scrollDone', seq }), []);
  const onFollowChange = useCallback((next: boolean) => dispatch({ type: 'setFollowing', following: next, total, running }), [total, running]);
  const onJumpToLive = useCallback(() => dispatch({ type: 'jumpToLive', total }), [total]);
  const onShiftWindow = useCallback((direction: -1 | 1) => dispatch({ type: 'shiftWindow', direction, total }), [total]);
  const onCancelWait = useCallback(() => dispatch({ type: 'cancelWait' }), []);
  const onFocusRow = useCallback(
    (focus: RowFocus | null, index?: number) => dispatch(index === undefined ? { type: 'focusRow', focus } : { type: 'focusRow', focus, index, total }),
    [total],
  );

  return {
    state,
    model,
    win,
    goTo,
    goToInput,
    onLineClick,
    onToggle,
    onSetAll,
    onHidden,
    onExpandLine,
    onFollowChange,
    onJumpToLive,
    onShiftWindow,
    onScrollDone,
    onVisibleRows,
    onCancelWait,
    onFocusRow,
  };
}
