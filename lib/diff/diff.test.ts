import { describe, expect, it } from 'vitest';
import { prng } from '../../test/support/prng';
import type { Line } from '../contracts/lines';
import { DIFF_BYTES_PER_LINE, DIFF_FIXED_BYTES, diffLogs, diffSymbols, MAX_DIFF_LINES, type DiffPage } from './diff';
import { MAX_HUNKS_PER_PAGE, type DiffHunk, type LineDiff } from './hunks';
import { MAX_MYERS_EDITS } from './myers';
import { normaliseLine } from './normalise';
import { changedLines, ciLine, ciLog, MemorySampler } from './test-logs';

const exact = (text: string) => text;

/** Lines as pages of `size` (1 by default: every page boundary is exercised). */
function pages(lines: readonly string[], size = 1): DiffPage[] {
  const out: DiffPage[] = [];
  for (let i = 0; i < lines.length; i += size) out.push(lines.slice(i, i + size));
  return out;
}

async function diffOf(base: readonly string[], head: readonly string[], normalise = exact): Promise<LineDiff> {
  return diffLogs(pages(base), pages(head, 3), { normalise });
}

function allHunks(diff: LineDiff): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = diff.page(offset, 7);
    hunks.push(...page.hunks);
    offset = page.next;
  }
  return hunks;
}

const show = (diff: LineDiff) => allHunks(diff).map((h) => `${h.kind} ${h.baseFrom}-${h.baseTo} ${h.headFrom}-${h.headTo}`);

/**
 * The properties every diff has: hunks tile both sides in order; kinds match which sides are
 * empty; equal and change hunks alternate; lines in equal hunks compare equal pairwise; the
 * counts add up; and applying the hunks to base (keep equal lines, take head's lines for
 * added and changed hunks, drop removed ones) gives head.
 */
function checkDiff(diff: LineDiff, base: readonly string[], head: readonly string[], normalise = exact): void {
  const hunks = allHunks(diff);
  expect(hunks).toHaveLength(diff.total);
  let baseAt = 1;
  let headAt = 1;
  const rebuilt: string[] = [];
  const unequal: number[] = [];
  let counts = { added: 0, removed: 0, unchanged: 0 };
  hunks.forEach((h, i) => {
    expect([h.baseFrom, h.headFrom]).toEqual([baseAt, headAt]);
    const baseLen = h.baseTo - h.baseFrom;
    const headLen = h.headTo - h.headFrom;
    expect(baseLen + headLen).toBeGreaterThan(0);
    const expectedKind = h.kind === 'equal' ? 'equal' : baseLen === 0 ? 'added' : headLen === 0 ? 'removed' : 'changed';
    expect(h.kind).toBe(expectedKind);
    if (i > 0) expect(h.kind === 'equal').not.toBe(hunks[i - 1]?.kind === 'equal');
    if (h.kind === 'equal') {
      expect(baseLen).toBe(headLen);
      for (let k = 0; k < baseLen; k++) {
        const line = base[h.baseFrom - 1 + k] ?? '';
        if (normalise(line) !== normalise(head[h.headFrom - 1 + k] ?? '')) unequal.push(h.baseFrom + k);
        rebuilt.push(line);
      }
      counts = { ...counts, unchanged: counts.unchanged + baseLen };
    } else {
      rebuilt.push(...head.slice(h.headFrom - 1, h.headTo - 1));
      counts = { ...counts, added: counts.added + headLen, removed: counts.removed + baseLen };
    }
    baseAt = h.baseTo;
    headAt = h.headTo;
  });
  expect(unequal).toEqual([]);
  expect([baseAt - 1, headAt - 1]).toEqual([base.length, head.length]);
  expect(diff.summary.counts).toEqual(counts);
  expect(rebuilt).toHaveLength(head.length);
  expect(rebuilt.map((line, k) => k).filter((k) => normalise(rebuilt[k] ?? '') !== normalise(head[k] ?? ''))).toEqual([]);
  if (normalise === exact) expect(rebuilt.filter((line, k) => line !== head[k])).toEqual([]);
}

/** Length of a longest common subsequence (the most lines any diff can keep), by DP. */
function lcs(a: readonly string[], b: readonly string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const next = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) next[j] = a[i - 1] === b[j - 1] ? (row[j - 1] ?? 0) + 1 : Math.max(row[j] ?? 0, next[j - 1] ?? 0);
    row = next;
  }
  return row[b.length] ?? 0;
}

const chars = (s: string) => (s === '' ? [] : s.split(''));

describe('classic cases', () => {
  const cases: { name: string; base: string; head: string; hunks: string[]; counts: [number, number, number] }[] = [
    { name: 'both empty', base: '', head: '', hunks: [], counts: [0, 0, 0] },
    { name: 'empty base', base: '', head: 'abc', hunks: ['added 1-1 1-4'], counts: [3, 0, 0] },
    { name: 'empty head', base: 'abc', head: '', hunks: ['removed 1-4 1-1'], counts: [0, 3, 0] },
    { name: 'identical', base: 'abcdef', head: 'abcdef', hunks: ['equal 1-7 1-7'], counts: [0, 0, 6] },
    { name: 'all different', base: 'abc', head: 'xyz', hunks: ['changed 1-4 1-4'], counts: [3, 3, 0] },
    { name: 'one line changed', base: 'abcdef', head: 'abXdef', hunks: ['equal 1-3 1-3', 'changed 3-4 3-4', 'equal 4-7 4-7'], counts: [1, 1, 5] },
    { name: 'insert at start', base: 'bc', head: 'abc', hunks: ['added 1-1 1-2', 'equal 1-3 2-4'], counts: [1, 0, 2] },
    { name: 'insert at end', base: 'ab', head: 'abc', hunks: ['equal 1-3 1-3', 'added 3-3 3-4'], counts: [1, 0, 2] },
    { name: 'delete in the middle', base: 'abcd', head: 'ad', hunks: ['equal 1-2 1-2', 'removed 2-4 2-2', 'equal 4-5 2-3'], counts: [0, 2, 2] },
    // The paper's example: no line is unique on both sides, so Myers aligns it, minimally (D = 5).
    { name: 'Myers 1986', base: 'abcabba', head: 'cbabac', hunks: ['removed 1-3 1-1', 'equal 3-4 1-2', 'added 4-4 2-3', 'equal 4-6 3-5', 'removed 6-7 5-5', 'equal 7-8 5-6', 'added 8-8 6-7'], counts: [2, 3, 4] },
    // A block moved: patience keeps the longer run (cdef) and reports ab as moved away and back.
    { name: 'moved block', base: 'abcdef', head: 'cdefab', hunks: ['removed 1-3 1-1', 'equal 3-7 1-5', 'added 7-7 5-7'], counts: [2, 2, 4] },
    { name: 'repeated lines', base: 'aaaa', head: 'aaaaaa', hunks: ['equal 1-5 1-5', 'added 5-5 5-7'], counts: [2, 0, 4] },
    { name: 'repeated lines with a change', base: 'xaxaxa', head: 'xaxbxa', hunks: ['equal 1-4 1-4', 'changed 4-5 4-5', 'equal 5-7 5-7'], counts: [1, 1, 5] },
  ];
  it.each(cases)('$name', async ({ base, head, hunks, counts }) => {
    const diff = await diffOf(chars(base), chars(head));
    expect(show(diff)).toEqual(hunks);
    expect(diff.summary.counts).toEqual({ added: counts[0], removed: counts[1], unchanged: counts[2] });
    checkDiff(diff, chars(base), chars(head));
  });

  it('patience anchors on unique lines instead of matching common noise', async () => {
    // Myers alone would match the braces of two different functions; anchoring on the
    // unique signatures keeps each function whole.
    const base = ['fn a() {', '  one', '}', 'fn b() {', '  two', '}'];
    const head = ['fn a() {', '  one', '}', 'fn new() {', '  three', '}', 'fn b() {', '  two', '}'];
    const diff = await diffOf(base, head);
    expect(show(diff)).toEqual(['equal 1-4 1-4', 'added 4-4 4-7', 'equal 4-7 7-10']);
  });
});

describe('properties on random inputs', () => {
  /** A random log from a small alphabet (many repeats) or a large one (mostly unique lines). */
  function randomLines(random: () => number, length: number, alphabet: number): string[] {
    return Array.from({ length }, () => `line ${Math.floor(random() * alphabet)}`);
  }
  /** head = base with random inserts, deletes and replacements. */
  function mutate(random: () => number, base: string[], edits: number, alphabet: number): string[] {
    const head = [...base];
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (head.length + 1));
      const op = random();
      if (op < 0.33) head.splice(at, 0, `new ${Math.floor(random() * alphabet)}`);
      else if (op < 0.66) head.splice(at, 1);
      else head.splice(at, 1, `changed ${Math.floor(random() * alphabet)}`);
    }
    return head;
  }

  it('applying the hunks to base gives head, and no diff keeps more lines than an LCS (400 random pairs)', async () => {
    const random = prng(12);
    for (let round = 0; round < 400; round++) {
      const alphabet = round % 3 === 0 ? 3 : round % 3 === 1 ? 20 : 10_000;
      const base = randomLines(random, Math.floor(random() * 60), alphabet);
      const head = round % 5 === 0 ? randomLines(random, Math.floor(random() * 60), alphabet) : mutate(random, base, Math.floor(random() * 8), alphabet);
      const diff = await diffOf(base, head);
      checkDiff(diff, base, head);
      expect(diff.summary.counts.unchanged).toBeLessThanOrEqual(lcs(base, head));
      expect(diff.summary.replacedRegions).toBe(0);
    }
  });

  it('without unique lines the diff is Myers\' and minimal: it keeps an LCS', async () => {
    const random = prng(7);
    for (let round = 0; round < 100; round++) {
      // every line occurs at least twice on each side: no anchor exists
      const half = randomLines(random, 1 + Math.floor(random() * 25), 4);
      const base = [...half, ...half];
      const other = randomLines(random, 1 + Math.floor(random() * 25), 4);
      const head = [...other, ...other];
      const diff = await diffOf(base, head);
      checkDiff(diff, base, head);
      expect(diff.summary.counts.unchanged).toBe(lcs(base, head));
    }
  });

  it('a log of distinct lines with k lines replaced reports exactly k removed and k added', async () => {
    const random = prng(3);
    const base = Array.from({ length: 5000 }, (_, i) => `step ${i}`);
    const head = [...base];
    const replaced = new Set<number>();
    while (replaced.size < 50) replaced.add(Math.floor(random() * base.length));
    for (const i of replaced) head[i] = `different ${i}`;
    const diff = await diffOf(base, head);
    checkDiff(diff, base, head);
    expect(diff.summary.counts).toEqual({ added: 50, removed: 50, unchanged: 4950 });
  });
});

describe('bounds', () => {
  it('a region too different to align within MAX_MYERS_EDITS is reported as replaced, and the diff stays valid', async () => {
    const random = prng(5);
    // two long random sequences over two symbols: no unique line, thousands of edits apart
    const base = Array.from({ length: 3 * MAX_MYERS_EDITS }, () => (random() < 0.5 ? 'p' : 'q'));
    const head = Array.from({ length: 3 * MAX_MYERS_EDITS }, () => (random() < 0.5 ? 'p' : 'q'));
    const diff = await diffLogs([['start', ...base, 'end']], [['start', ...head, 'end']], { normalise: exact });
    expect(diff.summary.replacedRegions).toBeGreaterThan(0);
    checkDiff(diff, ['start', ...base, 'end'], ['start', ...head, 'end']);
  });

  it('reads at most maxLines lines of each side and says so; stops reading the source there', async () => {
    let produced = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<string[]> {
      try {
        for (;;) {
          produced += 10;
          yield Array.from({ length: 10 }, (_, i) => `x ${produced + i}`);
        }
      } finally {
        closed = true;
      }
    }
    const diff = await diffLogs(endless(), [['a']], { normalise: exact, maxLines: 25 });
    expect(diff.summary.truncated).toEqual({ base: true, head: false });
    expect(diff.summary.baseLines).toBe(25);
    expect(produced).toBe(30);
    expect(closed).toBe(true);
    const capped = await diffLogs([['a', 'b']], [['a', 'b']], { maxLines: MAX_DIFF_LINES * 2 });
    expect(capped.summary.truncated).toEqual({ base: false, head: false });
  });

  it('refuses a maxLines that is not a non-negative integer', async () => {
    for (const maxLines of [-1, 1.5, Number.NaN]) await expect(diffLogs([['a']], [['a']], { maxLines })).rejects.toThrow(RangeError);
    const none = await diffLogs([['a']], [['b']], { maxLines: 0 });
    expect(none.summary).toMatchObject({ baseLines: 0, headLines: 0, hunks: 0, truncated: { base: true, head: true } });
  });

  it('the Myers work budget is shared by the whole diff: once spent, later regions are reported as replaced', () => {
    // 100 regions between unique anchors, each two random 2-symbol sequences of 2,000 lines:
    // ~750 edits apart (random binary strings share ~81 % of their length), so each takes
    // ~150 steps a line, alignable alone (under MAX_MYERS_EDITS), together over the budget.
    const random = prng(9);
    const regions = 100;
    const width = 2000;
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < regions; r++) {
      a.push(2 + r);
      b.push(2 + r);
      for (let k = 0; k < width; k++) {
        a.push(random() < 0.5 ? 0 : 1);
        b.push(random() < 0.5 ? 0 : 1);
      }
    }
    const diff = diffSymbols(Int32Array.from(a), Int32Array.from(b), 2 + regions);
    expect(diff.summary.replacedRegions).toBeGreaterThan(0);
    expect(diff.summary.replacedRegions).toBeLessThan(regions);
    // the early regions were aligned (equal lines inside them), the late ones replaced whole
    const hunks = allHunks(diff);
    expect(hunks.slice(0, 20).filter((h) => h.kind === 'equal').length).toBeGreaterThan(5);
    const last = hunks.at(-1);
    expect(last).toMatchObject({ kind: 'changed', baseTo: a.length + 1, headTo: b.length + 1 });
    expect((last?.baseTo ?? 0) - (last?.baseFrom ?? 0)).toBeGreaterThan(width / 2);
    checkDiff(diff, a.map(String), b.map(String));
  });

  it('an aborted signal rejects the diff with its reason and stops reading', async () => {
    const controller = new AbortController();
    let pagesRead = 0;
    async function* slow(): AsyncGenerator<string[]> {
      for (let i = 0; i < 100; i++) {
        pagesRead++;
        if (i === 3) controller.abort(new Error('client went away'));
        yield ['line'];
      }
    }
    await expect(diffLogs(slow(), [['line']], { signal: controller.signal })).rejects.toThrow('client went away');
    expect(pagesRead).toBe(4);
  });

  it('a source that throws rejects the diff', async () => {
    async function* broken(): AsyncGenerator<string[]> {
      yield ['a'];
      throw new Error('store read failed');
    }
    await expect(diffLogs(broken(), [['a']])).rejects.toThrow('store read failed');
  });
});

describe('normalised comparison', () => {
  it('two runs that differ only in noise are equal; the real change is found', async () => {
    const base = ['2024-01-02T03:04:05.1234567Z Run npm ci', '2024-01-02T03:04:06.0000001Z added 12 packages in 1.23s', '2024-01-02T03:04:07.5Z PASS a.test.ts', '2024-01-02T03:04:08Z done'];
    const head = ['2024-02-09T10:00:00.7654321Z Run npm ci', '2024-02-09T10:00:01.0000009Z added 12 packages in 980ms', '2024-02-09T10:00:02.5Z FAIL a.test.ts', '2024-02-09T10:00:03Z done'];
    const diff = await diffLogs([base], [head]);
    expect(show(diff)).toEqual(['equal 1-3 1-3', 'changed 3-4 3-4', 'equal 4-5 4-5']);
    checkDiff(diff, base, head, normaliseLine);
  });
  it('accepts stored lines ({ n, text, … }) as well as strings', async () => {
    const stored: Line[] = [
      { n: 1, ts: 0, stream: 'out', text: 'a' },
      { n: 2, ts: 0, stream: 'err', text: 'b' },
    ];
    const diff = await diffLogs([stored], [['a', 'c']]);
    expect(show(diff)).toEqual(['equal 1-2 1-2', 'changed 2-3 2-3']);
  });
});

describe('pages of hunks', () => {
  async function manyHunks(): Promise<LineDiff> {
    const base = Array.from({ length: 3000 }, (_, i) => `l${i}`);
    const head = base.map((line, i) => (i % 2 === 0 ? line : `x${i}`));
    return diffLogs([base], [head], { normalise: exact });
  }
  it('pages cover every hunk once, in order; next is null after the last page', async () => {
    const diff = await manyHunks();
    expect(diff.total).toBe(3000);
    const first = diff.page(0, 100);
    expect(first).toMatchObject({ offset: 0, total: 3000, next: 100 });
    expect(first.hunks).toHaveLength(100);
    expect(diff.page(2950, 100)).toMatchObject({ offset: 2950, next: null });
    expect(diff.page(2950, 100).hunks).toHaveLength(50);
    expect(diff.page(3000, 10)).toEqual({ hunks: [], offset: 3000, total: 3000, next: null });
    expect(diff.page(0, 1_000_000).hunks).toHaveLength(MAX_HUNKS_PER_PAGE);
    expect(diff.page(5, 1).hunks[0]).toEqual(diff.hunk(5));
  });
  it('refuses a bad offset or limit with a RangeError', async () => {
    const diff = await manyHunks();
    for (const [offset, limit] of [[-1, 10], [3001, 10], [1.5, 10], [0, 0], [0, -1], [0, Number.NaN]] as const) {
      expect(() => diff.page(offset, limit)).toThrow(RangeError);
    }
    expect(() => diff.hunk(3000)).toThrow(RangeError);
  });
  it('finds the hunk holding a line on either side (a deep link opens its page)', async () => {
    const diff = await diffOf(chars('abcdef'), chars('abXYdef'));
    expect(show(diff)).toEqual(['equal 1-3 1-3', 'changed 3-4 3-5', 'equal 4-7 5-8']);
    expect([1, 2, 3, 4, 6].map((n) => diff.hunkAtBaseLine(n))).toEqual([0, 0, 1, 2, 2]);
    expect([3, 4, 5, 7].map((n) => diff.hunkAtHeadLine(n))).toEqual([1, 1, 2, 2]);
    expect([0, 7, 1.5].map((n) => diff.hunkAtBaseLine(n))).toEqual([null, null, null]);
    const added = await diffOf(chars('ab'), chars('aXb'));
    expect(show(added)).toEqual(['equal 1-2 1-2', 'added 2-2 2-3', 'equal 2-3 3-4']);
    expect(added.hunkAtBaseLine(2)).toBe(2);
    expect(added.hunkAtHeadLine(2)).toBe(1);
  });
});

describe('diffSymbols', () => {
  it('aligns interned sequences directly', () => {
    const diff = diffSymbols(Int32Array.from([0, 1, 2]), Int32Array.from([0, 2]), 3);
    expect(show(diff)).toEqual(['equal 1-2 1-2', 'removed 2-3 2-2', 'equal 3-4 2-3']);
  });
});

describe('two 1M-line logs under the memory bound', () => {
  const LINES = 1_000_000;
  const CHANGE_EVERY = 100; // 1 % of lines changed for real; every line differs in noise
  /** DIFF_BYTES_PER_LINE per input line plus DIFF_FIXED_BYTES: 136 MB for two 1M-line sides. */
  const BOUND = DIFF_BYTES_PER_LINE * 2 * LINES + DIFF_FIXED_BYTES;

  it(
    'finds exactly the changed lines, holding less than the bound (keeping the text alone would exceed it)',
    async () => {
      // The bound can fail: the two logs' text is more characters than the bound has bytes.
      // Sampled at every page and at the end (docs/diff.md "Bounds": the synchronous aligning
      // phase between two samples is inside the bound by count, not by sample).
      let chars = 0;
      for (let i = 0; i < LINES; i++) chars += ciLine(i, 'base', CHANGE_EVERY).length + ciLine(i, 'head', CHANGE_EVERY).length;
      expect(chars).toBeGreaterThan(BOUND);

      const memory = new MemorySampler();
      const onPage = () => memory.sample();
      const diff = await diffLogs(ciLog({ lines: LINES, side: 'base', changeEvery: CHANGE_EVERY, onPage }), ciLog({ lines: LINES, side: 'head', changeEvery: CHANGE_EVERY, onPage }));
      memory.sample();
      const changed = changedLines(LINES, CHANGE_EVERY);
      expect(diff.summary.counts).toEqual({ added: changed, removed: changed, unchanged: LINES - changed });
      expect(diff.total).toBe(2 * changed + 1);
      expect(diff.summary.replacedRegions).toBe(0);
      expect(diff.page(0, 2).hunks).toEqual([
        { kind: 'equal', baseFrom: 1, baseTo: 51, headFrom: 1, headTo: 51 },
        { kind: 'changed', baseFrom: 51, baseTo: 52, headFrom: 51, headTo: 52 },
      ]);
      expect(memory.delta).toBeLessThan(BOUND);
    },
    600_000,
  );
});
