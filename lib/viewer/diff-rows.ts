import type { HunkKind } from '@/lib/contracts/diff-names';

/**
 * The diff view's rows (app/jobs/[job]/diff, README "Log diff"): the hunks of a step diff
 * (lib/contracts/diff.ts, line numbers 1-based, `to` exclusive) turned into the rows a
 * virtualized list shows, unified or side by side, with long unchanged runs folded.
 *
 * The model holds one segment per run of alike rows, never one object per line: a diff of two
 * 1M-line steps is a few segments per hunk, and `diffRowAt` finds a row by binary search.
 */

export interface DiffHunk {
  kind: HunkKind;
  baseFrom: number;
  baseTo: number;
  headFrom: number;
  headTo: number;
}

export type DiffLayout = 'unified' | 'split';

/** Unchanged lines kept on screen on each side of a change (the rest is folded). */
export const DIFF_CONTEXT_LINES = 3;
/** An unchanged run is folded only when it hides at least this many lines. */
export const MIN_FOLDED_LINES = 4;
/** Lines one click on a fold reveals (bounded: a 1M-line run opens a screenful at a time). */
export const FOLD_EXPAND_LINES = 200;

/** `same` both sides; `del` base only; `add` head only; `pair` (side by side) base and head of a change, each while it lasts. */
export type DiffRowOp = 'same' | 'del' | 'add' | 'pair';

export type DiffRow =
  | { type: 'line'; op: DiffRowOp; base: number | null; head: number | null; hunk: number }
  | { type: 'fold'; hunk: number; hidden: number; base: number; head: number };

interface LinesSegment {
  type: 'lines';
  op: DiffRowOp;
  hunk: number;
  /** first row's line on each side (null: the side has no line in this segment) */
  base: number | null;
  head: number | null;
  /** lines on each side (`pair`: the longer side gives the row count) */
  baseCount: number;
  headCount: number;
  rows: number;
}

interface FoldSegment {
  type: 'fold';
  hunk: number;
  hidden: number;
  base: number;
  head: number;
  rows: 1;
}

type Segment = LinesSegment | FoldSegment;

export interface DiffRowModel {
  count: number;
  segments: readonly Segment[];
  /** first row index of each segment */
  starts: readonly number[];
  /** row index where each change (a hunk not `equal`) starts, ascending */
  changes: readonly number[];
}

function lines(op: DiffRowOp, hunk: number, base: number | null, head: number | null, baseCount: number, headCount: number): LinesSegment {
  return { type: 'lines', op, hunk, base, head, baseCount, headCount, rows: Math.max(baseCount, headCount) };
}

/**
 * The rows of `hunks` (consecutive, from the step's first line when `atStart`; `atEnd`: no
 * hunk follows the last one). `expanded[i]`: lines revealed so far inside hunk i's fold.
 */
export function buildDiffRows(hunks: readonly DiffHunk[], layout: DiffLayout, expanded: ReadonlyMap<number, number> = new Map(), opts: { atStart?: boolean; atEnd?: boolean } = {}): DiffRowModel {
  const { atStart = true, atEnd = true } = opts;
  const segments: Segment[] = [];
  const changes: number[] = [];
  let count = 0;
  const starts: number[] = [];
  const push = (segment: Segment) => {
    if (segment.rows <= 0) return;
    starts.push(count);
    segments.push(segment);
    count += segment.rows;
  };
  hunks.forEach((h, i) => {
    const baseLen = Math.max(0, h.baseTo - h.baseFrom);
    const headLen = Math.max(0, h.headTo - h.headFrom);
    if (h.kind !== 'equal') {
      if (baseLen + headLen === 0) return;
      changes.push(count);
      if (layout === 'split' && baseLen > 0 && headLen > 0) {
        push(lines('pair', i, h.baseFrom, h.headFrom, baseLen, headLen));
      } else {
        push(lines('del', i, h.baseFrom, null, baseLen, 0));
        push(lines('add', i, null, h.headFrom, 0, headLen));
      }
      return;
    }
    const len = Math.min(baseLen, headLen);
    const before = i === 0 && atStart ? 0 : DIFF_CONTEXT_LINES;
    const after = i === hunks.length - 1 && atEnd ? 0 : DIFF_CONTEXT_LINES;
    const shownExtra = Math.max(0, expanded.get(i) ?? 0);
    const hidden = len - before - after - shownExtra;
    if (hidden < MIN_FOLDED_LINES) {
      push(lines('same', i, h.baseFrom, h.headFrom, len, len));
      return;
    }
    const top = before + shownExtra;
    push(lines('same', i, h.baseFrom, h.headFrom, top, top));
    push({ type: 'fold', hunk: i, hidden, base: h.baseFrom + top, head: h.headFrom + top, rows: 1 });
    push(lines('same', i, h.baseFrom + top + hidden, h.headFrom + top + hidden, after, after));
  });
  return { count, segments, starts, changes };
}

/** The row at `index` (0 ≤ index < model.count), or null outside. */
export function diffRowAt(model: DiffRowModel, index: number): DiffRow | null {
  if (!Number.isInteger(index) || index < 0 || index >= model.count) return null;
  let lo = 0;
  let hi = model.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((model.starts[mid] ?? 0) <= index) lo = mid;
    else hi = mid - 1;
  }
  const segment = model.segments[lo];
  if (!segment) return null;
  const k = index - (model.starts[lo] ?? 0);
  if (segment.type === 'fold') return { type: 'fold', hunk: segment.hunk, hidden: segment.hidden, base: segment.base, head: segment.head };
  const base = segment.base !== null && k < segment.baseCount ? segment.base + k : null;
  const head = segment.head !== null && k < segment.headCount ? segment.head + k : null;
  return { type: 'line', op: segment.op, base, head, hunk: segment.hunk };
}

/** The change after row `from` (`dir` 1) or before it (-1): its index in `model.changes`, or null. */
export function nextChange(model: DiffRowModel, from: number, dir: 1 | -1): number | null {
  const { changes } = model;
  if (dir === 1) {
    const i = changes.findIndex((row) => row > from);
    return i === -1 ? null : i;
  }
  for (let i = changes.length - 1; i >= 0; i--) if ((changes[i] ?? Infinity) < from) return i;
  return null;
}

