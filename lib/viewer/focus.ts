import { indexOfLine, indexOfStep, rowAt, type Row, type RowModel } from './rows';

/**
 * Keyboard focus in the virtual log (roving focus). The focused row is kept as what it shows,
 * not as a list index or a DOM node: rows come and go as the list scrolls (virtualization) and
 * indexes shift when sections open or close, but "line 40 of build" stays the same row.
 *
 * `n` is the line a row shows: a line, or the line a group header opens (its marker line);
 * 0 is the step's own header.
 */
export interface RowFocus {
  step: string;
  n: number;
}

/** How a key moves the focus (lib/viewer/shortcuts.ts maps keys to these). */
export type FocusMove = 'line-next' | 'line-prev' | 'section-next' | 'section-prev' | 'first' | 'last' | 'page-next' | 'page-prev';

/** The focus identity of a row. */
export function focusOfRow(row: Row): RowFocus {
  if (row.kind === 'step') return { step: row.section.step.id, n: 0 };
  if (row.kind === 'group') return { step: row.section.step.id, n: row.group.start };
  return { step: row.section.step.id, n: row.n };
}

export function sameFocus(a: RowFocus | null, b: RowFocus | null): boolean {
  return a === b || (a !== null && b !== null && a.step === b.step && a.n === b.n);
}

/**
 * The row that shows the focus: the row itself, or, when a closed section hides it now, the
 * header of the outermost closed section around it (so collapsing a group moves the focus to
 * its header instead of losing it). Null when its step is not shown.
 */
export function indexOfFocus(model: RowModel, focus: RowFocus | null): number | null {
  if (!focus) return null;
  if (focus.n === 0) return indexOfStep(model, focus.step);
  const exact = indexOfLine(model, focus.step, focus.n);
  if (exact !== null) return exact;
  for (const s of model.segments) {
    if (s.section.step.id !== focus.step) continue;
    if (s.kind === 'group' && !s.open && s.group.start < focus.n && focus.n <= s.group.end) return s.first;
  }
  return indexOfStep(model, focus.step);
}

/** Index of the first segment that starts after `index` (binary search over segment starts). */
function segmentAfter(model: RowModel, index: number): number {
  let lo = 0;
  let hi = model.segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model.segments[mid]!.first > index) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Where a move takes the focus from row `from` (null: nothing focused yet, the move starts at
 * `fallback`, the first row on screen, and focuses it). `page` is the rows one page moves.
 * Returns a row index of the model, or null when the model has no rows. Moves stop at the
 * ends (no wrap); a section move with no header that way goes to the first or last row.
 */
export function nextFocusIndex(model: RowModel, from: number | null, move: FocusMove, fallback = 0, page = 1): number | null {
  if (model.total === 0) return null;
  const last = model.total - 1;
  const clamp = (i: number) => Math.min(last, Math.max(0, i));
  if (move === 'first') return 0;
  if (move === 'last') return last;
  if (from === null || from < 0 || from > last) return clamp(fallback);
  switch (move) {
    case 'line-next':
      return clamp(from + 1);
    case 'line-prev':
      return clamp(from - 1);
    case 'page-next':
      return clamp(from + Math.max(1, page));
    case 'page-prev':
      return clamp(from - Math.max(1, page));
    case 'section-next': {
      // Headers are single-row segments: the first non-line segment after `from`.
      for (let i = segmentAfter(model, from); i < model.segments.length; i++) {
        const s = model.segments[i]!;
        if (s.kind !== 'lines') return s.first;
      }
      return last;
    }
    case 'section-prev': {
      for (let i = segmentAfter(model, from) - 1; i >= 0; i--) {
        const s = model.segments[i]!;
        if (s.kind !== 'lines' && s.first < from) return s.first;
      }
      return 0;
    }
  }
}

/** Whether the row at `index` is a step or group header (Enter and Space toggle it). */
export function isHeaderRow(model: RowModel, index: number): boolean {
  const row = rowAt(model, index);
  return row !== null && row.kind !== 'line';
}
