import { describe, expect, it } from 'vitest';
import { errorCountLabel, errorCountShort, errorMove, errorOrdinal, errorPosition, errorSteps, errorTotal, failedStepFirstError, shownSteps, type ErrorMove, type ErrorPosition, type ErrorStep } from './error-nav';
import { buildRowModel } from './rows';
import { buildSections } from './sections';
import { group, step } from './test-helpers';

/** build: errors 5, 9, 40 (list fetched); lint: none; test: errors 3 and 7 (list not fetched); deploy: one error at 2. */
const listed: ErrorStep[] = [
  { step: 'build', count: 3, first: 5, truncated: false, list: { lines: [5, 9, 40], complete: true } },
  { step: 'lint', count: 0, first: null, truncated: false },
  { step: 'test', count: 2, first: 3, truncated: false },
  { step: 'deploy', count: 1, first: 2, truncated: false },
];
const at = (step: string, n: number, on = true): ErrorPosition => ({ step, n, on });
const go = (step: string, n: number): ErrorMove => ({ kind: 'go', step, n });
const fetch = (step: string): ErrorMove => ({ kind: 'fetch', step });

describe('errorMove', () => {
  const cases: { name: string; steps?: ErrorStep[]; pos: ErrorPosition | null; dir: 1 | -1; want: ErrorMove }[] = [
    { name: 'nothing selected: the first error of the job', pos: null, dir: 1, want: go('build', 5) },
    { name: 'nothing selected, backward: the last error of the job', pos: null, dir: -1, want: go('deploy', 2) },
    { name: 'within a listed step', pos: at('build', 5), dir: 1, want: go('build', 9) },
    { name: 'between two errors', pos: at('build', 20), dir: 1, want: go('build', 40) },
    { name: 'the top row is itself an error: it is the next one', pos: at('build', 9, false), dir: 1, want: go('build', 9) },
    { name: 'a selected error is not its own next', pos: at('build', 9), dir: 1, want: go('build', 40) },
    { name: 'past the last error of a step: the next step with errors (its first is known)', pos: at('build', 40), dir: 1, want: go('test', 3) },
    { name: 'from a step header: that step’s first error', pos: at('test', 0, false), dir: 1, want: go('test', 3) },
    { name: 'a step without errors is skipped', pos: at('lint', 10), dir: 1, want: go('test', 3) },
    { name: 'within a step whose list is not fetched: fetch it', pos: at('test', 3), dir: 1, want: fetch('test') },
    { name: 'a step with one error needs no list', pos: at('deploy', 1), dir: 1, want: go('deploy', 2) },
    { name: 'past the last error of the job: wraps to the first', pos: at('deploy', 2), dir: 1, want: go('build', 5) },
    { name: 'backward within a listed step', pos: at('build', 40), dir: -1, want: go('build', 9) },
    { name: 'backward from the first error of a step: the previous step’s last (list fetched)', pos: at('test', 3), dir: -1, want: go('build', 40) },
    { name: 'backward into a step with several errors and no list: fetch it', pos: at('deploy', 2), dir: -1, want: fetch('test') },
    { name: 'backward from before the first error: wraps to the last', pos: at('build', 5), dir: -1, want: go('deploy', 2) },
    { name: 'backward from a header: the previous step', pos: at('lint', 0, false), dir: -1, want: go('build', 40) },
    { name: 'a position on a step not shown starts at the top', pos: at('gone', 3), dir: 1, want: go('build', 5) },
    {
      name: 'one error in the whole job: forward wraps onto it',
      steps: [{ step: 'a', count: 1, first: 4, truncated: false }],
      pos: at('a', 4),
      dir: 1,
      want: go('a', 4),
    },
    {
      name: 'one error in the whole job: backward wraps onto it',
      steps: [{ step: 'a', count: 1, first: 4, truncated: false }],
      pos: at('a', 4),
      dir: -1,
      want: go('a', 4),
    },
    { name: 'no errors at all', steps: [{ step: 'a', count: 0, first: null, truncated: false }], pos: null, dir: 1, want: { kind: 'none' } },
    { name: 'no steps', steps: [], pos: null, dir: -1, want: { kind: 'none' } },
    {
      name: 'an incomplete list that ends before the position: fetch more',
      steps: [{ step: 'a', count: 2000, first: 1, truncated: true, list: { lines: [1, 2, 3], complete: false } }],
      pos: at('a', 3),
      dir: 1,
      want: fetch('a'),
    },
    {
      name: 'backward past an incomplete list: fetch more',
      steps: [{ step: 'a', count: 2000, first: 1, truncated: true, list: { lines: [1, 2, 3], complete: false } }],
      pos: at('a', 90),
      dir: -1,
      want: fetch('a'),
    },
    {
      name: 'a truncated step’s last kept error is where backward lands',
      steps: [
        { step: 'a', count: 1500, first: 1, truncated: true, list: { lines: [1, 2, 1000], complete: true } },
        { step: 'b', count: 1, first: 1, truncated: false },
      ],
      pos: at('b', 1),
      dir: -1,
      want: go('a', 1000),
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(errorMove(c.steps ?? listed, c.pos, c.dir)).toEqual(c.want));
  }

  it('walks every listed error forward and back, wrapping', () => {
    const full: ErrorStep[] = listed.map((s) => (s.step === 'test' ? { ...s, list: { lines: [3, 7], complete: true } } : s));
    const order = [go('build', 5), go('build', 9), go('build', 40), go('test', 3), go('test', 7), go('deploy', 2)];
    let pos: ErrorPosition | null = null;
    const seen: ErrorMove[] = [];
    for (let i = 0; i < order.length + 1; i++) {
      const move = errorMove(full, pos, 1);
      seen.push(move);
      if (move.kind === 'go') pos = at(move.step, move.n);
    }
    expect(seen).toEqual([...order, order[0]]);
    const back: ErrorMove[] = [];
    for (let i = 0; i < order.length; i++) {
      const move = errorMove(full, pos, -1);
      back.push(move);
      if (move.kind === 'go') pos = at(move.step, move.n);
    }
    expect(back).toEqual([order[5], order[4], order[3], order[2], order[1], order[0]]);
  });
});

describe('counts', () => {
  it('totals the steps and says when some are only counted', () => {
    expect(errorTotal(listed)).toEqual({ count: 6, truncated: false });
    expect(errorTotal([...listed, { step: 'x', count: 1200, first: 1, truncated: true }])).toEqual({ count: 1206, truncated: true });
  });
  const ordinals: [string, number, number | null][] = [
    ['build', 5, 1],
    ['build', 40, 3],
    ['test', 3, 4],
    ['test', 7, null], // its list is not fetched
    ['deploy', 2, 6],
    ['build', 6, null], // not an error
  ];
  for (const [s, n, want] of ordinals) it(`rank of ${s}:${n} is ${want}`, () => expect(errorOrdinal(listed, s, n)).toBe(want));
  it('labels', () => {
    expect(errorCountLabel(1, null)).toBe('1 error');
    expect(errorCountLabel(1234, null)).toBe('1,234 errors');
    expect(errorCountLabel(12, 3)).toBe('3 of 12 errors');
    expect(errorCountShort(1234, null)).toBe('1,234');
    expect(errorCountShort(12, 3)).toBe('3/12');
  });
});

describe('errorSteps and errorPosition', () => {
  const sections = buildSections([
    step('build', 50, 'failure', { errors: { count: 2, first: 7, truncated: false }, groups: [group('g', 10, 20)] }),
    step('test', 30, 'success'),
  ]);
  it('lists the steps shown with their metadata and any fetched list', () => {
    const lists = new Map([['build', { lines: [7, 12], complete: true }]]);
    expect(errorSteps(sections, lists)).toEqual([
      { step: 'build', count: 2, first: 7, truncated: false, list: { lines: [7, 12], complete: true } },
      { step: 'test', count: 0, first: null, truncated: false },
    ]);
    expect(errorSteps(sections, lists, 'test').map((s) => s.step)).toEqual(['test']);
    // a step the user hid is left out
    const hidden = buildRowModel(sections, { mode: 'default', open: new Map(), hidden: new Map([['build', true]]) });
    expect(shownSteps(hidden)).toEqual(new Set(['test']));
    expect(errorSteps(sections, lists, undefined, shownSteps(hidden)).map((s) => s.step)).toEqual(['test']);
  });
  it('starts from the selection, else the top row', () => {
    const model = buildRowModel(sections, { mode: 'collapsed', open: new Map(), hidden: new Map() });
    expect(errorPosition({ step: 'build', lines: { from: 3, to: 8 } }, model, 0, 1)).toEqual(at('build', 8));
    expect(errorPosition({ step: 'build', lines: { from: 3, to: 8 } }, model, 0, -1)).toEqual(at('build', 3));
    // rows: 0 build header, 1 test header (all collapsed)
    expect(errorPosition(null, model, 1, 1)).toEqual(at('test', 0, false));
    expect(errorPosition(null, model, 99, 1)).toEqual(at('test', 0, false));
    const open = buildRowModel(sections, { mode: 'expanded', open: new Map(), hidden: new Map() });
    // rows: 0 header, 1..9 lines 1..9, 10 group header (line 10)
    expect(errorPosition(null, open, 5, 1)).toEqual(at('build', 5, false));
    expect(errorPosition(null, open, 10, 1)).toEqual(at('build', 10, false));
  });
  it('a failed step’s header names its first error; a passed one does not', () => {
    expect(failedStepFirstError(sections[0]!.step)).toBe(7);
    expect(failedStepFirstError({ ...sections[0]!.step, status: 'success' })).toBeNull();
    expect(failedStepFirstError(sections[1]!.step)).toBeNull();
  });
});
