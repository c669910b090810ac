import 'server-only';
import { CONCEAL } from '../ansi/sgr';
import { parseLine, penPrefix, serializeCells, type Pen, type ScreenLine } from '../ansi/terminal';
import { mayBeFast, sgrOnlyLine } from './fast-line';
import { patternMatcher, type MaskMatcher, type MaskRanges } from './mask-matcher';
import { replaceRanges } from './masks';

export interface CanonicalLine {
  /** canonical stored text (see lib/ansi/sgr.ts, lib/ansi/terminal.ts) */
  text: string;
  /** what a terminal shows, before masking: where `::add-mask::` is looked for */
  visible: string;
  /** what is shown after masking: where group markers are looked for */
  maskedVisible: string;
  /** the pen carried to the next line (its link URL masked) */
  end: Pen;
  /** Buildkite APC timestamp, if any */
  ts: number | null;
}

/**
 * One raw line → its canonical text, starting with the carried `pen`.
 * `onVisible` sees the unmasked visible text first and may return the line's own
 * `::add-mask::` value, hidden on this line too; `masks` is asked for the matcher after it
 * (it may have grown). Masks cover the visible text and OSC 8 link URLs.
 */
export function canonicalLine(
  raw: string,
  pen: Pen,
  masks: () => MaskMatcher,
  onVisible: (visible: string) => string | null,
): CanonicalLine {
  if (mayBeFast(raw)) {
    if (!(pen.sgr.flags & CONCEAL) && !raw.includes('\x1b')) return plainLine(raw, pen, masks, onVisible);
    // Text and SGRs only (fast-line.ts): the cell model only when a mask hides part of it.
    const fast = sgrOnlyLine(raw, pen);
    if (fast) {
      const extra = onVisible(fast.visible);
      const matcher = masks();
      const ranges = withValue(matcher.ranges(fast.visible), fast.visible, extra);
      if (ranges.length === 0) return { text: fast.text, visible: fast.visible, maskedVisible: fast.visible, end: fast.end, ts: null };
      return fromCells(parseLine(raw, pen), fast.visible, ranges, matcher);
    }
  }
  const line = parseLine(raw, pen);
  const visible = line.chars.join('');
  const extra = onVisible(visible);
  const matcher = masks();
  return fromCells(line, visible, withValue(matcher.ranges(visible), visible, extra), matcher);
}

/** No controls, no escapes: every character is one cell in `pen`. */
function plainLine(raw: string, pen: Pen, masks: () => MaskMatcher, onVisible: (visible: string) => string | null): CanonicalLine {
  const extra = onVisible(raw);
  const matcher = masks();
  const ranges = withValue(matcher.ranges(raw), raw, extra);
  const maskedVisible = ranges.length === 0 ? raw : replaceRanges(raw, ranges);
  const end = maskPen(pen, matcher);
  if (raw === '') return { text: '', visible: raw, maskedVisible, end, ts: null };
  const { open, close } = penPrefix(end);
  return { text: open + maskedVisible + close, visible: raw, maskedVisible, end, ts: null };
}

/** The cell model's result, `ranges` (of `visible`) masked. */
function fromCells(line: ScreenLine, visible: string, ranges: MaskRanges, matcher: MaskMatcher): CanonicalLine {
  const penTable = line.penTable.map((p) => maskPen(p, matcher));
  const end = maskPen(line.end, matcher);
  if (ranges.length === 0) {
    return { text: serializeCells(line.chars, line.pens, penTable), visible, maskedVisible: visible, end, ts: line.ts };
  }
  return {
    text: serializeCells(line.chars, line.pens, penTable, toCellRanges(line.chars, ranges)),
    visible,
    maskedVisible: replaceRanges(visible, ranges),
    end,
    ts: line.ts,
  };
}

/**
 * A screen row's cells → canonical text and visible text, masked: `penTable` already holds the
 * masked link URLs (`maskPen`), `value` is an `::add-mask::` value found on the row itself.
 */
export function canonicalRow(chars: readonly string[], pens: readonly number[], penTable: readonly Pen[], matcher: MaskMatcher, value: string | null): { text: string; visible: string; maskedVisible: string } {
  const visible = chars.join('');
  const ranges = withValue(matcher.ranges(visible), visible, value);
  if (ranges.length === 0) return { text: serializeCells(chars, pens, penTable), visible, maskedVisible: visible };
  return { text: serializeCells(chars, pens, penTable, toCellRanges(chars, ranges)), visible, maskedVisible: replaceRanges(visible, ranges) };
}

/** A link URL with masks replaced (`https://x/?t=***`: still a safe URL, lib/ansi/links.ts). */
export function maskPen(pen: Pen, matcher: MaskMatcher): Pen {
  if (pen.link === null || matcher.patterns.length === 0) return pen;
  const ranges = matcher.ranges(pen.link);
  return ranges.length === 0 ? pen : { sgr: pen.sgr, link: replaceRanges(pen.link, ranges) };
}

/**
 * The line's own `::add-mask::` value is hidden even when the matcher does not hold it (a
 * value too long to register): merged into `ranges`.
 */
export function withValue(ranges: MaskRanges, text: string, value: string | null): MaskRanges {
  if (value === null) return ranges;
  const own = patternMatcher([value]).ranges(text);
  if (own.length === 0) return ranges;
  return mergeRanges([...ranges, ...own]);
}

function mergeRanges(ranges: MaskRanges): MaskRanges {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: MaskRanges = [];
  for (const [from, to] of ranges) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
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
