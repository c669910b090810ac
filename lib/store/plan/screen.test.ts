import { describe, expect, it } from 'vitest';
import { SCREEN_ROWS, type Line, type StepMeta } from '../../contracts';
import { AppError, LineGapError, StaleAppendError, StaleMasksError } from '../../errors';
import { planAppend } from './plans';
import { appendResult, assertBaseFresh, baseOf, checkUpdates, isProducedRetry, producedAfter, withProduced } from './screen';
import { newStep } from './steps';

const NOW = 1_700_000_000_000;
const line = (n: number, text = `l${n}`): Line => ({ n, ts: n, stream: 'out', text });
const step = (patch: Partial<StepMeta> = {}): StepMeta => ({ ...newStep('s'), status: 'running', startedAt: 1, ...patch });
const usage = { steps: 1, bytes: 0 };

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('bad_request');
    return (error as AppError).message;
  }
  throw new Error('expected a bad_request');
}

describe('checkUpdates', () => {
  it('takes updates within the screen, ascending, as bare lines', () => {
    const last = SCREEN_ROWS + 10;
    const extra = { ...line(last), extra: 'dropped' } as Line;
    expect(checkUpdates([line(11), line(100), extra], last)).toEqual([line(11), line(100), line(last)]);
    expect(checkUpdates(undefined, 5)).toEqual([]);
    expect(checkUpdates([], 0)).toEqual([]);
  });

  it.each([
    { name: 'just above the screen', updates: [line(10)], last: SCREEN_ROWS + 10, says: 'outside the step\'s screen (lines 11..210)' },
    { name: 'past the last line', updates: [line(6)], last: 5, says: 'outside' },
    { name: 'a step without lines', updates: [line(1)], last: 0, says: 'has no lines' },
    { name: 'descending', updates: [line(4), line(3)], last: 5, says: 'ascending' },
    { name: 'a repeat', updates: [line(4), line(4)], last: 5, says: 'ascending' },
    { name: 'not a line', updates: [{ n: 2, ts: 1, stream: 'out' } as unknown as Line], last: 5, says: 'must be a line' },
    { name: 'n zero', updates: [line(0)], last: 5, says: 'must be a line' },
    { name: 'a bad stream', updates: [{ ...line(2), stream: 'log' } as unknown as Line], last: 5, says: 'must be a line' },
  ])('refuses $name', ({ updates, last, says }) => {
    expect(badRequest(() => checkUpdates(updates, last))).toContain(says);
  });
});

describe('produced', () => {
  it('is a retry when not above the stored produced (or line count)', () => {
    expect(isProducedRetry(undefined, undefined)).toBe(false);
    expect(isProducedRetry(step({ lines: 5 }), undefined)).toBe(false);
    expect(isProducedRetry(step({ lines: 5 }), 5)).toBe(true);
    expect(isProducedRetry(step({ lines: 5 }), 6)).toBe(false);
    expect(isProducedRetry(step({ lines: 5, produced: 9 }), 9)).toBe(true);
    expect(isProducedRetry(step({ lines: 5, produced: 9 }), 7)).toBe(true);
    expect(isProducedRetry(step({ lines: 5, produced: 9 }), 10)).toBe(false);
    expect(isProducedRetry(undefined, 1)).toBe(false);
    badRequest(() => isProducedRetry(undefined, -1));
    badRequest(() => isProducedRetry(undefined, 1.5));
  });

  it('is kept only while it differs from the line count; without one the offset carries on', () => {
    expect(producedAfter(step({ lines: 5 }), 9, 1, 6)).toBe(9);
    expect(producedAfter(step({ lines: 5 }), 6, 1, 6)).toBeUndefined();
    expect(producedAfter(step({ lines: 5, produced: 9 }), undefined, 2, 7)).toBe(11);
    expect(producedAfter(step({ lines: 5 }), undefined, 2, 7)).toBeUndefined();
    expect(withProduced(step({ produced: 3 }), undefined)).not.toHaveProperty('produced');
    expect(withProduced(step(), 4)).toMatchObject({ produced: 4 });
  });

  it('answers last = produced, with lines when they differ', () => {
    expect(appendResult(1, 0, 6, undefined)).toEqual({ accepted: 1, duplicates: 0, last: 6 });
    expect(appendResult(1, 0, 6, 6)).toEqual({ accepted: 1, duplicates: 0, last: 6 });
    expect(appendResult(1, 0, 6, 9)).toEqual({ accepted: 1, duplicates: 0, last: 9, lines: 6 });
  });
});

describe('planAppend with the screen', () => {
  const live = step({ lines: 10, produced: 12 });

  it('plans new lines, updates, produced and raw together', () => {
    const plan = planAppend(live, 's', { lines: [line(11)], updates: [line(9, 'nine')], produced: 15, raw: 'r\n', state: {} }, NOW, usage);
    expect(plan).toMatchObject({ last: 11, updates: [line(9, 'nine')], produced: 15, advanced: true, retry: false, raw: 'r\n', result: { accepted: 1, duplicates: 0, last: 15, lines: 11 } });
    expect(plan.accepted).toEqual([line(11)]);
  });

  it('plans a retry as nothing: no lines, updates, raw or step change', () => {
    const plan = planAppend(live, 's', { lines: [line(11)], updates: [line(1, 'far away')], produced: 12, raw: 'r\n', groups: [] }, NOW, usage);
    expect(plan).toMatchObject({ accepted: [], duplicates: 1, updates: [], chunks: [], regrouped: null, started: null, advanced: false, retry: true, raw: '', result: { accepted: 0, duplicates: 1, last: 12, lines: 10 } });
  });

  it('takes an update-only or a produced-only batch as progress (state and errors kept)', () => {
    const errors = { count: 1, first: 9, truncated: false };
    const plan = planAppend(live, 's', { lines: [], produced: 13, errors }, NOW, usage);
    expect(plan).toMatchObject({ advanced: true, produced: 13, regrouped: { lines: 10, produced: 13, errors } });
  });

  it('refuses bad updates, a gap and stale masks before anything', () => {
    badRequest(() => planAppend(live, 's', { lines: [line(11)], updates: [line(11)], produced: 14 }, NOW, usage));
    expect(() => planAppend(live, 's', { lines: [line(12)], updates: [line(10)], produced: 14 }, NOW, usage)).toThrow(LineGapError);
    expect(() => planAppend(live, 's', { lines: [], updates: [line(10)], produced: 14, masksVersion: 0 }, NOW, usage, 1)).toThrow(StaleMasksError);
  });
});

describe('base: the state a batch was computed from', () => {
  const live = step({ lines: 10, produced: 12 });
  const caught = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    return null;
  };

  it('is the stored produced ?? lines for a batch with produced, the line count without', () => {
    expect(baseOf(live, 15)).toBe(12);
    expect(baseOf(live, undefined)).toBe(10);
    expect(baseOf(step({ lines: 4 }), 5)).toBe(4);
    expect(baseOf(undefined, 1)).toBe(0);
    expect(() => assertBaseFresh(live, { produced: 15 })).not.toThrow();
    expect(() => assertBaseFresh(live, { base: 12, produced: 15 })).not.toThrow();
    expect(() => assertBaseFresh(live, { base: 10 })).not.toThrow();
    badRequest(() => assertBaseFresh(live, { base: -1, produced: 15 }));
    badRequest(() => assertBaseFresh(live, { base: 1.5 }));
  });

  it.each([
    { mode: 'numbered' as const, lines: [line(11)] },
    { mode: 'end' as const, lines: [line(0)] },
  ])('refuses a stale base in $mode mode with the step\'s number, nothing planned', ({ mode, lines }) => {
    // computed from produced 11 (another server has stored producer line 12 since)
    const error = caught(() => planAppend(live, 's', { mode, base: 11, lines, updates: [line(10, 'ten')], produced: 15, raw: 'r\n', state: {} }, NOW, usage));
    expect(error).toBeInstanceOf(StaleAppendError);
    expect(error).toMatchObject({ code: 'conflict', last: 12 });
    // a batch without produced names the line count: 12 is stale there
    expect(caught(() => planAppend(live, 's', { mode, base: 12, lines }, NOW, usage))).toMatchObject({ last: 10 });
    // the fresh base is taken
    const plan = planAppend(live, 's', { mode, base: 12, lines, updates: [line(10, 'ten')], produced: 15, state: {} }, NOW, usage);
    expect(plan).toMatchObject({ retry: false, last: 11, produced: 15, result: { accepted: 1, duplicates: 0, last: 15, lines: 11 } });
  });

  it('is checked before the retry test: a stale batch whose produced is not above the step\'s is refused, not dropped', () => {
    for (const mode of ['numbered', 'end'] as const) {
      // computed from produced 9: its producer numbers 10..12 are ones another server stored
      const error = caught(() => planAppend(live, 's', { mode, base: 9, lines: [line(mode === 'end' ? 0 : 11)], produced: 12 }, NOW, usage));
      expect(error).toBeInstanceOf(StaleAppendError);
      expect(error).toMatchObject({ last: 12 });
    }
    // without a base, the same batch is a retry (as before)
    expect(planAppend(live, 's', { lines: [line(11)], produced: 12 }, NOW, usage)).toMatchObject({ retry: true, result: { accepted: 0, duplicates: 1 } });
    // a true retry names the base it was computed from, which is stale by then: refused too, and
    // the writer, re-reading the step, finds its producer lines are duplicates
    expect(caught(() => planAppend(live, 's', { base: 10, lines: [line(11)], produced: 12 }, NOW, usage))).toBeInstanceOf(StaleAppendError);
  });
});
