import 'server-only';
import { CONCEAL } from '../ansi/sgr';
import { isPlainText, parseLine, penPrefix, serializeCells, type Pen } from '../ansi/terminal';
import { findMaskRanges, replaceRanges } from './masks';

export interface CanonicalLine {
  /** canonical stored text (see lib/ansi/sgr.ts, lib/ansi/terminal.ts) */
  text: string;
  /** what a terminal shows, before masking: where `::add-mask::` is looked for */
  visible: string;
  /** what is shown after masking: where group markers are looked for */
  maskedVisible: string;
  /** the pen carried to the next line */
  end: Pen;
  /** Buildkite APC timestamp, if any */
  ts: number | null;
}

/**
 * One raw line → its canonical text, starting with the carried `pen`.
 * `onVisible` sees the unmasked visible text first and may return extra masks (the line's
 * own `::add-mask::` value), applied to this line too.
 */
export function canonicalLine(
  raw: string,
  pen: Pen,
  masks: readonly string[],
  onVisible: (visible: string) => string | null,
): CanonicalLine {
  if (isPlainText(raw) && !(pen.sgr.flags & CONCEAL)) {
    // Fast path: no controls, no escapes: every character is one cell in `pen`.
    const extra = onVisible(raw);
    const ranges = findMaskRanges(raw, extra === null ? masks : [...masks, extra]);
    const maskedVisible = ranges.length === 0 ? raw : replaceRanges(raw, ranges);
    if (raw === '') return { text: '', visible: raw, maskedVisible, end: pen, ts: null };
    const { open, close } = penPrefix(pen);
    return { text: open + maskedVisible + close, visible: raw, maskedVisible, end: pen, ts: null };
  }
  const line = parseLine(raw, pen);
  const visible = line.chars.join('');
  const extra = onVisible(visible);
  const ranges = findMaskRanges(visible, extra === null ? masks : [...masks, extra]);
  if (ranges.length === 0) {
    return { text: serializeCells(line.chars, line.pens, line.penTable), visible, maskedVisible: visible, end: line.end, ts: line.ts };
  }
  return {
    text: serializeCells(line.chars, line.pens, line.penTable, toCellRanges(line.chars, ranges)),
    visible,
    maskedVisible: replaceRanges(visible, ranges),
    end: line.end,
    ts: line.ts,
  };
}

/** UTF-16 ranges of the joined cells → cell-index ranges. */
function toCellRanges(chars: readonly string[], ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let offset = 0;
  let cell = 0;
  for (const [from, to] of ranges) {
    while (cell < chars.length && offset + (chars[cell]?.length ?? 1) <= from) offset += chars[cell++]?.length ?? 1;
    const first = cell;
    while (cell < chars.length && offset < to) offset += chars[cell++]?.length ?? 1;
    const last = out[out.length - 1];
    if (last && first < last[1]) last[1] = Math.max(last[1], cell);
    else out.push([first, cell]);
  }
  return out;
}
