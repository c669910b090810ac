import { MAX_WINDOW_ROWS } from './constants';

/**
 * The slice of the row model that the virtual list holds: rows [start, start + size).
 * Below `max` rows the window is the whole model; above it the list holds `max` rows and
 * the user pages the window (or jumps to a line, which recentres it). See docs/notes.md on the
 * browser's element-height cap.
 */
export interface RowWindow {
  start: number;
  size: number;
}

/** A window that contains `target`, centred on it when the model is bigger than `max`. */
export function windowAround(total: number, target: number, max = MAX_WINDOW_ROWS): RowWindow {
  if (total <= max) return { start: 0, size: total };
  const t = Math.min(Math.max(0, target), total - 1);
  const start = Math.min(Math.max(0, t - Math.floor(max / 2)), total - max);
  return { start, size: max };
}

/** The window holding the last rows (follow mode). */
export function windowAtEnd(total: number, max = MAX_WINDOW_ROWS): RowWindow {
  return total <= max ? { start: 0, size: total } : { start: total - max, size: max };
}

/**
 * Re-fits a window after the model changed size (rows appended, sections toggled), keeping
 * its start where possible so rows on screen stay put.
 */
export function refitWindow(win: RowWindow, total: number, max = MAX_WINDOW_ROWS): RowWindow {
  if (total <= max) return { start: 0, size: total };
  const start = Math.min(Math.max(0, win.start), total - max);
  return { start, size: max };
}

/** Moves the window by half its size towards the start (-1) or the end (+1). */
export function shiftWindow(win: RowWindow, total: number, direction: -1 | 1, max = MAX_WINDOW_ROWS): RowWindow {
  if (total <= max) return { start: 0, size: total };
  return refitWindow({ start: win.start + direction * Math.floor(max / 2), size: max }, total, max);
}

export function windowHasBefore(win: RowWindow): boolean {
  return win.start > 0;
}

export function windowHasAfter(win: RowWindow, total: number): boolean {
  return win.start + win.size < total;
}
