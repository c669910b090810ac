import { describe, expect, it } from 'vitest';
import type { JobStatus, StepMeta } from '../contracts';
import { createErrorIndex } from './error-index';
import { errorSummary, errorsPage, firstJobError } from './summary';

type S = Pick<StepMeta, 'id' | 'status' | 'errors'>;
const step = (id: string, status: StepMeta['status'], first?: number): S => ({ id, status, ...(first ? { errors: { count: 1, first, truncated: false } } : {}) });

describe('firstJobError', () => {
  const cases: Array<[string, JobStatus, S[], { step: string; n: number } | null]> = [
    ['the first failed step with errors', 'failure', [step('a', 'success', 4), step('b', 'failure'), step('c', 'failure', 9), step('d', 'failure', 2)], { step: 'c', n: 9 }],
    ['a failed job without a failed step that has errors: the first step with errors', 'failure', [step('a', 'success'), step('b', 'success', 7), step('c', 'failure')], { step: 'b', n: 7 }],
    ['a failed step with errors counts in a running job', 'running', [step('a', 'success', 1), step('b', 'failure', 3)], { step: 'b', n: 3 }],
    ['a passing job with noise: none', 'success', [step('a', 'success', 1)], null],
    ['a running job without a failed step: none', 'running', [step('a', 'running', 1)], null],
    ['no steps', 'failure', [], null],
    ['errors seen but none kept (first null) are skipped', 'failure', [{ id: 'a', status: 'failure', errors: { count: 3, first: null, truncated: true } }, step('b', 'failure', 5)], { step: 'b', n: 5 }],
  ];
  it.each(cases)('%s', (_name, status, steps, expected) => {
    expect(firstJobError(status, steps)).toEqual(expected);
  });
});

describe('errorsPage', () => {
  const index = createErrorIndex();
  for (const n of [2, 5, 9, 14, 20]) index.add(n, 'error: x');
  const json = index.toJSON();

  it('pages the kept errors after `after`, with `next` while more remain', () => {
    expect(errorsPage('s', json, 0, 2)).toEqual({ step: 's', count: 5, truncated: false, errors: [{ n: 2, rule: 'level' }, { n: 5, rule: 'level' }], next: 5 });
    expect(errorsPage('s', json, 5, 2).errors.map((e) => e.n)).toEqual([9, 14]);
    expect(errorsPage('s', json, 14, 2)).toMatchObject({ errors: [{ n: 20 }], next: null });
    expect(errorsPage('s', json, 13, 3)).toMatchObject({ errors: [{ n: 14 }, { n: 20 }], next: null });
    expect(errorsPage('s', json, 20, 10)).toMatchObject({ errors: [], next: null, count: 5 });
    expect(errorsPage('s', json, 1e12, 10).errors).toEqual([]);
    // exactly the rest on one page: no `next` leading to an empty page
    expect(errorsPage('s', json, 9, 2)).toMatchObject({ errors: [{ n: 14 }, { n: 20 }], next: null });
  });

  it('answers count 0 for a step without an index', () => {
    expect(errorsPage('old', null, 0, 1000)).toEqual({ step: 'old', count: 0, truncated: false, errors: [], next: null });
  });

  it('summarises an index: null until an error line is seen', () => {
    const empty = createErrorIndex();
    empty.add(1, 'fine');
    expect(errorSummary(empty)).toBeNull();
    expect(errorSummary(index)).toEqual({ count: 5, first: 2, truncated: false });
  });
});
