import { describe, expect, it } from 'vitest';
import { LineGapError } from '../../errors';
import { MAX_EVENT_LINES, dedupeLines, eventChunks } from './lines';

const lines = (...ns: number[]) => ns.map((n) => ({ n, ts: n, stream: 'out' as const, text: `l${n}` }));

describe('dedupeLines', () => {
  it.each([
    { name: 'first batch', last: 0, ns: [1, 2, 3], fresh: [1, 2, 3], duplicates: 0 },
    { name: 'continues after last', last: 5, ns: [6, 7], fresh: [6, 7], duplicates: 0 },
    { name: 'whole retry', last: 5, ns: [1, 2, 3, 4, 5], fresh: [], duplicates: 5 },
    { name: 'overlapping retry', last: 5, ns: [4, 5, 6, 7], fresh: [6, 7], duplicates: 2 },
    { name: 'empty batch', last: 5, ns: [], fresh: [], duplicates: 0 },
    { name: 'an old line after new ones is a duplicate', last: 4, ns: [5, 3], fresh: [5], duplicates: 1 },
  ])('$name', ({ last, ns, fresh, duplicates }) => {
    const out = dedupeLines(lines(...ns), last);
    expect(out.fresh.map((l) => l.n)).toEqual(fresh);
    expect(out.duplicates).toBe(duplicates);
  });

  it.each([
    { name: 'gap at the start', last: 0, ns: [2, 3], expected: 1, got: 2 },
    { name: 'gap after last', last: 10, ns: [12], expected: 11, got: 12 },
    { name: 'gap inside the batch', last: 10, ns: [11, 12, 14], expected: 13, got: 14 },
    { name: 'a repeated new line', last: 0, ns: [1, 2, 3, 2], expected: 4, got: 2 },
  ])('refuses $name with the expected line', ({ last, ns, expected, got }) => {
    let error: unknown;
    try {
      dedupeLines(lines(...ns), last);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LineGapError);
    expect((error as LineGapError).expected).toBe(expected);
    expect((error as LineGapError).message).toContain(`line ${got} `);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses line number %s as bad_request', (n) => {
    expect(() => dedupeLines([{ n }], 0)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('eventChunks', () => {
  it.each([
    { count: 0, sizes: [] },
    { count: 1, sizes: [1] },
    { count: MAX_EVENT_LINES, sizes: [MAX_EVENT_LINES] },
    { count: MAX_EVENT_LINES + 1, sizes: [MAX_EVENT_LINES, 1] },
    { count: 2500, sizes: [MAX_EVENT_LINES, MAX_EVENT_LINES, 500] },
  ])('cuts $count lines into $sizes', ({ count, sizes }) => {
    const all = lines(...Array.from({ length: count }, (_, i) => i + 1));
    const chunks = eventChunks(all);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(all);
  });
});
