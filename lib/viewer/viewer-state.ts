import { INITIAL_VIEW_STATE, setAll, setHidden, setOpen, type ViewState } from './collapse';
import { sameFocus, type RowFocus } from './focus';
import { selectLine, type JobLink } from './hash';
import { planNavigation } from './navigate';
import type { StepSection } from './sections';
import { refitWindow, shiftWindow, windowAround, windowAtEnd, type RowWindow } from './window';

/**
 * One viewer's navigation state, as a reducer (the hook over it is
 * components/log-viewer/use-viewer-state.ts; it owns the side effects).
 *
 * - Load: the first metadata applies the URL's link; a page without one (or with a link to
 *   nothing) goes to its landing (lib/viewer/landing.ts: a failed job's first error, a passed
 *   job's remembered or last step), shown a few rows below the top and not written to the
 *   address bar; without a landing it follows when asked to, or when the job is running.
 * - Navigate (a deep link, "go to", a search match, a step click): opens what hides the
 *   target, stops following, moves the window to it, selects the lines it names, and mounts a
 *   fresh list (`listEpoch`) that opens at the target. User navigation also sets `address`,
 *   the link the address bar is to show; a hash the user typed is already there.
 * - Select: a click selects a line, a shift-click extends the selection; both set `address`.
 * - Follow: following holds the window at the end of the rows. Only a running job is
 *   followed; leaving follow mode freezes the window where following had it.
 * - Window: while not following, the window starts at `windowStart` (refitted to the rows
 *   there are); paging it moves it by half and scrolls to the first row it brought in.
 * - Wait: a link to a line its step has not written yet, while the step may still write it
 *   (running or pending, in a running job), lands on the step's last line and waits
 *   (`waiting`); each `progress` (new lines, new statuses) checks it: the line arrived → go
 *   there; the step or job ended first → `missed`, on the last line. A link beyond the end of a
 *   finished step is `missed` at once. Any other move, or `cancelWait`, ends the wait.
 * - Scroll commands: every move that scrolls issues a `scrollRequest` with a new `seq`; the
 *   list reports that seq done, which clears the request.
 * - Keyboard focus (roving, lib/viewer/focus.ts): `focus` is the row the keyboard is on, kept
 *   as the line it shows, so it survives the row being unmounted by the virtual list. A
 *   navigation moves it to its target, and its scroll request says whether DOM focus follows
 *   (`focus: true`): the list focuses the row once it is rendered.
 */
export interface ViewerState {
  /** Shows only this step (a step page): its section starts open, links elsewhere lead nowhere. */
  onlyStep: string | undefined;
  /** The first metadata has arrived and the URL's link was applied. */
  ready: boolean;
  view: ViewState;
  selection: JobLink | null;
  following: boolean;
  /** First row of the window while not following (refitted to the row count when read). */
  windowStart: number;
  /** Rows on screen, debounced: range fetches cover them. */
  visible: { first: number; last: number };
  scrollRequest: ScrollRequest | null;
  /** `seq` of the last scroll request issued. */
  seq: number;
  /** Key of the virtual list: a new list per navigation (see `navigate`). */
  listEpoch: number;
  /** `${step}:${n}` of long lines shown in full. */
  expandedLines: ReadonlySet<string>;
  /** What the address bar is to show; a new object each time it is to be written. */
  address: { link: JobLink } | null;
  /** A link to a line not written yet that the viewer waits for (see "Wait"). */
  waiting: JobLink | null;
  /** A link to a line that was never written: the viewer shows its step's last line instead. */
  missed: JobLink | null;
  /** The row the keyboard is on (roving focus); null until a move or a navigation sets it. */
  focus: RowFocus | null;
}

export interface ScrollRequest {
  /** row index in the whole model */
  index: number;
  align: 'start' | 'center' | 'end';
  seq: number;
  /** move DOM focus to the row once the list has rendered it (state.focus names the row) */
  focus?: boolean;
}

export type ViewerAction =
  /**
   * the metadata arrived; `link` is the URL's, `landing` where to open without one (null: follow
   * if `follow`), `running` whether the job is; `focus`: DOM focus goes to the link's row (see
   * ScrollRequest.focus)
   */
  | { type: 'load'; link: JobLink | null; landing?: JobLink | null; follow: boolean; running?: boolean; sections: readonly StepSection[]; focus?: boolean }
  /** `writeUrl`: the link came from the user, not from the address bar */
  | { type: 'navigate'; link: JobLink; sections: readonly StepSection[]; writeUrl: boolean; running?: boolean; focus?: boolean }
  /** lines or statuses changed: a line waited for may have arrived, or never will */
  | { type: 'progress'; sections: readonly StepSection[]; running: boolean }
  | { type: 'cancelWait' }
  /**
   * The keyboard focus moves to `focus`, at row `index` of a model of `total` rows. The list
   * scrolls rows it has rendered into view itself; a row it has not (`index` given) is scrolled
   * to (centred) and focused once shown, the window moving there when it is outside it.
   */
  | { type: 'focusRow'; focus: RowFocus | null; index?: number; total?: number }
  | { type: 'selectLine'; step: string; n: number; extend: boolean }
  | { type: 'toggle'; key: string; open: boolean }
  | { type: 'setAll'; open: boolean }
  | { type: 'setHidden'; step: string; hidden: boolean }
  | { type: 'expandLine'; step: string; n: number }
  /** the list reached (true) or left (false) the bottom, or the job ended (false) */
  | { type: 'setFollowing'; following: boolean; total: number; running: boolean }
  | { type: 'jumpToLive'; total: number }
  | { type: 'shiftWindow'; direction: -1 | 1; total: number }
  | { type: 'scrollDone'; seq: number }
  | { type: 'visibleRows'; first: number; last: number };

/** Rows assumed on screen on each side of a navigation target until the list reports its range. */
const TARGET_SCREEN_ROWS = 60;
/** Rows assumed on screen before the list first reports its range. */
const FIRST_SCREEN_ROWS = 100;
/**
 * Rows shown above a landing line (a failed job's first error): the command or test name just
 * before it says what failed. Top-aligned, so the server-rendered first screen
 * (lib/viewer/first-screen.ts) shows the same rows as the list that replaces it.
 */
export const LANDING_CONTEXT_ROWS = 5;

export function initViewerState(onlyStep?: string): ViewerState {
  return {
    onlyStep,
    ready: false,
    view: onlyStep ? setOpen(INITIAL_VIEW_STATE, onlyStep, true) : INITIAL_VIEW_STATE,
    selection: null,
    following: false,
    windowStart: 0,
    visible: { first: 0, last: FIRST_SCREEN_ROWS },
    scrollRequest: null,
    seq: 0,
    listEpoch: 0,
    expandedLines: new Set(),
    address: null,
    waiting: null,
    missed: null,
    focus: null,
  };
}

/** The window the list holds: the end while following, else where the user left it. */
export function windowOf(state: ViewerState, total: number): RowWindow {
  return state.following ? windowAtEnd(total) : refitWindow({ start: state.windowStart, size: 0 }, total);
}

/** The step a bare line number typed into "go to" means: the selection's, else the first with lines. */
export function goToDefaultStep(state: ViewerState, sections: readonly StepSection[]): string | undefined {
  return state.selection?.step ?? sections.find((s) => s.lines > 0)?.step.id;
}

function scrollTo(state: ViewerState, index: number, align: ScrollRequest['align'], focus = false): ViewerState {
  const seq = state.seq + 1;
  return { ...state, seq, scrollRequest: focus ? { index, align, seq, focus } : { index, align, seq } };
}

/** Whether a step may still write lines: it runs, or waits to, in a running job. */
function mayWrite(section: StepSection, running: boolean): boolean {
  return running && (section.step.status === 'running' || section.step.status === 'pending');
}

/**
 * Null when the link leads nowhere (an unknown step, or another step than a step page's).
 * `landing`: the place to open at without a link, shown LANDING_CONTEXT_ROWS below the top;
 * `focus`: DOM focus follows (see ScrollRequest.focus).
 */
function navigate(state: ViewerState, link: JobLink, sections: readonly StepSection[], opts: { running: boolean; focus: boolean; landing?: boolean }): ViewerState | null {
  const { running, focus, landing = false } = opts;
  const plan = planNavigation(sections, state.view, link, state.onlyStep);
  if (!plan) return null;
  const section = sections.find((s) => s.step.id === link.step);
  const beyond = link.lines !== undefined && section !== undefined && link.lines.from > section.lines;
  const waits = beyond && mayWrite(section, running);
  const moved: ViewerState = {
    ...state,
    view: plan.view,
    selection: link.lines ? link : null,
    waiting: waits ? link : null,
    missed: beyond && !waits ? link : null,
    following: false,
    windowStart: plan.windowStart,
    visible: { first: plan.index - TARGET_SCREEN_ROWS, last: plan.index + TARGET_SCREEN_ROWS },
    // Each navigation mounts a fresh list that opens at its target (initialTopMostItemIndex):
    // scrollToIndex on a list that was at its bottom while short (a collapsed job) and has just
    // grown by 100k rows lands at the new bottom instead of the target.
    listEpoch: state.listEpoch + 1,
    focus: plan.focus,
  };
  if (landing && link.lines) return scrollTo(moved, Math.max(0, plan.index - LANDING_CONTEXT_ROWS), 'start', focus);
  return scrollTo(moved, plan.index, link.lines ? 'center' : 'start', focus);
}

/** A waited-for line arrived (go there), or its step or job ended first (missed, on the last line). */
function progress(state: ViewerState, sections: readonly StepSection[], running: boolean): ViewerState {
  const link = state.waiting;
  if (!link?.lines) return state;
  const section = sections.find((s) => s.step.id === link.step);
  if (!section) return { ...state, waiting: null };
  if (section.lines >= link.lines.from) return navigate(state, link, sections, { running, focus: true }) ?? { ...state, waiting: null };
  if (mayWrite(section, running)) return state;
  return navigate(state, link, sections, { running, focus: false }) ?? { ...state, waiting: null, missed: link };
}

function setFollowing(state: ViewerState, following: boolean, total: number, running: boolean): ViewerState {
  if (following === state.following) return state;
  // Reaching the bottom of a finished log is not following it: nothing will be appended, and
  // following would pull the view to the end whenever a section is expanded.
  if (following) return running ? { ...state, following } : state;
  return { ...state, following, windowStart: windowAtEnd(total).start };
}

export function reduce(state: ViewerState, action: ViewerAction): ViewerState {
  switch (action.type) {
    case 'load': {
      if (state.ready) return state;
      const running = action.running ?? false;
      const focus = action.focus ?? false;
      const arrived = action.link ? navigate(state, action.link, action.sections, { running, focus }) : null;
      if (arrived) return { ...arrived, ready: true };
      // the landing is not a link the user chose: it takes no DOM focus
      const landed = action.landing && !action.follow ? navigate(state, action.landing, action.sections, { running, focus: false, landing: true }) : null;
      return landed ? { ...landed, ready: true } : { ...state, following: action.follow, ready: true };
    }
    case 'navigate': {
      const arrived = navigate(state, action.link, action.sections, { running: action.running ?? false, focus: action.focus ?? false });
      if (!arrived) return state;
      return action.writeUrl ? { ...arrived, address: { link: action.link } } : arrived;
    }
    case 'selectLine': {
      const selection = selectLine(state.selection, action.step, action.n, action.extend);
      return { ...state, selection, address: { link: selection }, waiting: null, missed: null };
    }
    case 'progress':
      return progress(state, action.sections, action.running);
    case 'cancelWait':
      return state.waiting || state.missed ? { ...state, waiting: null, missed: null } : state;
    case 'toggle':
      return { ...state, view: setOpen(state.view, action.key, action.open) };
    case 'setAll':
      return { ...state, view: setAll(state.view, action.open) };
    case 'setHidden':
      return { ...state, view: setHidden(state.view, action.step, action.hidden) };
    case 'expandLine':
      return { ...state, expandedLines: new Set(state.expandedLines).add(`${action.step}:${action.n}`) };
    case 'setFollowing':
      return setFollowing(state, action.following, action.total, action.running);
    case 'jumpToLive':
      return scrollTo({ ...state, following: true, waiting: null }, action.total - 1, 'end');
    case 'shiftWindow': {
      const win = windowOf(state, action.total);
      const next = shiftWindow(win, action.total, action.direction);
      const moved = { ...state, windowStart: next.start };
      // Scroll to the first row the move brought in, next to where the user was.
      return action.direction < 0 ? scrollTo(moved, win.start - 1, 'end') : scrollTo(moved, win.start + win.size, 'start');
    }
    case 'focusRow': {
      const same = sameFocus(state.focus, action.focus);
      const { index, total } = action;
      if (index === undefined || total === undefined) return same ? state : { ...state, focus: action.focus };
      const win = windowOf(state, total);
      const moved = { ...state, focus: action.focus, following: false };
      // A scroll request lands the row however tall the rows on the way turn out to be.
      if (index >= win.start && index < win.start + win.size) return scrollTo({ ...moved, windowStart: win.start }, index, 'center', true);
      // Outside the window: move the window there (as a jump does).
      return scrollTo({ ...moved, windowStart: windowAround(total, index).start }, index, 'center', true);
    }
    case 'scrollDone':
      return state.scrollRequest?.seq === action.seq ? { ...state, scrollRequest: null } : state;
    case 'visibleRows': {
      const { first, last } = action;
      return state.visible.first === first && state.visible.last === last ? state : { ...state, visible: { first, last } };
    }
  }
}
