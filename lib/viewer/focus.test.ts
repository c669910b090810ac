import { describe, expect, it } from 'vitest';
import { INITIAL_VIEW_STATE, setAll, setOpen, type ViewState } from './collapse';
import { focusOfRow, indexOfFocus, isHeaderRow, nextFocusIndex, sameFocus, type FocusMove, type RowFocus } from './focus';
import { buildRowModel, rowAt, type RowModel } from './rows';
import { buildSections } from './sections';
import { group, step } from './test-helpers';

/**
 * Rows of the test job (all open):
 *  0 S:setup  1 setup:1  2 setup:2
 *  3 S:build  4 build:1  5 G:deps(2..4)  6 build:3  7 G:inner(4..5)  8 build:5  9 build:6  10 build:7
 * 11 S:test  12 test:1
 */
const job = [
  step('setup', 2, 'success'),
  step('build', 7, 'failure', { groups: [group('deps', 2, 5), group('inner', 4, 5)] }),
  step('test', 1, 'running'),
];
const model = (state: ViewState = setAll(INITIAL_VIEW_STATE, true)): RowModel => buildRowModel(buildSections(job), state);

/** A row as a short string: `S:id`, `G:id`, `step:n`. */
function label(m: RowModel, i: number | null): string | null {
  if (i === null) return null;
  const r = rowAt(m, i);
  if (!r) return `?${i}`;
  return r.kind === 'step' ? `S:${r.section.step.id}` : r.kind === 'group' ? `G:${r.group.id}` : `${r.section.step.id}:${r.n}`;
}

describe('nextFocusIndex', () => {
  const m = model();
  it.each<[number | null, FocusMove, string]>([
    [4, 'line-next', 'G:deps'],
    [4, 'line-prev', 'S:build'],
    [0, 'line-prev', 'S:setup'],
    [12, 'line-next', 'test:1'],
    [1, 'section-next', 'S:build'],
    [3, 'section-next', 'G:deps'],
    [5, 'section-next', 'G:inner'],
    [8, 'section-next', 'S:test'],
    [11, 'section-next', 'test:1'],
    [12, 'section-next', 'test:1'],
    [10, 'section-prev', 'G:inner'],
    [7, 'section-prev', 'G:deps'],
    [5, 'section-prev', 'S:build'],
    [3, 'section-prev', 'S:setup'],
    [0, 'section-prev', 'S:setup'],
    [2, 'section-prev', 'S:setup'],
    [6, 'first', 'S:setup'],
    [6, 'last', 'test:1'],
    [null, 'last', 'test:1'],
    [2, 'page-next', 'build:1'],
    [10, 'page-next', 'test:1'],
    [2, 'page-prev', 'S:setup'],
  ])('from row %s, %s → %s', (from, move, want) => {
    expect(label(m, nextFocusIndex(m, from, move, 0, 2))).toBe(want);
  });

  it('nothing focused yet: a line or section move focuses the first row on screen', () => {
    expect(label(m, nextFocusIndex(m, null, 'line-next', 6))).toBe('build:3');
    expect(label(m, nextFocusIndex(m, null, 'section-prev', 6))).toBe('build:3');
    expect(label(m, nextFocusIndex(m, 99, 'line-next', 99))).toBe('test:1');
  });

  it('skips what closed sections hide', () => {
    const closed = model(setOpen(setAll(INITIAL_VIEW_STATE, true), 'build/deps', false));
    // 3 S:build 4 build:1 5 G:deps- 6 build:6 …
    expect(label(closed, nextFocusIndex(closed, 5, 'line-next'))).toBe('build:6');
    expect(label(closed, nextFocusIndex(closed, 5, 'section-next'))).toBe('S:test');
  });

  it('an empty model has nowhere to go', () => {
    expect(nextFocusIndex(buildRowModel([], INITIAL_VIEW_STATE), null, 'line-next')).toBeNull();
  });
});

describe('indexOfFocus', () => {
  const all = setAll(INITIAL_VIEW_STATE, true);
  it.each<[string, ViewState, RowFocus | null, string | null]>([
    ['a line', all, { step: 'build', n: 6 }, 'build:6'],
    ['a step header', all, { step: 'build', n: 0 }, 'S:build'],
    ['a group header (its marker line)', all, { step: 'build', n: 4 }, 'G:inner'],
    ['a line in a closed group: the group header', setOpen(all, 'build/inner', false), { step: 'build', n: 5 }, 'G:inner'],
    ['the outermost closed group wins', setOpen(setOpen(all, 'build/inner', false), 'build/deps', false), { step: 'build', n: 5 }, 'G:deps'],
    ['a line in a closed step: the step header', setOpen(all, 'build', false), { step: 'build', n: 6 }, 'S:build'],
    ['an unknown step', all, { step: 'nope', n: 1 }, null],
    ['nothing focused', all, null, null],
  ])('%s', (_, state, focus, want) => {
    const m = model(state);
    expect(label(m, indexOfFocus(m, focus))).toBe(want);
  });

  it('round-trips every row through focusOfRow', () => {
    const m = model();
    for (let i = 0; i < m.total; i++) expect(indexOfFocus(m, focusOfRow(rowAt(m, i)!))).toBe(i);
  });
});

describe('helpers', () => {
  it('sameFocus and isHeaderRow', () => {
    expect(sameFocus({ step: 'a', n: 1 }, { step: 'a', n: 1 })).toBe(true);
    expect(sameFocus({ step: 'a', n: 1 }, { step: 'a', n: 2 })).toBe(false);
    expect(sameFocus(null, { step: 'a', n: 2 })).toBe(false);
    const m = model();
    expect([0, 1, 5, 6].map((i) => isHeaderRow(m, i))).toEqual([true, false, true, false]);
  });
});
