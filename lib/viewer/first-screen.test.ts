import { describe, expect, it } from 'vitest';
import type { JobMeta, StepMeta } from '@/lib/contracts';
import { candidateVariants, screenPlan } from './first-screen';
import { rowAt } from './rows';
import { group, step } from './test-helpers';

function job(steps: StepMeta[], status: JobMeta['status'] = 'success'): JobMeta {
  return { id: 'j', title: 'j', labels: {}, status, createdAt: 0, endedAt: status === 'running' ? null : 1, cursor: 'c', steps };
}

describe('first screen plan', () => {
  it('without a hash a passed job opens its last step (never a page of closed headers)', () => {
    const plan = screenPlan(job([step('prep', 10), step('main', 10_000)]), '', {})!;
    expect(rowAt(plan.model, plan.first)).toMatchObject({ kind: 'step', open: true, section: { key: 'main' } });
    expect(plan.align).toBe('start');
    expect(plan.needs).toEqual([{ step: 'main', page: 0, runs: [{ from: 1, to: 79 }] }]);
  });

  it('without a hash a failed job opens at the first error of its first failed step, a few rows above it', () => {
    const failed = job(
      [
        step('prep', 10, 'success', { errors: { count: 1, first: 4, truncated: false } }),
        step('test', 5_000, 'failure', { errors: { count: 3, first: 1_200, truncated: false }, groups: [group('suite', 1_100, 1_300, { collapsed: true })] }),
      ],
      'failure',
    );
    const plan = screenPlan(failed, '', {})!;
    expect(plan.align).toBe('start');
    // the collapsed group holding the error is opened; the error sits LANDING_CONTEXT_ROWS below the top
    expect(rowAt(plan.model, plan.first)).toMatchObject({ kind: 'line', n: 1_195 });
    expect(rowAt(plan.model, plan.first + 5)).toMatchObject({ kind: 'line', n: 1_200, section: { key: 'test' } });
    expect(plan.needs).toEqual([{ step: 'test', page: 2, runs: [{ from: 1_195, to: 1_195 + 79 }] }]);
  });

  it('#step opens the step at the top of the screen and needs its first screen of lines, group titles included', () => {
    const main = step('main', 100_000, 'success', { groups: [group('setup', 2, 480), group('deps', 486, 1037)] });
    const plan = screenPlan(job([step('prep', 3), main]), 'main', {})!;
    expect(rowAt(plan.model, plan.first)).toMatchObject({ kind: 'step', open: true, section: { key: 'main' } });
    expect(plan.align).toBe('start');
    // rows: header, line 1, group 2 (closed), lines 481-485, group 486 (closed), lines 1038…: 80 rows
    expect(plan.last - plan.first + 1).toBe(80);
    // only the lines those rows show: a closed group's lines stay on the server
    expect(plan.needs).toEqual([
      { step: 'main', page: 0, runs: [{ from: 1, to: 2 }, { from: 481, to: 486 }] },
      { step: 'main', page: 2, runs: [{ from: 1038, to: 1038 + 80 - 9 - 1 }] },
    ]);
  });

  it('a failed step header on the screen needs the line of its first error', () => {
    const j = job([step('lint', 10, 'failure', { errors: { count: 1, first: 9_000, truncated: false } }), step('b', 10_000, 'failure')], 'failure');
    // #b: the screen starts at b's header, lint's is above it; and a first error past the
    // step's lines (9,000 of 10) is never read
    expect(screenPlan(j, 'b', {})!.needs).toEqual([{ step: 'b', page: 0, runs: [{ from: 1, to: 79 }] }]);
    expect(screenPlan(j, 'lint', {})!.needs).toEqual([
      { step: 'lint', page: 0, runs: [{ from: 1, to: 10 }] },
      { step: 'b', page: 0, runs: [{ from: 1, to: 68 }] },
    ]);
    // #lint: its header is on screen, so its first error's line is read with the screen's
    const k = job([step('lint', 20_000, 'failure', { errors: { count: 1, first: 9_000, truncated: false } })], 'failure');
    expect(screenPlan(k, 'lint', {})!.needs).toEqual([
      { step: 'lint', page: 0, runs: [{ from: 1, to: 79 }] },
      { step: 'lint', page: 17, runs: [{ from: 9_000, to: 9_000 }] },
    ]);
  });

  it('a running job without a hash is followed: the screen is the end of the log, bottom-aligned', () => {
    const plan = screenPlan(job([step('build', 1234, 'running')], 'running'), '', {})!;
    expect(plan.align).toBe('end');
    expect(rowAt(plan.model, plan.last)).toMatchObject({ kind: 'line', n: 1234 });
    expect(plan.needs).toEqual([
      { step: 'build', page: 2, runs: [{ from: 1234 - 79, to: 1234 }] },
    ]);
  });

  it('a step page has one screen; a link to an unknown step has none', () => {
    const j = job([step('a', 5), step('b', 5)]);
    expect(candidateVariants(j, { onlyStep: 'b' })).toEqual(['']);
    expect(candidateVariants(j, {})).toEqual(['', 'a', 'b']);
    expect(screenPlan(j, 'nope', {})).toBeNull();
    const only = screenPlan(j, '', { onlyStep: 'b' })!;
    expect(only.needs).toEqual([{ step: 'b', page: 0, runs: [{ from: 1, to: 5 }] }]);
  });
});
