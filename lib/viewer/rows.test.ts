import { describe, expect, it } from 'vitest';
import type { StepMeta } from '@/lib/contracts';
import { INITIAL_VIEW_STATE, isStepHidden, revealLine, setAll, setHidden, setOpen, type ViewState } from './collapse';
import { buildRowModel, indexOfLine, indexOfStep, lineRunsIn, rowAt, rowAtOffset, type RowModel } from './rows';
import { buildSections } from './sections';
import { group, step } from './test-helpers';

/** Renders a row model as short strings: `S:id+` / `S:id-` headers, `G:id+`, `id:n`. */
function describeRows(model: RowModel): string[] {
  const out: string[] = [];
  for (let i = 0; i < model.total; i++) {
    const r = rowAt(model, i)!;
    if (r.kind === 'step') out.push(`S:${r.section.step.id}${r.open ? '+' : '-'}`);
    else if (r.kind === 'group') out.push(`${'  '.repeat(r.group.depth)}G:${r.group.id}${r.open ? '+' : '-'}`);
    else out.push(`${'  '.repeat(r.depth)}${r.section.step.id}:${r.n}`);
  }
  return out;
}

const rows = (steps: StepMeta[], state: ViewState = INITIAL_VIEW_STATE, onlyStep?: string) =>
  describeRows(buildRowModel(buildSections(steps), state, onlyStep ? { onlyStep } : {}));

describe('visible rows', () => {
  const job = [
    step('setup', 2, 'success'),
    step('build', 6, 'failure', { groups: [group('deps', 2, 4), group('inner', 3, 4)] }),
    step('test', 2, 'running'),
    step('agent', 1, 'success', { internal: true }),
  ];

  it('opens running and failed steps, collapses passed ones, hides internal ones', () => {
    expect(rows(job)).toEqual([
      'S:setup-',
      'S:build+',
      'build:1',
      'G:deps+',
      '  G:inner+',
      '    build:4',
      'build:5',
      'build:6',
      'S:test+',
      'test:1',
      'test:2',
    ]);
  });

  it('user toggles win over defaults', () => {
    let s = setOpen(INITIAL_VIEW_STATE, 'setup', true);
    s = setOpen(s, 'build', false);
    s = setOpen(s, 'test', false);
    expect(rows(job, s)).toEqual(['S:setup+', 'setup:1', 'setup:2', 'S:build-', 'S:test-']);
  });

  it('a closed group hides its lines but keeps its header', () => {
    const s = setOpen(INITIAL_VIEW_STATE, 'build/deps', false);
    expect(rows(job, s).slice(1, 6)).toEqual(['S:build+', 'build:1', 'G:deps-', 'build:5', 'build:6']);
  });

  it('expand all / collapse all, then a toggle on top', () => {
    const all = setAll(INITIAL_VIEW_STATE, true);
    expect(rows(job, all)).toContain('setup:2');
    const none = setAll(all, false);
    expect(rows(job, none)).toEqual(['S:setup-', 'S:build-', 'S:test-']);
    expect(rows(job, setOpen(none, 'test', true))).toEqual(['S:setup-', 'S:build-', 'S:test+', 'test:1', 'test:2']);
  });

  it('hide and show steps; internal steps can be shown', () => {
    let s = setHidden(INITIAL_VIEW_STATE, 'build', true);
    s = setHidden(s, 'agent', false);
    expect(rows(job, s)).toEqual(['S:setup-', 'S:test+', 'test:1', 'test:2', 'S:agent-']);
    expect(isStepHidden(INITIAL_VIEW_STATE, job[3]!)).toBe(true);
  });

  it('single-step view ignores other steps and the hidden flag', () => {
    expect(rows(job, setHidden(INITIAL_VIEW_STATE, 'agent', true), 'agent')).toEqual(['S:agent-']);
  });

  it('GitLab collapsed hint keeps a group closed in a passed step, except where a failure is', () => {
    const hinted = [
      step('ok', 4, 'success', { groups: [group('quiet', 1, 2, { collapsed: true }), group('loud', 3, 4)] }),
      step('bad', 4, 'failure', { groups: [group('a', 1, 2, { collapsed: true }), group('b', 3, 4, { collapsed: true })] }),
    ];
    expect(rows(hinted, setOpen(INITIAL_VIEW_STATE, 'ok', true))).toEqual([
      'S:ok+', 'G:quiet-', 'G:loud-', 'S:bad+', 'G:a-', 'G:b+', '  bad:4',
    ]);
  });

  it('revealLine opens the step and the groups around a line, and unhides the step', () => {
    const collapsed = setHidden(setAll(INITIAL_VIEW_STATE, false), 'build', true);
    const sections = buildSections(job);
    const s = revealLine(collapsed, sections[1]!, 4);
    const model = buildRowModel(sections, s);
    const i = indexOfLine(model, 'build', 4);
    expect(i).not.toBeNull();
    expect(rowAt(model, i!)).toMatchObject({ kind: 'line', n: 4, depth: 2 });
    // The marker line of a group is its header row.
    expect(rowAt(model, indexOfLine(model, 'build', 2)!)).toMatchObject({ kind: 'group' });
    expect(indexOfStep(model, 'test')).toBe(describeRows(model).indexOf('S:test-'));
  });

  it('a closing marker line (::endgroup::, its group\'s end) collapses with its group', () => {
    // ingest of `::group::A`, `x`, `::endgroup::`, `after`: A is lines 1..3
    const steps = [step('t', 4, 'running', { groups: [group('A', 1, 3)] })];
    expect(rows(steps)).toEqual(['S:t+', 'G:A+', '  t:2', '  t:3', 't:4']);
    const closed = setOpen(INITIAL_VIEW_STATE, 't/A', false);
    expect(rows(steps, closed)).toEqual(['S:t+', 'G:A-', 't:4']);
  });

  it('a line inside a closed section has no row', () => {
    const model = buildRowModel(buildSections(job), INITIAL_VIEW_STATE);
    expect(indexOfLine(model, 'setup', 1)).toBeNull();
    expect(indexOfLine(model, 'agent', 1)).toBeNull();
    expect(indexOfLine(model, 'build', 99)).toBeNull();
  });

  it('live line counts extend a step beyond its metadata', () => {
    const model = buildRowModel(buildSections([step('t', 2, 'running')], new Map([['t', 5]])), INITIAL_VIEW_STATE);
    expect(model.total).toBe(6);
  });

  it('line runs inside a row range skip headers', () => {
    const model = buildRowModel(buildSections(job), INITIAL_VIEW_STATE);
    expect(lineRunsIn(model, 0, model.total - 1)).toEqual([
      { step: 'build', from: 1, to: 1 },
      { step: 'build', from: 4, to: 4 },
      { step: 'build', from: 5, to: 6 },
      { step: 'test', from: 1, to: 2 },
    ]);
    expect(lineRunsIn(model, 7, 9)).toEqual([{ step: 'build', from: 6, to: 6 }, { step: 'test', from: 1, to: 1 }]);
    expect(rowAt(model, -1)).toBeNull();
    expect(rowAt(model, model.total)).toBeNull();
  });
});

describe('the row at an offset of the laid-out list (the sticky bar)', () => {
  // Rows: S:a+, a:1, a:2, a:3, S:b+, b:1, G:g+ (line 2), b:3, b:4
  const model = buildRowModel(buildSections([step('a', 3, 'failure'), step('b', 4, 'failure', { groups: [group('g', 2, 4)] })]), INITIAL_VIEW_STATE);
  // A step header of 28 px, a wrapped line of 60 px, the rest 20 px.
  const sizes = [28, 20, 60, 20, 28, 20, 20, 20, 20];
  const placed = sizes.map((size, index) => ({ index, size, offset: sizes.slice(0, index).reduce((a, b) => a + b, 0) }));

  it('names the step, and the line or the line a group header opens', () => {
    expect(rowAtOffset(model, 0, placed, 2)).toEqual({ step: 'a', n: null });
    expect(rowAtOffset(model, 0, placed, 30)).toEqual({ step: 'a', n: 1 });
    expect(rowAtOffset(model, 0, placed, 100)).toEqual({ step: 'a', n: 2 });
    expect(rowAtOffset(model, 0, placed, 140)).toEqual({ step: 'b', n: null });
    expect(rowAtOffset(model, 0, placed, 160)).toEqual({ step: 'b', n: 1 });
    expect(rowAtOffset(model, 0, placed, 180)).toEqual({ step: 'b', n: 2 });
  });

  it('reads only the rows laid out, offset by the window start', () => {
    const rendered = placed.slice(5).map((p) => ({ ...p, index: p.index - 4 }));
    expect(rowAtOffset(model, 4, rendered, 160)).toEqual({ step: 'b', n: 1 });
    expect(rowAtOffset(model, 4, rendered, 10)).toBeNull();
    expect(rowAtOffset(model, 4, rendered, 10_000)).toEqual({ step: 'b', n: 4 });
    expect(rowAtOffset(model, 0, [], 0)).toBeNull();
  });
});

describe('a million-line step', () => {
  const big = [step('huge', 1_000_000, 'success'), step('after', 3, 'success')];

  it('holds a handful of segments, not a million rows', () => {
    const model = buildRowModel(buildSections(big), setAll(INITIAL_VIEW_STATE, true));
    expect(model.total).toBe(1_000_000 + 3 + 2);
    expect(model.segments.length).toBe(4);
    const i = indexOfLine(model, 'huge', 900_000)!;
    expect(i).toBe(900_000);
    expect(rowAt(model, i)).toMatchObject({ kind: 'line', n: 900_000 });
  });
});
