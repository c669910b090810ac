import { describe, expect, it } from 'vitest';
import { createErrorIndex, MAX_ERRORS_PER_STEP, parseErrorIndex, type ErrorIndexJson } from './error-index';

const LINES = ['ok', 'Traceback (most recent call last):', '  File "a.py", line 1', 'ValueError: x', 'fine', 'FAIL src/a.test.ts', 'Tests: 1 failed, 2 total'];

describe('error index', () => {
  it('keeps error lines in order with their rules, skipping block continuations', () => {
    const index = createErrorIndex();
    LINES.forEach((text, i) => index.add(i + 1, text));
    expect(index.entries()).toEqual([
      { n: 2, rule: 'traceback' },
      { n: 6, rule: 'test-failure' },
      { n: 7, rule: 'test-summary' },
    ]);
    expect(index.first()).toEqual({ n: 2, rule: 'traceback' });
    expect(index.count()).toBe(3);
    expect(index.truncated()).toBe(false);
  });

  it('ignores a line number already fed (a retried batch adds nothing)', () => {
    const index = createErrorIndex();
    index.add(5, 'ERROR: a');
    expect(index.add(5, 'ERROR: a')).toBeNull();
    expect(index.add(3, 'ERROR: b')).toBeNull();
    expect(index.count()).toBe(1);
  });

  it('keeps MAX_ERRORS_PER_STEP entries and counts the rest', () => {
    const index = createErrorIndex();
    for (let n = 1; n <= MAX_ERRORS_PER_STEP + 50; n++) index.add(n, `ERROR: boom ${n}`);
    expect(index.entries()).toHaveLength(MAX_ERRORS_PER_STEP);
    expect(index.count()).toBe(MAX_ERRORS_PER_STEP + 50);
    expect(index.truncated()).toBe(true);
    expect(index.entries().at(-1)?.n).toBe(MAX_ERRORS_PER_STEP);
  });

  it('replace re-classifies a rewritten line: removed, added or changed, count exact', () => {
    const index = createErrorIndex();
    ['ok', 'ERROR: boom', 'progress 10%', 'fine'].forEach((text, i) => index.add(i + 1, text));
    expect(index.count()).toBe(1);
    expect(index.replace(2, 'ERROR: boom', 'done', 'out')).toBeNull();
    expect([index.entries(), index.count()]).toEqual([[], 0]);
    expect(index.replace(3, 'progress 10%', 'error: disk full', 'out')?.rule).toBe('level');
    expect(index.replace(1, 'ok', 'FAIL src/a.test.ts', 'out')?.rule).toBe('test-failure');
    expect([index.entries(), index.count()]).toEqual([[{ n: 1, rule: 'test-failure' }, { n: 3, rule: 'level' }], 2]);
    expect(index.replace(3, 'error: disk full', 'error: disk full again', 'out')?.rule).toBe('level');
    expect(index.count()).toBe(2);
    // a line not fed yet is left to add
    expect(index.replace(9, '', 'error: later', 'out')).toBeNull();
    expect(index.count()).toBe(2);
    expect(parseErrorIndex(index.toJSON())).toEqual(index.toJSON());
  });

  it('replace in a full index: a counted-only line rewritten away is uncounted, a kept one removed', () => {
    const index = createErrorIndex();
    // error lines on odd rows, `ok` between (consecutive ones could read as one block)
    const total = MAX_ERRORS_PER_STEP + 2;
    for (let k = 1; k <= total; k++) {
      index.add(2 * k - 1, `ERROR: boom ${k}`);
      index.add(2 * k, 'ok');
    }
    expect(index.count()).toBe(total);
    const counted = 2 * (MAX_ERRORS_PER_STEP + 1) - 1;
    index.replace(counted, 'ERROR: boom x', 'ok', 'out');
    expect([index.count(), index.entries().length]).toEqual([total - 1, MAX_ERRORS_PER_STEP]);
    index.replace(1, 'ERROR: boom 1', 'ok', 'out');
    expect([index.count(), index.entries().length, index.truncated()]).toEqual([total - 2, MAX_ERRORS_PER_STEP - 1, true]);
    expect(parseErrorIndex(index.toJSON())).toEqual(index.toJSON());
  });

  it('round-trips through its compact JSON, resuming inside an open block', () => {
    const whole = createErrorIndex();
    LINES.forEach((text, i) => whole.add(i + 1, text));

    const a = createErrorIndex();
    LINES.slice(0, 3).forEach((text, i) => a.add(i + 1, text)); // stops inside the traceback
    const json = JSON.parse(JSON.stringify(a.toJSON())) as unknown;
    const parsed = parseErrorIndex(json);
    expect(parsed).not.toBeNull();
    const b = createErrorIndex(parsed ?? undefined);
    LINES.slice(3).forEach((text, i) => b.add(i + 4, text));
    expect(b.entries()).toEqual(whole.entries());
    expect(b.toJSON()).toEqual(whole.toJSON());
    expect(whole.toJSON()).toMatchObject({ v: 1, n: [2, 4, 1], count: 3, last: 7 });
  });

  it('refuses a persisted index that is malformed or out of bounds', () => {
    const good: ErrorIndexJson = { v: 1, n: [2, 4], r: '06', count: 2, last: 9, state: { block: null, blockRule: null, blockLines: 0 } };
    expect(parseErrorIndex(good)).toEqual(good);
    const bad: unknown[] = [
      null,
      'x',
      { ...good, v: 2 },
      { ...good, n: [2, 0] }, // not ascending
      { ...good, n: [2, 1.5] },
      { ...good, r: '0' }, // one rule short
      { ...good, r: '0z' }, // unknown rule
      { ...good, count: 1 },
      { ...good, last: 3 }, // before the last entry
      { ...good, n: new Array<number>(MAX_ERRORS_PER_STEP + 1).fill(1), r: '0'.repeat(MAX_ERRORS_PER_STEP + 1), count: MAX_ERRORS_PER_STEP + 1, last: 5000 },
      { ...good, state: { block: 'nope', blockRule: 'level', blockLines: 0 } },
      { ...good, state: { block: 'npm', blockRule: 'npm', blockLines: -1 } },
      { ...good, state: { block: 'npm', blockRule: 'bogus', blockLines: 1 } },
    ];
    for (const value of bad) expect(parseErrorIndex(value), JSON.stringify(value)?.slice(0, 80)).toBeNull();
    // more counted than kept though not full: a rewrite removed a kept entry of a full index
    expect(parseErrorIndex({ ...good, count: 5 })).toEqual({ ...good, count: 5 });
  });
});
