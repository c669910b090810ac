import { DEFAULT_HUNKS_PER_PAGE, HUNK_KINDS, MAX_HUNKS_PER_PAGE, type HunkKind } from '../contracts/diff-names';
import { IntVec } from './intern';

/**
 * A diff's answer: hunks that tile both sides in order, and counts. Hunks alternate: an
 * `equal` hunk is never next to another `equal` one, and a run of edits with no equal line
 * between them is one hunk (`removed`, `added`, or `changed` when it has lines on both sides).
 * Stored as three integers per hunk (where it starts on each side, its kind); a hunk ends
 * where the next one starts, so a page of hunks is cut from it without recomputing the diff.
 */

export { HUNK_KINDS } from '../contracts/diff-names';
export type { HunkKind } from '../contracts/diff-names';

const EQUAL = 0;
const ADDED = 1;
const REMOVED = 2;
const CHANGED = 3;

/**
 * One hunk. Line numbers are 1-based and ranges half-open: the hunk holds base lines
 * `baseFrom ≤ n < baseTo` and head lines `headFrom ≤ n < headTo`. An empty side has
 * `from === to`: the line before which the other side's lines were added or removed.
 * For a step read from its first line, these are the store's line numbers `n`.
 */
export interface DiffHunk {
  kind: HunkKind;
  baseFrom: number;
  baseTo: number;
  headFrom: number;
  headTo: number;
}

export interface DiffCounts {
  /** head lines in `added` and `changed` hunks */
  added: number;
  /** base lines in `removed` and `changed` hunks */
  removed: number;
  /** lines in `equal` hunks (on either side: the same number) */
  unchanged: number;
}

export { DEFAULT_HUNKS_PER_PAGE, MAX_HUNKS_PER_PAGE } from '../contracts/diff-names';

export interface DiffHunkPage {
  hunks: DiffHunk[];
  /** index of the first hunk of this page */
  offset: number;
  /** hunks in the whole diff */
  total: number;
  /** offset of the next page, or null after the last */
  next: number | null;
}

export interface DiffSummary {
  counts: DiffCounts;
  baseLines: number;
  headLines: number;
  hunks: number;
  /** a side longer than the diff's line limit was compared on its first lines only */
  truncated: { base: boolean; head: boolean };
  /**
   * Regions reported as `changed` because they were too different to align within the work
   * budget (docs/diff.md): some lines in them may in fact be equal. 0 for a minimal-or-patience diff.
   */
  replacedRegions: number;
}

/** A LineDiff as plain data: its hunk starts (3 integers a hunk) and its summary. */
export interface LineDiffParts {
  starts: Int32Array;
  summary: DiffSummary;
}

/** Builds the hunk list from edits given in order; adjacent edits merge into one hunk. */
export class HunkBuilder {
  private readonly starts = new IntVec(3 * 256);
  private base = 0;
  private head = 0;
  private openBase = 0;
  private openHead = 0;
  /** -1 nothing open, EQUAL, or ADDED as "an edit run is open" */
  private open = -1;
  readonly counts: DiffCounts = { added: 0, removed: 0, unchanged: 0 };
  replacedRegions = 0;

  equal(count: number): void {
    if (count <= 0) return;
    if (this.open !== EQUAL) this.openRun(EQUAL);
    this.base += count;
    this.head += count;
    this.counts.unchanged += count;
  }

  removed(count: number): void {
    if (count <= 0) return;
    if (this.open !== ADDED) this.openRun(ADDED);
    this.base += count;
    this.counts.removed += count;
  }

  added(count: number): void {
    if (count <= 0) return;
    if (this.open !== ADDED) this.openRun(ADDED);
    this.head += count;
    this.counts.added += count;
  }

  get position(): { base: number; head: number } {
    return { base: this.base, head: this.head };
  }

  finish(summary: { truncated: { base: boolean; head: boolean } }): LineDiff {
    this.close();
    return new LineDiff(this.starts.view(), this.base, this.head, {
      counts: { ...this.counts },
      baseLines: this.base,
      headLines: this.head,
      hunks: this.starts.length / 3,
      truncated: summary.truncated,
      replacedRegions: this.replacedRegions,
    });
  }

  private openRun(kind: number): void {
    this.close();
    this.open = kind;
    this.openBase = this.base;
    this.openHead = this.head;
  }

  private close(): void {
    if (this.open < 0) return;
    let kind = EQUAL;
    if (this.open !== EQUAL) {
      const removed = this.base > this.openBase;
      const added = this.head > this.openHead;
      kind = removed && added ? CHANGED : removed ? REMOVED : ADDED;
    }
    this.starts.push(this.openBase);
    this.starts.push(this.openHead);
    this.starts.push(kind);
    this.open = -1;
  }
}

function checkIndex(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} must be an integer from 0 to ${max}`);
}

/** The result of a diff: its summary, and its hunks by index or by page. Holds 12 bytes per hunk. */
export class LineDiff {
  readonly summary: DiffSummary;

  constructor(
    private readonly starts: Int32Array,
    private readonly baseLines: number,
    private readonly headLines: number,
    summary: DiffSummary,
  ) {
    this.summary = summary;
  }

  get total(): number {
    return this.starts.length / 3;
  }

  /** What the diff holds, to send it to another thread (the array can be transferred) and rebuild it with `fromParts`. */
  toParts(): LineDiffParts {
    return { starts: this.starts, summary: this.summary };
  }

  static fromParts(parts: LineDiffParts): LineDiff {
    const { starts, summary } = parts;
    if (starts.length !== summary.hunks * 3) throw new RangeError('hunk starts do not match the summary');
    return new LineDiff(starts, summary.baseLines, summary.headLines, summary);
  }

  /** Bytes the hunk list takes (a cache's measure; the summary adds a few hundred). */
  get bytes(): number {
    return this.starts.buffer.byteLength;
  }

  /** Hunk `index` (0-based). */
  hunk(index: number): DiffHunk {
    checkIndex('index', index, this.total - 1);
    const at = index * 3;
    const last = index === this.total - 1;
    const baseFrom = this.starts[at] ?? 0;
    const headFrom = this.starts[at + 1] ?? 0;
    const baseEnd = last ? this.baseLines : (this.starts[at + 3] ?? 0);
    const headEnd = last ? this.headLines : (this.starts[at + 4] ?? 0);
    return { kind: HUNK_KINDS[this.starts[at + 2] ?? 0] ?? 'equal', baseFrom: baseFrom + 1, baseTo: baseEnd + 1, headFrom: headFrom + 1, headTo: headEnd + 1 };
  }

  /** Hunks `offset`, `offset+1`, … (at most `limit`, at most MAX_HUNKS_PER_PAGE). RangeError on a bad offset or limit. */
  page(offset = 0, limit = DEFAULT_HUNKS_PER_PAGE): DiffHunkPage {
    checkIndex('offset', offset, this.total);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    const end = Math.min(this.total, offset + Math.min(limit, MAX_HUNKS_PER_PAGE));
    const hunks: DiffHunk[] = [];
    for (let i = offset; i < end; i++) hunks.push(this.hunk(i));
    return { hunks, offset, total: this.total, next: end < this.total ? end : null };
  }

  /** Index of the hunk holding base line `n` (1-based), or null past the end. For a deep link to a page. */
  hunkAtBaseLine(n: number): number | null {
    return this.search(0, n, this.baseLines);
  }

  /** Index of the hunk holding head line `n` (1-based), or null past the end. */
  hunkAtHeadLine(n: number): number | null {
    return this.search(1, n, this.headLines);
  }

  /** The last hunk whose side `side` starts at or before line n and holds it (a hunk with no line on that side holds none). */
  private search(side: 0 | 1, n: number, lines: number): number | null {
    if (!Number.isInteger(n) || n < 1 || n > lines) return null;
    const index = n - 1;
    let lo = 0;
    let hi = this.total - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid * 3 + side] ?? 0) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
