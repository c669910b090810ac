import { describe, expect, it } from 'vitest';
import { isStepOpen } from './collapse';
import { MAX_WINDOW_ROWS } from './constants';
import type { JobLink } from './hash';
import { buildRowModel, rowAt } from './rows';
import { buildSections } from './sections';
import { group, step } from './test-helpers';
import { goToDefaultStep, initViewerState, LANDING_CONTEXT_ROWS, reduce, windowOf, type ViewerAction, type ViewerState } from './viewer-state';

const sections = buildSections([
  step('setup', 30, 'success'),
  step('huge', 1_000_000, 'success', { groups: [group('tail', 899_000, 999_000, { collapsed: true })] }),
  step('deploy', 10, 'success', { internal: true }),
]);
const BIG = 1_200_000;

function run(state: ViewerState, ...actions: ViewerAction[]): ViewerState {
  return actions.reduce(reduce, state);
}

/** The row the state's scroll request points at, in the rows its view shows. */
function target(state: ViewerState) {
  return state.scrollRequest ? rowAt(buildRowModel(sections, state.view, state.onlyStep ? { onlyStep: state.onlyStep } : {}), state.scrollRequest.index) : null;
}

const ready = run(initViewerState(), { type: 'load', link: null, follow: false, sections });
const following = run(initViewerState(), { type: 'load', link: null, follow: true, sections });
const line = (s: string, from: number, to = from): JobLink => ({ step: s, lines: { from, to } });

describe('load', () => {
  const cases: { name: string; link: JobLink | null; follow: boolean; want: Partial<ViewerState>; row?: object }[] = [
    { name: 'no link: follows when asked', link: null, follow: true, want: { ready: true, following: true, selection: null, scrollRequest: null, listEpoch: 0 } },
    { name: 'no link: stays at the top otherwise', link: null, follow: false, want: { ready: true, following: false, scrollRequest: null } },
    {
      name: 'a line link wins over follow and selects the line',
      link: line('setup', 5),
      follow: true,
      want: { ready: true, following: false, selection: line('setup', 5), listEpoch: 1, address: null },
      row: { kind: 'line', n: 5 },
    },
    { name: 'a step link opens the step, selects nothing', link: { step: 'deploy' }, follow: false, want: { ready: true, selection: null }, row: { kind: 'step', open: true } },
    { name: 'a link to nothing falls back to follow', link: { step: 'nope' }, follow: true, want: { ready: true, following: true, selection: null, listEpoch: 0 } },
  ];
  it.each(cases)('$name', ({ link, follow, want, row }) => {
    const state = reduce(initViewerState(), { type: 'load', link, follow, sections });
    expect(state).toMatchObject(want);
    if (row) expect(target(state)).toMatchObject(row);
  });

  it('happens once', () => {
    expect(reduce(ready, { type: 'load', link: line('setup', 5), follow: true, sections })).toBe(ready);
  });
});

describe('navigate', () => {
  const cases: { name: string; from: ViewerState; link: JobLink; writeUrl: boolean; want: Partial<ViewerState>; align: string; row: object }[] = [
    {
      name: 'a typed or clicked line is selected, centred and written to the URL',
      from: ready,
      link: line('setup', 3, 5),
      writeUrl: true,
      want: { selection: line('setup', 3, 5), address: { link: line('setup', 3, 5) } },
      align: 'center',
      row: { kind: 'line', n: 3 },
    },
    {
      name: 'a hash the user typed is not written back',
      from: ready,
      link: line('setup', 7),
      writeUrl: false,
      want: { selection: line('setup', 7), address: null },
      align: 'center',
      row: { kind: 'line', n: 7 },
    },
    {
      name: 'a step opens at its header and clears the selection',
      from: run(ready, { type: 'selectLine', step: 'setup', n: 2, extend: false }),
      link: { step: 'setup' },
      writeUrl: true,
      want: { selection: null, address: { link: { step: 'setup' } } },
      align: 'start',
      row: { kind: 'step' },
    },
    {
      name: 'stops following',
      from: following,
      link: line('setup', 1),
      writeUrl: false,
      want: { following: false },
      align: 'center',
      row: { kind: 'line', n: 1 },
    },
    {
      name: 'line 900,000 inside a collapsed group: opened, windowed, fetched around',
      from: ready,
      link: line('huge', 900_000),
      writeUrl: false,
      want: {},
      align: 'center',
      row: { kind: 'line', n: 900_000, depth: 1 },
    },
  ];
  it.each(cases)('$name', ({ from, link, writeUrl, want, align, row }) => {
    const state = reduce(from, { type: 'navigate', link, sections, writeUrl });
    expect(state).toMatchObject(want);
    expect(state.scrollRequest).toMatchObject({ align, seq: from.seq + 1 });
    expect(state.listEpoch).toBe(from.listEpoch + 1);
    expect(target(state)).toMatchObject(row);
    const index = state.scrollRequest!.index;
    const total = buildRowModel(sections, state.view).total;
    const win = windowOf(state, total);
    expect(win.start <= index && index < win.start + win.size).toBe(true);
    expect(state.visible).toEqual({ first: index - 60, last: index + 60 });
  });

  it.each([
    { name: 'an unknown step', from: ready, link: { step: 'nope' } },
    { name: 'another step than a step page shows', from: run(initViewerState('huge'), { type: 'load', link: null, follow: false, sections }), link: line('setup', 1) },
  ])('leads nowhere: $name', ({ from, link }) => {
    expect(reduce(from, { type: 'navigate', link, sections, writeUrl: true })).toBe(from);
  });

  it('a step page opens its step', () => {
    const state = initViewerState('huge');
    expect(isStepOpen(state.view, sections[1]!)).toBe(true);
    expect(target(reduce(state, { type: 'navigate', link: line('huge', 10), sections, writeUrl: false }))).toMatchObject({ kind: 'line', n: 10 });
  });
});

describe('line selection', () => {
  const cases: { name: string; actions: ViewerAction[]; want: JobLink }[] = [
    { name: 'a click selects one line', actions: [{ type: 'selectLine', step: 'setup', n: 4, extend: false }], want: line('setup', 4) },
    {
      name: 'a shift-click extends from the anchor',
      actions: [
        { type: 'selectLine', step: 'setup', n: 4, extend: false },
        { type: 'selectLine', step: 'setup', n: 9, extend: true },
      ],
      want: line('setup', 4, 9),
    },
    {
      name: 'a shift-click above the anchor orders the range',
      actions: [
        { type: 'selectLine', step: 'setup', n: 4, extend: false },
        { type: 'selectLine', step: 'setup', n: 2, extend: true },
      ],
      want: line('setup', 2, 4),
    },
    {
      name: 'a shift-click in another step starts over',
      actions: [
        { type: 'selectLine', step: 'setup', n: 4, extend: false },
        { type: 'selectLine', step: 'huge', n: 2, extend: true },
      ],
      want: line('huge', 2),
    },
  ];
  it.each(cases)('$name, and the URL shows it', ({ actions, want }) => {
    const state = run(ready, ...actions);
    expect(state.selection).toEqual(want);
    expect(state.address).toEqual({ link: want });
    expect(state.scrollRequest).toBeNull();
  });
});

describe('follow and window', () => {
  const atEnd = { start: BIG - MAX_WINDOW_ROWS, size: MAX_WINDOW_ROWS };
  const cases: { name: string; from: ViewerState; action: ViewerAction; want: Partial<ViewerState>; win?: object }[] = [
    {
      name: 'reaching the bottom of a running job follows it',
      from: ready,
      action: { type: 'setFollowing', following: true, total: BIG, running: true },
      want: { following: true },
      win: atEnd,
    },
    {
      name: 'leaving follow mode freezes the window at the end',
      from: following,
      action: { type: 'setFollowing', following: false, total: BIG, running: true },
      want: { following: false, windowStart: BIG - MAX_WINDOW_ROWS },
      win: atEnd,
    },
    {
      name: 'the job ending while followed does the same',
      from: following,
      action: { type: 'setFollowing', following: false, total: BIG, running: false },
      want: { following: false, windowStart: BIG - MAX_WINDOW_ROWS },
    },
    {
      name: 'jump to live follows and scrolls to the last row',
      from: ready,
      action: { type: 'jumpToLive', total: BIG },
      want: { following: true, scrollRequest: { index: BIG - 1, align: 'end', seq: 1 }, seq: 1 },
      win: atEnd,
    },
    {
      name: 'paging forward moves the window by half and scrolls to the first new row',
      from: ready,
      action: { type: 'shiftWindow', direction: 1, total: BIG },
      want: { windowStart: MAX_WINDOW_ROWS / 2, scrollRequest: { index: MAX_WINDOW_ROWS, align: 'start', seq: 1 } },
      win: { start: MAX_WINDOW_ROWS / 2, size: MAX_WINDOW_ROWS },
    },
    {
      name: 'paging back scrolls to the last new row',
      from: { ...ready, windowStart: BIG },
      action: { type: 'shiftWindow', direction: -1, total: BIG },
      want: {
        windowStart: BIG - MAX_WINDOW_ROWS - MAX_WINDOW_ROWS / 2,
        scrollRequest: { index: BIG - MAX_WINDOW_ROWS - 1, align: 'end', seq: 1 },
      },
    },
    {
      name: 'a small log is one window',
      from: { ...ready, windowStart: 40 },
      action: { type: 'shiftWindow', direction: 1, total: 900 },
      want: { windowStart: 0 },
      win: { start: 0, size: 900 },
    },
  ];
  it.each(cases)('$name', ({ from, action, want, win }) => {
    const state = reduce(from, action);
    expect(state).toMatchObject(want);
    if (win) expect(windowOf(state, 'total' in action ? (action.total ?? 0) : 0)).toEqual(win);
  });

  it.each([
    { name: 'the bottom of a finished log is not followed', from: ready, action: { type: 'setFollowing', following: true, total: BIG, running: false } },
    { name: 'following again is nothing new', from: following, action: { type: 'setFollowing', following: true, total: BIG, running: true } },
    { name: 'leaving follow mode twice does not move the window', from: ready, action: { type: 'setFollowing', following: false, total: BIG, running: true } },
  ] satisfies { name: string; from: ViewerState; action: ViewerAction }[])('no change: $name', ({ from, action }) => {
    expect(reduce(from, action)).toBe(from);
  });
});

describe('a finished log is never scrolled by its own state', () => {
  // The actions a finished step dispatched (e2e/viewer-groups.spec.ts, the real Buildkite log)
  // up to the expand after which the list jumped to its end: the list reports its bottom while
  // it fits on screen, visible rows arrive debounced, the user opens the step, then a group.
  const bk = buildSections([
    step('bk', 212, 'success', { groups: [group('g50', 50, 164, { collapsed: true }), group('g165', 165, 196, { collapsed: false })] }),
  ]);
  const sequence: { name: string; action: ViewerAction; total: number }[] = [
    { name: 'load without a link', action: { type: 'load', link: null, follow: false, sections: bk }, total: 1 },
    { name: 'the one-row list is at its bottom', action: { type: 'setFollowing', following: true, total: 1, running: false }, total: 1 },
    { name: 'its visible rows', action: { type: 'visibleRows', first: 0, last: 0 }, total: 1 },
    { name: 'the step opened', action: { type: 'toggle', key: 'bk', open: true }, total: 99 },
    { name: 'the visible rows after it', action: { type: 'visibleRows', first: 0, last: 45 }, total: 99 },
    { name: 'the group opened', action: { type: 'toggle', key: 'bk/g50', open: true }, total: 213 },
    { name: 'the longer list at its bottom again', action: { type: 'setFollowing', following: true, total: 213, running: false }, total: 213 },
  ];
  it.each(sequence.map((c, i) => ({ ...c, actions: sequence.slice(0, i + 1).map((s) => s.action) })))(
    'after $name: not following, no scroll request, the same list at the top',
    ({ actions, total }) => {
      const state = run(initViewerState(), ...actions);
      expect(state).toMatchObject({ following: false, scrollRequest: null, listEpoch: 0, windowStart: 0 });
      expect(buildRowModel(bk, state.view).total).toBe(total);
      expect(windowOf(state, total)).toEqual({ start: 0, size: total });
    },
  );
});

describe('scroll commands and visible rows', () => {
  it('a scroll request is cleared by its own seq only', () => {
    const first = reduce(ready, { type: 'jumpToLive', total: 100 });
    const second = reduce(first, { type: 'shiftWindow', direction: 1, total: 100 });
    expect(second.scrollRequest?.seq).toBe(2);
    expect(reduce(second, { type: 'scrollDone', seq: 1 })).toBe(second);
    expect(reduce(second, { type: 'scrollDone', seq: 2 }).scrollRequest).toBeNull();
  });

  it('visible rows change only when they differ', () => {
    const moved = reduce(ready, { type: 'visibleRows', first: 10, last: 70 });
    expect(moved.visible).toEqual({ first: 10, last: 70 });
    expect(reduce(moved, { type: 'visibleRows', first: 10, last: 70 })).toBe(moved);
  });
});

describe('collapse and long lines', () => {
  it('toggles, expands all, hides and shows long lines in full', () => {
    const setup = sections[0]!;
    const state = run(
      ready,
      { type: 'toggle', key: 'setup', open: true },
      { type: 'setHidden', step: 'deploy', hidden: false },
      { type: 'expandLine', step: 'setup', n: 3 },
    );
    expect(isStepOpen(state.view, setup)).toBe(true);
    expect(state.view.hidden.get('deploy')).toBe(false);
    expect(state.expandedLines.has('setup:3')).toBe(true);
    expect(ready.expandedLines.size).toBe(0);
    const collapsed = reduce(state, { type: 'setAll', open: false });
    expect(isStepOpen(collapsed.view, setup)).toBe(false);
    expect(buildRowModel(sections, collapsed.view).total).toBe(3);
  });
});

describe('go to', () => {
  it('a bare line number means the selected step, else the first step with lines', () => {
    const empty = buildSections([step('queued', 0, 'pending'), step('setup', 3)]);
    expect(goToDefaultStep(ready, empty)).toBe('setup');
    expect(goToDefaultStep(ready, buildSections([step('queued', 0, 'pending')]))).toBeUndefined();
    expect(goToDefaultStep(run(ready, { type: 'selectLine', step: 'huge', n: 1, extend: false }), empty)).toBe('huge');
  });
});

describe('landing (no link in the URL)', () => {
  const failed = buildSections([
    step('setup', 30, 'success'),
    step('test', 400, 'failure', { groups: [group('suite', 100, 300, { collapsed: true })], errors: { count: 2, first: 250, truncated: false } }),
  ]);
  it('opens what holds the landing line, selects it, shows it LANDING_CONTEXT_ROWS below the top, writes no URL', () => {
    const state = reduce(initViewerState(), { type: 'load', link: null, landing: line('test', 250), follow: false, sections: failed });
    expect(state).toMatchObject({ ready: true, following: false, selection: line('test', 250), address: null, waiting: null });
    const model = buildRowModel(failed, state.view);
    expect(state.scrollRequest).toMatchObject({ align: 'start' });
    expect(rowAt(model, state.scrollRequest!.index)).toMatchObject({ kind: 'line', n: 250 - LANDING_CONTEXT_ROWS });
    expect(rowAt(model, state.scrollRequest!.index + LANDING_CONTEXT_ROWS)).toMatchObject({ kind: 'line', n: 250, depth: 1 });
  });
  it('a step landing opens the step at its header', () => {
    const state = reduce(initViewerState(), { type: 'load', link: null, landing: { step: 'setup' }, follow: false, sections: failed });
    expect(rowAt(buildRowModel(failed, state.view), state.scrollRequest!.index)).toMatchObject({ kind: 'step', open: true, section: { key: 'setup' } });
  });
  it('a URL link wins over the landing; follow wins over it too', () => {
    expect(reduce(initViewerState(), { type: 'load', link: line('setup', 2), landing: line('test', 250), follow: false, sections: failed }).selection).toEqual(line('setup', 2));
    expect(reduce(initViewerState(), { type: 'load', link: null, landing: line('test', 250), follow: true, sections: failed })).toMatchObject({ following: true, scrollRequest: null });
  });
});

describe('waiting for a line not written yet', () => {
  const live = (lines: number, status: 'running' | 'success' = 'running') => buildSections([step('setup', 3), step('build', lines, status)]);
  const start = reduce(initViewerState(), { type: 'load', link: line('build', 50), follow: true, running: true, sections: live(10) });

  it('lands on the last line so far and waits', () => {
    expect(start).toMatchObject({ waiting: line('build', 50), missed: null, following: false });
    expect(rowAt(buildRowModel(live(10), start.view), start.scrollRequest!.index)).toMatchObject({ kind: 'line', n: 10 });
  });
  it('keeps waiting while lines arrive short of it', () => {
    expect(reduce(start, { type: 'progress', sections: live(49), running: true })).toBe(start);
  });
  it('goes there when it arrives', () => {
    const arrived = reduce(start, { type: 'progress', sections: live(60), running: true });
    expect(arrived).toMatchObject({ waiting: null, missed: null, selection: line('build', 50), scrollRequest: { align: 'center' } });
    expect(arrived.listEpoch).toBe(start.listEpoch + 1);
    expect(rowAt(buildRowModel(live(60), arrived.view), arrived.scrollRequest!.index)).toMatchObject({ kind: 'line', n: 50 });
  });
  it('says so when the step ends without it, on the last line', () => {
    const ended = reduce(start, { type: 'progress', sections: live(20, 'success'), running: true });
    expect(ended).toMatchObject({ waiting: null, missed: line('build', 50) });
    expect(rowAt(buildRowModel(live(20, 'success'), ended.view), ended.scrollRequest!.index)).toMatchObject({ kind: 'line', n: 20 });
  });
  it('and when the job ends (a pending step will never run)', () => {
    const pending = buildSections([step('setup', 3), step('build', 0, 'pending')]);
    const waiting = reduce(initViewerState(), { type: 'navigate', link: line('build', 5), sections: pending, writeUrl: false, running: true });
    expect(waiting.waiting).toEqual(line('build', 5));
    expect(reduce(waiting, { type: 'progress', sections: pending, running: false })).toMatchObject({ waiting: null, missed: line('build', 5) });
  });
  it('a link beyond a finished step is missed at once', () => {
    const state = reduce(initViewerState(), { type: 'load', link: line('setup', 99), follow: false, running: true, sections: live(10) });
    expect(state).toMatchObject({ waiting: null, missed: line('setup', 99) });
  });
  it('cancel, a click or another link ends the wait', () => {
    expect(reduce(start, { type: 'cancelWait' }).waiting).toBeNull();
    expect(reduce(start, { type: 'selectLine', step: 'build', n: 2, extend: false }).waiting).toBeNull();
    expect(reduce(start, { type: 'navigate', link: line('setup', 1), sections: live(10), writeUrl: true, running: true }).waiting).toBeNull();
    expect(reduce(start, { type: 'jumpToLive', total: 20 }).waiting).toBeNull();
    expect(reduce(ready, { type: 'cancelWait' })).toBe(ready);
  });
});

describe('keyboard focus', () => {
  it('a navigation puts the focus on its target; its scroll request asks for DOM focus only when told to', () => {
    const quiet = reduce(ready, { type: 'navigate', link: line('setup', 7), sections, writeUrl: true });
    expect(quiet.focus).toEqual({ step: 'setup', n: 7 });
    expect(quiet.scrollRequest?.focus).toBeUndefined();
    const loud = reduce(ready, { type: 'navigate', link: { step: 'huge' }, sections, writeUrl: true, focus: true });
    expect(loud.focus).toEqual({ step: 'huge', n: 0 });
    expect(loud.scrollRequest).toMatchObject({ focus: true });
    expect(target(loud)).toMatchObject({ kind: 'step', open: true });
    const linked = reduce(initViewerState(), { type: 'load', link: line('setup', 5), follow: false, sections, focus: true });
    expect(linked).toMatchObject({ focus: { step: 'setup', n: 5 }, scrollRequest: { focus: true } });
  });

  it('a line in a closed group is focused on the header of the group it opens when it is the marker', () => {
    // line 899000 opens the (collapsed) group "tail": the target row is its header
    const s = reduce(ready, { type: 'navigate', link: line('huge', 899_000), sections, writeUrl: true, focus: true });
    expect(target(s)).toMatchObject({ kind: 'group' });
    expect(s.focus).toEqual({ step: 'huge', n: 899_000 });
  });

  it('a move to a row the list has not rendered scrolls there, moving the window when it is outside it, and focuses it once shown', () => {
    const inside = reduce(ready, { type: 'focusRow', focus: { step: 'setup', n: 2 }, index: 2, total: 40 });
    expect(inside).toMatchObject({ focus: { step: 'setup', n: 2 }, windowStart: 0, scrollRequest: { index: 2, align: 'center', focus: true } });
    const far = reduce({ ...following, windowStart: 0 }, { type: 'focusRow', focus: { step: 'huge', n: 5 }, index: 5, total: BIG });
    expect(far).toMatchObject({ following: false, windowStart: 0, scrollRequest: { index: 5, align: 'center', focus: true } });
    const end = reduce(ready, { type: 'focusRow', focus: { step: 'huge', n: 1 }, index: BIG - 1, total: BIG });
    expect(end).toMatchObject({ windowStart: BIG - MAX_WINDOW_ROWS, scrollRequest: { index: BIG - 1, focus: true } });
  });

  it('focusRow without an index (a click, a collapse) only records the row', () => {
    expect(reduce(ready, { type: 'focusRow', focus: { step: 'huge', n: 3 } })).toMatchObject({ focus: { step: 'huge', n: 3 }, scrollRequest: null });
    expect(reduce(ready, { type: 'focusRow', focus: null })).toBe(ready);
  });
});
