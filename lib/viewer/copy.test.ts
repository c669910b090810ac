import { describe, expect, it } from 'vitest';
import type { Line, LineRange } from '@/lib/contracts';
import {
  collectCopy,
  COPY_PAGE_LINES,
  COPY_PAGES_IN_FLIGHT,
  copyLineText,
  CopyTooLargeError,
  formatBytes,
  formatCap,
  groupCopyTarget,
  MAX_COPY_BYTES,
  selectionCopyTarget,
  stepCopyTarget,
  utf8Length,
  type CopyTarget,
  type FetchRange,
} from './copy';
import { step } from './test-helpers';

const section = (id: string, lines: number, name = id) => ({ step: step(id, lines, 'success', { name }), lines });

describe('copy targets', () => {
  it.each([
    ['a step: all its lines', stepCopyTarget(section('build', 120, 'Build')), { step: 'build', from: 1, to: 120, label: 'step Build' }],
    ['an empty step: nothing to copy', stepCopyTarget(section('build', 0)), null],
    ['a step without a name: its id', stepCopyTarget(section('build', 3, '')), { step: 'build', from: 1, to: 3, label: 'step build' }],
    ['a group: marker line to last line', groupCopyTarget('t', { start: 4, end: 9 }, 'Unit'), { step: 't', from: 4, to: 9, label: 'group Unit' }],
    ['a group that ends on its marker', groupCopyTarget('t', { start: 4, end: 4 }, 'Empty'), { step: 't', from: 4, to: 4, label: 'group Empty' }],
  ])('%s', (_name, target, want) => {
    expect(target).toEqual(want);
  });

  const sections = [section('a', 50), section('b', 10)];
  it.each<[string, Parameters<typeof selectionCopyTarget>[0], CopyTarget | null]>([
    ['no selection', null, null],
    ['a whole-step link is not a line selection', { step: 'a' }, null],
    ['one line', { step: 'a', lines: { from: 7, to: 7 } }, { step: 'a', from: 7, to: 7, label: 'line 7' }],
    ['a range', { step: 'b', lines: { from: 2, to: 9 } }, { step: 'b', from: 2, to: 9, label: 'lines 2–9' }],
    ['a range past the end is cut to the last line', { step: 'b', lines: { from: 8, to: 400 } }, { step: 'b', from: 8, to: 10, label: 'lines 8–10' }],
    ['a range wholly past the end', { step: 'b', lines: { from: 11, to: 20 } }, null],
    ['an unknown step', { step: 'zz', lines: { from: 1, to: 2 } }, null],
  ])('selection: %s', (_name, selection, want) => {
    expect(selectionCopyTarget(selection, sections)).toEqual(want);
  });
});

describe('copied text', () => {
  it.each([
    ['plain text stays', 'hello world', 'text', 'hello world\n'],
    ['colours stripped', '\x1b[31mred\x1b[0m and \x1b[1mbold\x1b[0m', 'text', 'red and bold\n'],
    ['colours kept', '\x1b[31mred\x1b[0m', 'ansi', '\x1b[31mred\x1b[0m\n'],
    ['an OSC 8 link keeps its text only', '\x1b]8;;https://x.dev\x1b\\site\x1b]8;;\x1b\\', 'text', 'site\n'],
    ['an empty line is one LF', '', 'text', '\n'],
  ] as const)('%s', (_name, text, format, want) => {
    expect(copyLineText({ text }, format)).toBe(want);
  });

  it.each([
    ['ascii', 'abc', 3],
    ['two-byte', 'é', 2],
    ['three-byte', '✓', 3],
    ['a surrogate pair', '😀', 4],
    ['a lone surrogate (encoded as U+FFFD)', '\ud800x', 4],
    ['mixed', 'a✓😀é\n', 11],
  ])('utf8Length: %s', (_name, text, want) => {
    expect(utf8Length(text)).toBe(want);
    expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });

  it.each([
    [80, '80 B'],
    [1500, '1.5 KB'],
    [512_000, '512 KB'],
    [8_123_456, '8.1 MB'],
  ])('formatBytes(%d) = %s', (bytes, want) => {
    expect(formatBytes(bytes)).toBe(want);
  });

  it('names the cap in binary units', () => {
    expect(formatCap(MAX_COPY_BYTES)).toBe('16 MiB');
  });
});

/** A step of `count` lines `line N`, served like GET lines: at most `budget` lines a reply (then `truncated`). */
function fakeStep(count: number, budget = Infinity, text = (n: number) => `line ${n}`) {
  const calls: { from: number; limit: number }[] = [];
  const fetchRange: FetchRange = async (_step, from, limit) => {
    calls.push({ from, limit });
    const lines: Line[] = [];
    const upTo = Math.min(count, from + limit - 1, from + budget - 1);
    for (let n = from; n <= upTo; n++) lines.push({ n, ts: 0, stream: 'out', text: text(n) });
    const cut = upTo < Math.min(count, from + limit - 1);
    const reply: LineRange = { lines, last: count, ...(cut ? { truncated: true as const, next: upTo + 1 } : {}) };
    return reply;
  };
  return { fetchRange, calls };
}

const signal = () => new AbortController().signal;
const joined = (parts: string[]) => parts.join('');
const expected = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

describe('collectCopy', () => {
  it('reads the range in pages of the API cap, never more lines than asked', async () => {
    const { fetchRange, calls } = fakeStep(12_345);
    const got = await collectCopy({ step: 's', from: 3, to: 12_001, label: '' }, 'text', fetchRange, { signal: signal() });
    expect(joined(got.parts)).toBe(expected(3, 12_001));
    expect(got.lines).toBe(11_999);
    expect(got.bytes).toBe(utf8Length(expected(3, 12_001)));
    expect(calls).toEqual([
      { from: 3, limit: COPY_PAGE_LINES },
      { from: 5003, limit: COPY_PAGE_LINES },
      { from: 10_003, limit: 1999 },
    ]);
  });

  it('follows replies cut by the byte budget', async () => {
    const { fetchRange, calls } = fakeStep(100, 7);
    const got = await collectCopy({ step: 's', from: 1, to: 20, label: '' }, 'text', fetchRange, { signal: signal() });
    expect(joined(got.parts)).toBe(expected(1, 20));
    expect(calls.map((c) => c.from)).toEqual([1, 8, 15]);
  });

  it('stops at the end of a step shorter than the target', async () => {
    const { fetchRange, calls } = fakeStep(10);
    const got = await collectCopy({ step: 's', from: 5, to: 50, label: '' }, 'text', fetchRange, { signal: signal() });
    expect(joined(got.parts)).toBe(expected(5, 10));
    expect(calls).toHaveLength(1); // a reply short of what was asked, and not cut by the budget, is the step's end
  });

  it('stops at the end of a step that ends in a page read ahead', async () => {
    const { fetchRange } = fakeStep(7000);
    const got = await collectCopy({ step: 's', from: 1, to: 12_000, label: '' }, 'text', fetchRange, { signal: signal() });
    expect(got.lines).toBe(7000);
    expect(joined(got.parts)).toBe(expected(1, 7000));
  });

  it('reports a failed page at its turn, after the pages before it', async () => {
    const { fetchRange } = fakeStep(20_000);
    const failing: FetchRange = async (step, from, limit, sig) => {
      if (from > 5000) throw new Error('503 unavailable');
      return fetchRange(step, from, limit, sig);
    };
    const seen: number[] = [];
    await expect(collectCopy({ step: 's', from: 1, to: 20_000, label: '' }, 'text', failing, { signal: signal(), onProgress: (p) => seen.push(p.done) })).rejects.toThrow('503');
    expect(seen).toEqual([5000]);
  });

  it('reports progress after each page', async () => {
    const { fetchRange } = fakeStep(12_000);
    const seen: number[] = [];
    await collectCopy({ step: 's', from: 1, to: 12_000, label: '' }, 'text', fetchRange, { signal: signal(), onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([5000, 10_000, 12_000]);
  });

  it('keeps or strips colours', async () => {
    const { fetchRange } = fakeStep(2, Infinity, (n) => `\x1b[32mok ${n}\x1b[0m`);
    const target = { step: 's', from: 1, to: 2, label: '' };
    expect(joined((await collectCopy(target, 'text', fetchRange, { signal: signal() })).parts)).toBe('ok 1\nok 2\n');
    expect(joined((await collectCopy(target, 'ansi', fetchRange, { signal: signal() })).parts)).toBe('\x1b[32mok 1\x1b[0m\n\x1b[32mok 2\x1b[0m\n');
  });

  it('stops with CopyTooLargeError past the byte cap, exactly at it', async () => {
    const { fetchRange } = fakeStep(100, Infinity, () => 'x'.repeat(9)); // 10 bytes a line
    const target = { step: 's', from: 1, to: 100, label: '' };
    const fits = await collectCopy(target, 'text', fetchRange, { signal: signal(), maxBytes: 1000 });
    expect(fits.bytes).toBe(1000);
    const err = await collectCopy(target, 'text', fetchRange, { signal: signal(), maxBytes: 999 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyTooLargeError);
    expect((err as CopyTooLargeError).linesRead).toBe(99);
  });

  it('stops when cancelled, between pages', async () => {
    const controller = new AbortController();
    const { fetchRange, calls } = fakeStep(20_000);
    const cancelling: FetchRange = async (...args) => {
      const reply = await fetchRange(...args);
      controller.abort();
      return reply;
    };
    await expect(collectCopy({ step: 's', from: 1, to: 20_000, label: '' }, 'text', cancelling, { signal: controller.signal })).rejects.toThrow();
    expect(calls).toHaveLength(COPY_PAGES_IN_FLIGHT); // the first page and the one read ahead, no more
  });
});
