import 'server-only';
import { applyCode, applySgr, CONCEAL, DEFAULT_COLOR, extendedColor, sgrTransition, type Sgr } from '../ansi/sgr';
import { MAX_CSI_PARAMS, MAX_CSI_VALUE, type Pen } from '../ansi/terminal';

/**
 * The fast path of ingest for lines that are text plus SGR sequences only (`ESC[…m`, the
 * colours nearly every CI log is made of): the same canonical text, visible text and end pen
 * as lib/ansi/terminal.ts parseLine + serializeCells, without building a cell per character.
 * Anything else (another control, `\r`, another escape, a surrogate, a carried link) returns
 * null and the caller takes the cell model. fast-line.test.ts compares both on the fixtures
 * and on generated lines.
 *
 * Why it is the same: with only SGRs, every printable character is appended at the cursor
 * (no `\r`, no moves, no erase), so the cells are the text runs between the sequences, each
 * in the pen the sequences before it set; concealed runs are not stored. serializeCells emits
 * `sgrTransition(previous, next)` wherever consecutive cells' pens differ, starting from the
 * default, and a reset at the end when the last pen is not the default: so does this, per run.
 */

/** Characters the fast path leaves to the cell model: controls other than TAB and ESC, DEL, C1, surrogates. */
const NOT_FAST = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\ud800-\udfff]/;
const ESC = '\x1b';
/** as lib/ansi/terminal.ts parseCsi */
const MAX_SUB_PARAMS = 8;

export interface FastLine {
  /** canonical stored text, unmasked */
  text: string;
  /** what a terminal shows */
  visible: string;
  /** the pen after the line (no link) */
  end: Pen;
}

/** True when the line has no character the fast path refuses outright (ESC is checked per sequence). */
export function mayBeFast(raw: string): boolean {
  return !NOT_FAST.test(raw);
}

/**
 * Canonical form of a line of text and SGR sequences, starting with `start`; null when the
 * line needs the cell model. The caller checked `mayBeFast(raw)`.
 */
export function sgrOnlyLine(raw: string, start: Readonly<Pen>): FastLine | null {
  if (start.link !== null) return null;
  const pen: Sgr = { flags: start.sgr.flags, fg: start.sgr.fg, bg: start.sgr.bg };
  // what serializeCells last wrote: starts as the default pen
  let aFlags = 0;
  let aFg = DEFAULT_COLOR;
  let aBg = DEFAULT_COLOR;
  let text = '';
  let visible = '';
  const len = raw.length;
  let from = 0;
  for (;;) {
    const esc = raw.indexOf(ESC, from);
    const to = esc < 0 ? len : esc;
    if (to > from && !(pen.flags & CONCEAL)) {
      const run = raw.slice(from, to);
      if (pen.flags !== aFlags || pen.fg !== aFg || pen.bg !== aBg) {
        text += sgrTransition({ flags: aFlags, fg: aFg, bg: aBg }, pen);
        aFlags = pen.flags;
        aFg = pen.fg;
        aBg = pen.bg;
      }
      text += run;
      visible += run;
    }
    if (esc < 0) break;
    const next = applyCsiM(raw, esc + 1, pen);
    if (next < 0) return null;
    from = next;
  }
  if (aFlags !== 0 || aFg !== DEFAULT_COLOR || aBg !== DEFAULT_COLOR) text += '\x1b[0m';
  return { text, visible, end: { sgr: pen, link: null } };
}

/** Parameters of the SGR being read, reused (no colon sub-parameters): one value each, -1 when empty. */
const values: number[] = [];

/**
 * At `j` (just after an ESC): `[` parameters `m`, applied to `pen` exactly as parseCsi and
 * csiDispatch do; returns the index after the `m`, or -1 for any other sequence. Plain
 * `;`-separated values (nearly all SGRs) are applied here without building parameter arrays;
 * with `:` sub-parameters the sequence goes to applySgr itself.
 */
function applyCsiM(raw: string, j: number, pen: Sgr): number {
  if (raw.charCodeAt(j) !== 0x5b) return -1;
  const len = raw.length;
  let count = 0;
  let value = -1;
  for (j++; j < len; j++) {
    const k = raw.charCodeAt(j);
    if (k >= 0x30 && k <= 0x39) {
      value = value < 0 ? k - 0x30 : Math.min(value * 10 + (k - 0x30), MAX_CSI_VALUE);
    } else if (k === 0x3b) {
      if (count < MAX_CSI_PARAMS) values[count++] = value;
      value = -1;
    } else if (k === 0x6d) {
      if (count < MAX_CSI_PARAMS) values[count++] = value;
      applyValues(pen, count);
      return j + 1;
    } else if (k === 0x3a) {
      return applyCsiMWithColons(raw, j, pen, count);
    } else {
      return -1;
    }
  }
  return -1;
}

/** applySgr for `count` plain values (its loop, without the colon branch). */
function applyValues(s: Sgr, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    const code = v < 0 ? 0 : v;
    if (code === 38 || code === 48 || code === 58) {
      // applySgr's extended colour over the (at most 5) values after it; a missing one is -1
      const { color, used } = extendedColor(values.slice(i + 1, i + 1 + Math.min(count - 1 - i, 5)), false);
      if (color !== null && code !== 58) {
        if (code === 38) s.fg = color;
        else s.bg = color;
      }
      i += used;
      continue;
    }
    applyCode(s, code);
  }
}

/** The general case: rebuilds the parameters parsed so far, then reads on as parseCsi does. */
function applyCsiMWithColons(raw: string, j: number, pen: Sgr, count: number): number {
  const len = raw.length;
  const params: number[][] = [];
  for (let i = 0; i < count; i++) params.push([values[i] as number]);
  let param: number[] = [];
  // `j` is at the first ':'; the value before it was not pushed yet: re-read it
  let v = j - 1;
  while (v > 0 && raw.charCodeAt(v) >= 0x30 && raw.charCodeAt(v) <= 0x39) v--;
  let value = -1;
  for (j = v + 1; j < len; j++) {
    const k = raw.charCodeAt(j);
    if (k >= 0x30 && k <= 0x39) {
      value = value < 0 ? k - 0x30 : Math.min(value * 10 + (k - 0x30), MAX_CSI_VALUE);
    } else if (k === 0x3b) {
      if (params.length < MAX_CSI_PARAMS) params.push(param.length === 0 ? [value] : [...param, value]);
      param = [];
      value = -1;
    } else if (k === 0x3a) {
      if (param.length < MAX_SUB_PARAMS) param.push(value);
      value = -1;
    } else if (k === 0x6d) {
      if (params.length < MAX_CSI_PARAMS) params.push(param.length === 0 ? [value] : [...param, value]);
      applySgr(pen, params);
      return j + 1;
    } else {
      return -1;
    }
  }
  return -1;
}
