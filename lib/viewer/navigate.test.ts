import { describe, expect, it } from 'vitest';
import { INITIAL_VIEW_STATE, setAll, setHidden } from './collapse';
import { MAX_WINDOW_ROWS } from './constants';
import { linkTools } from './links';
import { planNavigation } from './navigate';
import { buildRowModel, rowAt } from './rows';
import { buildSections } from './sections';
import { group, step } from './test-helpers';

describe('planNavigation', () => {
  const sections = buildSections([
    step('setup', 30, 'success'),
    step('huge', 1_000_000, 'success', { groups: [group('tail', 899_000, 999_000, { collapsed: true })] }),
    step('deploy', 10, 'success', { internal: true }),
  ]);

  it('opens a collapsed step and group around line 900,000 and windows the rows', () => {
    const plan = planNavigation(sections, setAll(INITIAL_VIEW_STATE, false), { step: 'huge', lines: { from: 900_000, to: 900_000 } })!;
    const model = buildRowModel(sections, plan.view);
    expect(rowAt(model, plan.index)).toMatchObject({ kind: 'line', n: 900_000, depth: 1 });
    expect(plan.windowStart).toBeLessThanOrEqual(plan.index);
    expect(plan.index - plan.windowStart).toBeLessThan(MAX_WINDOW_ROWS);
  });

  it('shows a hidden (internal) step for a link to it', () => {
    const plan = planNavigation(sections, INITIAL_VIEW_STATE, { step: 'deploy' })!;
    expect(rowAt(buildRowModel(sections, plan.view), plan.index)).toMatchObject({ kind: 'step', open: true });
    const hidden = planNavigation(sections, setHidden(INITIAL_VIEW_STATE, 'setup', true), { step: 'setup', lines: { from: 3, to: 5 } })!;
    expect(rowAt(buildRowModel(sections, hidden.view), hidden.index)).toMatchObject({ kind: 'line', n: 3 });
  });

  it('a line past the end leads to the last line; unknown or foreign steps lead nowhere', () => {
    const plan = planNavigation(sections, INITIAL_VIEW_STATE, { step: 'setup', lines: { from: 99, to: 99 } })!;
    expect(rowAt(buildRowModel(sections, plan.view), plan.index)).toMatchObject({ kind: 'line', n: 30 });
    expect(planNavigation(sections, INITIAL_VIEW_STATE, { step: 'nope' })).toBeNull();
    expect(planNavigation(sections, INITIAL_VIEW_STATE, { step: 'setup' }, 'huge')).toBeNull();
  });
});

describe('linkTools', () => {
  const job = linkTools({ jobId: 'j 1', linkMode: 'job' });
  const single = linkTools({ jobId: 'j1', onlyStep: 'build', linkMode: 'step' });

  it('formats hashes, hrefs and canonical URLs', () => {
    expect(job.lineHref('build', 4)).toBe('#build:4');
    expect(job.canonical('http://h', { step: 'b', lines: { from: 2, to: 5 } })).toBe('http://h/jobs/j%201#b:2-5');
    expect(job.canonical('http://h', null)).toBe('http://h/jobs/j%201');
    expect(single.lineHref('build', 4)).toBe('#L4');
    expect(single.hash({ step: 'build' })).toBe('');
    expect(single.canonical('http://h', { step: 'build', lines: { from: 7, to: 7 } })).toBe('http://h/jobs/j1/steps/build#L7');
  });

  it('parses "go to line" input', () => {
    expect(job.parseGoTo('build:12', 'x')).toEqual({ step: 'build', lines: { from: 12, to: 12 } });
    expect(job.parseGoTo(' 12 ', 'x')).toEqual({ step: 'x', lines: { from: 12, to: 12 } });
    expect(job.parseGoTo('12', undefined)).toBeNull();
    expect(job.parseGoTo('<b>', 'x')).toBeNull();
    expect(single.parseGoTo('L3-L9', undefined)).toEqual({ step: 'build', lines: { from: 3, to: 9 } });
    expect(single.parseGoTo('900000', undefined)).toEqual({ step: 'build', lines: { from: 900000, to: 900000 } });
  });
});
