import { describe, expect, it } from 'vitest';
import type { JobStatus, StepMeta } from '@/lib/contracts';
import type { JobLink } from './hash';
import { chooseLanding, landsOnRememberedStep, type LandingOptions } from './landing';
import { step } from './test-helpers';

const errs = (first: number, count = 2) => ({ errors: { count, first, truncated: false } });
const at = (s: string, n: number): JobLink => ({ step: s, lines: { from: n, to: n } });

describe('chooseLanding', () => {
  const cases: { name: string; status: JobStatus; steps: StepMeta[]; opts?: LandingOptions; want: JobLink | null }[] = [
    { name: 'a running job follows (no landing)', status: 'running', steps: [step('a', 5, 'failure', errs(2))], want: null },
    {
      name: 'a failed job: the first error of the first failed step, not an earlier passed step’s',
      status: 'failure',
      steps: [step('lint', 9, 'success', errs(3)), step('build', 50, 'failure', errs(40)), step('test', 9, 'failure', errs(1))],
      want: at('build', 40),
    },
    {
      name: 'a failed job whose failed step has no errors: the first step with errors',
      status: 'failure',
      steps: [step('lint', 9, 'success', errs(3)), step('build', 50, 'failure')],
      want: at('lint', 3),
    },
    { name: 'a failed job without any error line: the top, where its failed step stands open', status: 'failure', steps: [step('a', 9), step('b', 30, 'failure')], want: null },
    { name: 'a failed job without a failed step or an error: its last step', status: 'failure', steps: [step('a', 9), step('b', 30)], want: { step: 'b' } },
    { name: 'a cancelled job with a failed step: its first error', status: 'cancelled', steps: [step('a', 9, 'failure', errs(7)), step('b', 9, 'cancelled')], want: at('a', 7) },
    { name: 'a cancelled job without a failed step: the top (its cancelled step stands open)', status: 'cancelled', steps: [step('a', 9, 'success', errs(7)), step('b', 9, 'cancelled')], want: null },
    { name: 'a passed job: its last step', status: 'success', steps: [step('a', 9), step('b', 9)], want: { step: 'b' } },
    { name: 'a passed job: internal steps are not landed on', status: 'success', steps: [step('a', 9), step('post', 9, 'success', { internal: true })], want: { step: 'a' } },
    { name: 'a passed job: the remembered step, by name', status: 'success', steps: [step('a', 9, 'success', { name: 'Build' }), step('b', 9)], opts: { remembered: 'Build' }, want: { step: 'a' } },
    { name: 'a remembered name the job lacks: the last step', status: 'success', steps: [step('a', 9), step('b', 9)], opts: { remembered: 'Nope' }, want: { step: 'b' } },
    { name: 'a failed job ignores the remembered step', status: 'failure', steps: [step('a', 9, 'failure', errs(2)), step('b', 9)], opts: { remembered: 'b' }, want: at('a', 2) },
    { name: 'no steps: nowhere', status: 'success', steps: [], want: null },
    { name: 'a step page of a failed step: its first error', status: 'failure', steps: [step('a', 9, 'failure', errs(4)), step('b', 9, 'failure', errs(2))], opts: { onlyStep: 'b' }, want: at('b', 2) },
    { name: 'a step page of a passed step: the default', status: 'success', steps: [step('a', 9)], opts: { onlyStep: 'a' }, want: null },
  ];
  for (const c of cases) it(c.name, () => expect(chooseLanding(c.status, c.steps, c.opts)).toEqual(c.want));
});

describe('landsOnRememberedStep', () => {
  it('remembers only for finished jobs that land on a step', () => {
    expect(landsOnRememberedStep('success', [step('a', 9)])).toBe(true);
    expect(landsOnRememberedStep('running', [step('a', 9)])).toBe(false);
    expect(landsOnRememberedStep('failure', [step('a', 9, 'failure', errs(2))])).toBe(false);
    expect(landsOnRememberedStep('failure', [step('a', 9, 'failure')])).toBe(false);
    expect(landsOnRememberedStep('failure', [step('a', 0, 'failure')])).toBe(false);
    expect(landsOnRememberedStep('failure', [step('a', 3)])).toBe(true);
  });
});
