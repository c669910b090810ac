import { HunkBuilder, type LineDiff } from './hunks';
import { Interner, IntVec } from './intern';
import { MAX_MYERS_EDITS, myers, MyersScratch } from './myers';
import { normaliseLine } from './normalise';

/**
 * A line diff of two logs (docs/diff.md "Algorithm"), streaming and bounded in memory.
 *
 * Reading: each side arrives as pages of lines (an async iterable, as the store reads them);
 * each line is normalised (normalise.ts), hashed to 64 bits and interned to a small integer
 * (intern.ts). No text is kept: a side costs 4 bytes a line, plus 8-28 bytes per distinct
 * line while reading.
 *
 * Aligning (diffRange, recursive over a region [a0, a1) × [b0, b1)):
 *   1. equal lines at both ends of the region are matched (trimmed);
 *   2. patience anchoring: the lines that occur exactly once in the region on each side are
 *      paired, and the longest run of pairs in the same order on both sides (longest
 *      increasing subsequence, O(U log U)) becomes anchors; the gaps between anchors are
 *      regions of their own, one level deeper (at most MAX_PATIENCE_DEPTH levels);
 *   3. a region without such lines goes to Myers (myers.ts), at most MAX_MYERS_EDITS edits;
 *   4. past that, or once the diff's work budget is spent, the region is reported as replaced
 *      (`changed`) and counted in `replacedRegions`.
 * Every level reads each line of its region a bounded number of times, so the whole costs
 * O((N+M)·MAX_PATIENCE_DEPTH + U log U) plus the Myers work, itself at most
 * MYERS_WORK_PER_LINE·(N+M) + MYERS_WORK_FLOOR steps: linear in the input, whatever it holds.
 *
 * Memory bound (docs/diff.md "Bounds"): at most DIFF_BYTES_PER_LINE bytes per input line
 * plus DIFF_FIXED_BYTES, measured by diff.test.ts on two 1M-line inputs.
 */

/** Lines read from each side; past it a side is compared on its first MAX_DIFF_LINES lines (`truncated`). */
export const MAX_DIFF_LINES = 2_097_152;
/** Levels of patience anchoring inside gaps between anchors; deeper regions go to Myers. */
export const MAX_PATIENCE_DEPTH = 8;
/** Myers work (diagonal and snake steps) the diff may spend per input line, on top of MYERS_WORK_FLOOR. */
export const MYERS_WORK_PER_LINE = 64;
/** Myers work any diff may spend, however small: two 1,000-line sides that share nothing fit. */
export const MYERS_WORK_FLOOR = 4_000_000;
/** The documented memory bound: bytes per input line (both sides counted)… */
export const DIFF_BYTES_PER_LINE = 64;
/** …plus these, for the Myers trace (MAX_MYERS_EDITS²/2 integers) and small buffers. */
export const DIFF_FIXED_BYTES = 8 * 1024 * 1024;

/** One page of a side: stored lines (only `text` is read) or plain strings. */
export type DiffPage = ReadonlyArray<string | { readonly text: string }>;
export type DiffSource = AsyncIterable<DiffPage> | Iterable<DiffPage>;

export interface DiffOptions {
  /** How a line is compared (default normaliseLine: every rule). */
  normalise?: (text: string) => string;
  /** Stops reading: the diff rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Lines read per side: a non-negative integer (default and maximum MAX_DIFF_LINES); RangeError otherwise. */
  maxLines?: number;
}

/** Diffs two logs given as pages of lines. Rejects only when aborted or when a source throws. */
export async function diffLogs(base: DiffSource, head: DiffSource, options: DiffOptions = {}): Promise<LineDiff> {
  const reader = new DiffReader(options);
  await readSide(base, (page) => reader.addBase(page), options.signal);
  await readSide(head, (page) => reader.addHead(page), options.signal);
  options.signal?.throwIfAborted();
  return reader.finish();
}

async function readSide(source: DiffSource, add: (page: DiffPage) => boolean, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  for await (const page of source) {
    signal?.throwIfAborted();
    if (!add(page)) return; // truncated: leaving the loop closes the source
  }
}

/**
 * diffLogs taken apart, for a caller that receives pages as messages (lib/diff/server's worker):
 * add each side's pages in order (the two sides may interleave: symbols are shared), then
 * `finish`. Holds what diffLogs holds (docs/diff.md "Bounds"), no text.
 */
export class DiffReader {
  private readonly interner = new Interner();
  private readonly normalise: (text: string) => string;
  private readonly maxLines: number;
  private readonly sides = { base: { symbols: new IntVec(4096), truncated: false }, head: { symbols: new IntVec(4096), truncated: false } };

  constructor(options: Pick<DiffOptions, 'normalise' | 'maxLines'> = {}) {
    this.normalise = options.normalise ?? normaliseLine;
    const maxLines = Math.min(options.maxLines ?? MAX_DIFF_LINES, MAX_DIFF_LINES);
    if (!Number.isInteger(maxLines) || maxLines < 0) throw new RangeError('maxLines must be a non-negative integer');
    this.maxLines = maxLines;
  }

  /** Adds a page of base lines; false once the side is full (`truncated`): send no more. */
  addBase(page: DiffPage): boolean {
    return this.add(this.sides.base, page);
  }

  /** Adds a page of head lines; false once the side is full. */
  addHead(page: DiffPage): boolean {
    return this.add(this.sides.head, page);
  }

  /** Lines read so far on each side. */
  get read(): { base: number; head: number } {
    return { base: this.sides.base.symbols.length, head: this.sides.head.symbols.length };
  }

  /** Aligns the two sides (synchronous, the CPU-heavy part with the reading). */
  finish(): LineDiff {
    const { base, head } = this.sides;
    return diffSymbols(base.symbols.view(), head.symbols.view(), this.interner.size, { base: base.truncated, head: head.truncated });
  }

  private add(side: { symbols: IntVec; truncated: boolean }, page: DiffPage): boolean {
    for (const line of page) {
      if (side.symbols.length >= this.maxLines) {
        side.truncated = true;
        return false;
      }
      side.symbols.push(this.interner.intern(this.normalise(typeof line === 'string' ? line : line.text)));
    }
    return true;
  }
}

/** Per-symbol counters for finding the lines unique in a region, zeroed again after each use. */
interface Scratch {
  countA: Uint8Array;
  countB: Uint8Array;
  whereB: Int32Array;
}

interface Context {
  a: Int32Array;
  b: Int32Array;
  scratch: Scratch;
  myers: MyersScratch;
  out: HunkBuilder;
}

/**
 * The aligning step on interned sequences (symbols in [0, symbolCount)). Exported for tests
 * and the bench; diffLogs is the entry point.
 */
export function diffSymbols(a: Int32Array, b: Int32Array, symbolCount: number, truncated = { base: false, head: false }): LineDiff {
  const ctx: Context = {
    a,
    b,
    scratch: { countA: new Uint8Array(symbolCount), countB: new Uint8Array(symbolCount), whereB: new Int32Array(symbolCount) },
    myers: new MyersScratch(MYERS_WORK_PER_LINE * (a.length + b.length) + MYERS_WORK_FLOOR),
    out: new HunkBuilder(),
  };
  diffRange(ctx, 0, a.length, 0, b.length, 0);
  return ctx.out.finish({ truncated });
}

function diffRange(ctx: Context, a0: number, a1: number, b0: number, b1: number, depth: number): void {
  const { a, b, out } = ctx;
  let head = 0;
  while (a0 + head < a1 && b0 + head < b1 && a[a0 + head] === b[b0 + head]) head++;
  out.equal(head);
  a0 += head;
  b0 += head;
  let tail = 0;
  while (a1 - tail > a0 && b1 - tail > b0 && a[a1 - 1 - tail] === b[b1 - 1 - tail]) tail++;
  a1 -= tail;
  b1 -= tail;

  if (a0 === a1) out.added(b1 - b0);
  else if (b0 === b1) out.removed(a1 - a0);
  else {
    const anchors = depth < MAX_PATIENCE_DEPTH ? uniqueAnchors(ctx, a0, a1, b0, b1) : null;
    if (anchors && anchors.length > 0) {
      let pa = a0;
      let pb = b0;
      for (let i = 0; i < anchors.length; i += 2) {
        const ai = anchors[i] ?? 0;
        const bi = anchors[i + 1] ?? 0;
        diffRange(ctx, pa, ai, pb, bi, depth + 1);
        out.equal(1);
        pa = ai + 1;
        pb = bi + 1;
      }
      diffRange(ctx, pa, a1, pb, b1, depth + 1);
    } else if (!myers(a, a0, a1, b, b0, b1, MAX_MYERS_EDITS, ctx.myers, out)) {
      out.removed(a1 - a0);
      out.added(b1 - b0);
      out.replacedRegions++;
    }
  }
  out.equal(tail);
}

/**
 * Patience anchors of a region: pairs (i, j), flattened, of lines that occur once in a[a0, a1)
 * and once in b[b0, b1) with a[i] === b[j], the longest chain increasing on both sides.
 * Null when the region has no such line. Holds 16 bytes per candidate pair while it runs.
 */
function uniqueAnchors(ctx: Context, a0: number, a1: number, b0: number, b1: number): Int32Array | null {
  const { a, b } = ctx;
  const { countA, countB, whereB } = ctx.scratch;
  for (let i = a0; i < a1; i++) {
    const s = a[i] ?? 0;
    if ((countA[s] ?? 0) < 2) countA[s] = (countA[s] ?? 0) + 1;
  }
  for (let j = b0; j < b1; j++) {
    const s = b[j] ?? 0;
    if ((countB[s] ?? 0) < 2) countB[s] = (countB[s] ?? 0) + 1;
    whereB[s] = j;
  }
  let candidates = 0;
  for (let i = a0; i < a1; i++) {
    const s = a[i] ?? 0;
    if (countA[s] === 1 && countB[s] === 1) candidates++;
  }
  let pairA: Int32Array | null = null;
  let pairB: Int32Array | null = null;
  if (candidates > 0) {
    pairA = new Int32Array(candidates);
    pairB = new Int32Array(candidates);
    let c = 0;
    for (let i = a0; i < a1; i++) {
      const s = a[i] ?? 0;
      if (countA[s] === 1 && countB[s] === 1) {
        pairA[c] = i;
        pairB[c] = whereB[s] ?? 0;
        c++;
      }
    }
  }
  for (let i = a0; i < a1; i++) countA[a[i] ?? 0] = 0;
  for (let j = b0; j < b1; j++) countB[b[j] ?? 0] = 0;
  if (!pairA || !pairB) return null;
  return longestIncreasing(pairA, pairB);
}

/**
 * The longest chain of pairs (in `pairA` order, already increasing) whose `pairB` values
 * increase: patience sorting with binary search, O(U log U). Returns it flattened (i, j, …).
 */
function longestIncreasing(pairA: Int32Array, pairB: Int32Array): Int32Array {
  const count = pairA.length;
  /** tails[k]: index of the pair ending the best chain of length k+1 found so far */
  const tails = new Int32Array(count);
  const previous = new Int32Array(count);
  let length = 0;
  for (let p = 0; p < count; p++) {
    const value = pairB[p] ?? 0;
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((pairB[tails[mid] ?? 0] ?? 0) < value) lo = mid + 1;
      else hi = mid;
    }
    previous[p] = lo > 0 ? (tails[lo - 1] ?? 0) : -1;
    tails[lo] = p;
    if (lo === length) length++;
  }
  const chain = new Int32Array(2 * length);
  let p = length > 0 ? (tails[length - 1] ?? 0) : -1;
  for (let k = length - 1; k >= 0 && p >= 0; k--) {
    chain[2 * k] = pairA[p] ?? 0;
    chain[2 * k + 1] = pairB[p] ?? 0;
    p = previous[p] ?? -1;
  }
  return chain;
}
