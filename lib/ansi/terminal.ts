import { applySgr, CONCEAL, DEFAULT_SGR, isDefaultSgr, sameSgr, sgrTransition, type Sgr } from './sgr';
import { isSafeLinkUrl, LINK_CLOSE, linkOpen, MAX_LINK_URL_CHARS } from './links';

/**
 * One line of terminal output → what a terminal shows at the end of that line.
 *
 * The line is a row of cells (one code point each, with a pen) and a cursor column. Printable
 * characters overwrite the cell under the cursor; `\r` moves the cursor to column 0, backspace
 * one column left; CSI K (0/1/2) erases, CSI G / ` / C / D move horizontally. Everything else
 * that a terminal would not print is consumed: other CSI (vertical moves, cursor position,
 * erase display, private modes), OSC (titles, images), DCS/SOS/PM/APC, charset selections.
 * Sequences never span lines: one left unterminated at the end of a line is dropped.
 *
 * Controls never reach the output as controls: TAB stays; BEL is dropped (a terminal only
 * beeps); every other C0 control and DEL is shown as its Unicode Control Picture (NUL → ␀);
 * C1 controls (U+0080–U+009F) and lone surrogates become U+FFFD.
 *
 * Limits, so hostile input stays linear in time and bounded in memory: at most MAX_CSI_PARAMS
 * parameters per CSI (more are read and ignored), each clamped to MAX_CSI_VALUE; cursor moves
 * never go beyond max(line length, MAX_CURSOR_COLUMN), so padding is bounded; OSC/APC payloads
 * longer than MAX_STRING_PAYLOAD are skipped, not kept. Code points are one column wide (no
 * East-Asian-width or grapheme clustering): overwrites of wide characters may be off.
 */

export const MAX_CSI_PARAMS = 32;
export const MAX_CSI_VALUE = 65535;
const MAX_SUB_PARAMS = 8;
export const MAX_CURSOR_COLUMN = 1024;
export const MAX_STRING_PAYLOAD = MAX_LINK_URL_CHARS + 16;

export interface Pen {
  sgr: Sgr;
  /** active OSC 8 link (already validated http/https) */
  link: string | null;
}

export const DEFAULT_PEN: Readonly<Pen> = Object.freeze({ sgr: DEFAULT_SGR, link: null });

export interface ScreenLine {
  /** one code point (or replacement symbol) per cell */
  chars: string[];
  /** index into `penTable` per cell */
  pens: number[];
  penTable: Pen[];
  /** the pen active after the last byte: carried to the next line */
  end: Pen;
  /** Buildkite `ESC_bk;t=<ms>BEL` timestamp, the first one on the line */
  ts: number | null;
}

const ESC = 0x1b;
const BUILDKITE_TS = /^bk;t=(\d{1,15})$/;

function copyPen(p: Readonly<Pen>): Pen {
  return { sgr: { ...p.sgr }, link: p.link };
}

/** Anything that needs the cell model: controls, ESC, C1, surrogates (maybe lone). */
const NEEDS_PARSE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]/;

/** True when the line is plain printable text (and TABs): the fast path of ingest. */
export function isPlainText(raw: string): boolean {
  return !NEEDS_PARSE.test(raw);
}

/** One row of cells: a code point (or replacement symbol) and an index into a PenTable per cell. */
export interface Cells {
  chars: string[];
  pens: number[];
}

/** Interned pens shared by the cells of one line or of one screen (index 0 is the default pen). */
export class PenTable {
  readonly pens: Pen[] = [copyPen(DEFAULT_PEN)];
  private readonly index = new Map<string, number>([[penKey(DEFAULT_PEN), 0]]);

  intern(pen: Readonly<Pen>): number {
    const key = penKey(pen);
    let idx = this.index.get(key);
    if (idx === undefined) {
      idx = this.pens.length;
      this.pens.push(copyPen(pen));
      this.index.set(key, idx);
    }
    return idx;
  }
}

/** Where the parser writes: the cursor's row, its column and the pen (all changed in place). */
export interface Cursor {
  cells: Cells;
  col: number;
  pen: Pen;
}

/**
 * What a screen does with the controls the one-line model ignores (lib/ansi/screen.ts): CSI
 * A B E F H f d J L M s u and ESC 7 8 M. Each may move `cursor` to another row (its `cells`),
 * change its column or pen, or change other rows.
 */
export interface RowMoves {
  csi(final: number, params: readonly number[][], cursor: Cursor): void;
  esc(final: number, cursor: Cursor): void;
}

/** CSI finals handed to RowMoves: A B E F H J L M d f s u */
const ROW_CSI = new Set([0x41, 0x42, 0x45, 0x46, 0x48, 0x4a, 0x4c, 0x4d, 0x64, 0x66, 0x73, 0x75]);

export function parseLine(raw: string, start: Readonly<Pen> = DEFAULT_PEN): ScreenLine {
  const table = new PenTable();
  const cursor: Cursor = { cells: { chars: [], pens: [] }, col: 0, pen: copyPen(start) };
  const ts = runCells(raw, cursor, table, null);
  return { chars: cursor.cells.chars, pens: cursor.cells.pens, penTable: table.pens, end: cursor.pen, ts };
}

/**
 * Runs one line of raw text (no LF) through the cell model at `cursor`, interning pens in
 * `table`. With `moves` (a screen), row controls go to it; without, they are ignored (the
 * one-line model). Returns the line's first Buildkite timestamp, or null.
 */
export function runCells(raw: string, at: Cursor, table: PenTable, moves: RowMoves | null): number | null {
  let chars = at.cells.chars;
  let pens = at.cells.pens;
  const pen = at.pen;
  let current = -1; // interned index of `pen`, -1 when it changed since last write
  let cursor = at.col;
  let ts: number | null = null;
  const len = raw.length;

  const concealBit = CONCEAL; // hot: keep the imported binding out of the per-character path
  const write = (ch: string): void => {
    if (pen.sgr.flags & concealBit) return;
    if (current < 0) current = table.intern(pen);
    while (chars.length < cursor) {
      chars.push(' ');
      pens.push(0);
    }
    if (cursor === chars.length) {
      chars.push(ch);
      pens.push(current);
    } else {
      chars[cursor] = ch;
      pens[cursor] = current;
    }
    cursor++;
  };
  const clampColumn = (col: number): number => Math.max(0, Math.min(col, Math.max(chars.length, MAX_CURSOR_COLUMN)));
  /** hands the cursor to the screen and takes it back (row, column and pen may have changed) */
  const rowMove = (move: (m: RowMoves) => void): void => {
    if (!moves) return;
    at.col = cursor;
    move(moves);
    chars = at.cells.chars;
    pens = at.cells.pens;
    cursor = at.col;
    current = -1;
  };

  let i = 0;
  while (i < len) {
    const c = raw.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      write(raw[i] as string);
      i++;
    } else if (c === ESC) {
      i = parseEscape(i + 1);
    } else if (c === 0x0d) {
      cursor = 0;
      i++;
    } else if (c === 0x09) {
      write('\t');
      i++;
    } else if (c === 0x08) {
      if (cursor > 0) cursor--;
      i++;
    } else if (c === 0x07) {
      i++;
    } else if (c < 0x20) {
      write(String.fromCharCode(0x2400 + c));
      i++;
    } else if (c === 0x7f) {
      write('\u2421');
      i++;
    } else if (c <= 0x9f) {
      write('\ufffd');
      i++;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < len ? raw.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        write(raw.slice(i, i + 2));
        i += 2;
      } else {
        write('\ufffd');
        i++;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      write('\ufffd');
      i++;
    } else {
      write(raw[i] as string);
      i++;
    }
  }
  at.col = cursor;
  return ts;

  /** Parses the sequence after an ESC at `j - 1`; returns the index after it. */
  function parseEscape(j: number): number {
    if (j >= len) return j;
    const k = raw.charCodeAt(j);
    if (k === 0x5b) return parseCsi(j + 1); // [
    if (k === 0x5d || k === 0x5f || k === 0x50 || k === 0x58 || k === 0x5e) return parseString(k, j + 1); // ] _ P X ^
    if (k === 0x28 || k === 0x29 || k === 0x2a || k === 0x2b || k === 0x23 || k === 0x25 || k === 0x20) {
      // charset designation and friends: ESC ( B, ESC # 8, ...: one more byte
      return j + 1 < len && raw.charCodeAt(j + 1) >= 0x20 && raw.charCodeAt(j + 1) < 0x7f ? j + 2 : j + 1;
    }
    if (k === 0x37 || k === 0x38 || k === 0x4d) rowMove((m) => m.esc(k, at)); // ESC 7, ESC 8, ESC M
    if (k >= 0x30 && k < 0x7f) return j + 1; // two-byte escapes: ESC 7, ESC =, ESC M, ESC c...
    return j; // lone ESC: dropped, the next character is processed normally
  }
  function parseCsi(j: number): number {
    const params: number[][] = [];
    let param: number[] = [];
    let value = -1;
    let privateMarker = false;
    let intermediate = false;
    for (; j < len; j++) {
      const k = raw.charCodeAt(j);
      if (k >= 0x30 && k <= 0x39) {
        if (intermediate) return j; // digits after an intermediate: malformed, abort
        value = value < 0 ? k - 0x30 : Math.min(value * 10 + (k - 0x30), MAX_CSI_VALUE);
      } else if (k === 0x3a) {
        if (param.length < MAX_SUB_PARAMS) param.push(value);
        value = -1;
      } else if (k === 0x3b) {
        if (params.length < MAX_CSI_PARAMS) params.push([...param, value]);
        param = [];
        value = -1;
      } else if (k >= 0x3c && k <= 0x3f) {
        privateMarker = true;
      } else if (k >= 0x20 && k <= 0x2f) {
        intermediate = true;
      } else if (k >= 0x40 && k <= 0x7e) {
        if (params.length < MAX_CSI_PARAMS) params.push([...param, value]);
        if (!privateMarker && !intermediate) csiDispatch(k, params);
        return j + 1;
      } else {
        return j; // a control or non-ASCII inside a CSI cancels it (the character is kept)
      }
    }
    return j;
  }

  function csiDispatch(final: number, params: number[][]): void {
    const first = params[0]?.[0] ?? -1;
    const n = first > 0 ? first : 1;
    switch (final) {
      case 0x6d: // m
        applySgr(pen.sgr, params);
        current = -1;
        break;
      case 0x4b: // K
        if (first <= 0) {
          chars.length = Math.min(chars.length, cursor);
          pens.length = chars.length;
        } else if (first === 1) {
          for (let x = 0; x <= cursor && x < chars.length; x++) {
            chars[x] = ' ';
            pens[x] = 0;
          }
        } else if (first === 2) {
          chars.length = 0;
          pens.length = 0;
        }
        break;
      case 0x47: // G: cursor horizontal absolute (1-based)
      case 0x60: // `: same
        cursor = clampColumn(n - 1);
        break;
      case 0x43: // C: forward
        cursor = clampColumn(cursor + n);
        break;
      case 0x44: // D: back
        cursor = Math.max(0, cursor - n);
        break;
      default:
        // row moves, cursor position, erase display, insert/delete line, save/restore: the
        // screen's (lib/ansi/screen.ts); no meaning inside one line
        if (ROW_CSI.has(final)) rowMove((m) => m.csi(final, params, at));
        break;
    }
  }

  /** OSC / APC / DCS / SOS / PM: up to BEL or ST (ESC \); ESC anything else cancels it. */
  function parseString(kind: number, j: number): number {
    const from = j;
    for (; j < len; j++) {
      const k = raw.charCodeAt(j);
      if (k === 0x07 || k === 0x9c) {
        stringDispatch(kind, from, j);
        return j + 1;
      }
      if (k === ESC) {
        if (j + 1 < len && raw.charCodeAt(j + 1) === 0x5c) {
          stringDispatch(kind, from, j);
          return j + 2;
        }
        return j; // cancelled; the ESC starts the next sequence
      }
    }
    return j; // unterminated: dropped with the rest of the line
  }

  function stringDispatch(kind: number, from: number, to: number): void {
    if (to - from > MAX_STRING_PAYLOAD) return;
    const payload = raw.slice(from, to);
    if (kind === 0x5d && payload.startsWith('8;')) {
      const sep = payload.indexOf(';', 2);
      const url = sep < 0 ? '' : payload.slice(sep + 1);
      pen.link = url !== '' && isSafeLinkUrl(url) ? url : null;
      current = -1;
    } else if (kind === 0x5f && ts === null) {
      const m = BUILDKITE_TS.exec(payload);
      if (m) ts = Number(m[1]);
    }
  }
}

function penKey(p: Readonly<Pen>): string {
  return p.link === null ? `${p.sgr.flags},${p.sgr.fg},${p.sgr.bg}` : `${p.sgr.flags},${p.sgr.fg},${p.sgr.bg},${p.link}`;
}

/** Pens are equal in what they render (conceal never renders: concealed text is not stored). */
export function samePen(a: Readonly<Pen>, b: Readonly<Pen>): boolean {
  return a.link === b.link && sameSgr(a.sgr, b.sgr);
}

/**
 * Canonical text for cells `chars`/`pens` starting from the default pen: one-attribute SGRs,
 * OSC 8 links as `ESC]8;;URL ESC\`, and a reset (and link close) at the end if anything is
 * still set, so the line renders alone and lines also concatenate correctly in a terminal.
 * `replace` (optional, sorted, non-overlapping [from, to) cell ranges) swaps those cells for
 * `***` in the pen of their first cell: masks.
 */
export function serializeCells(
  chars: readonly string[],
  pens: readonly number[],
  penTable: readonly Pen[],
  replace: ReadonlyArray<readonly [number, number]> = [],
): string {
  let out = '';
  let active: Readonly<Pen> = DEFAULT_PEN;
  let r = 0;
  const switchTo = (next: Readonly<Pen>): void => {
    if (next === active) return;
    if (next.link !== active.link) {
      if (active.link !== null) out += LINK_CLOSE;
      if (next.link !== null) out += linkOpen(next.link);
    }
    if (!sameSgr(next.sgr, active.sgr)) out += sgrTransition(active.sgr, next.sgr);
    active = next;
  };
  for (let x = 0; x < chars.length; x++) {
    const range = replace[r];
    if (range && x === range[0]) {
      switchTo(penTable[pens[x] ?? 0] ?? DEFAULT_PEN);
      out += '***';
      x = range[1] - 1;
      r++;
      continue;
    }
    switchTo(penTable[pens[x] ?? 0] ?? DEFAULT_PEN);
    out += chars[x];
  }
  if (!isDefaultSgr(active.sgr)) out += '\x1b[0m';
  if (active.link !== null) out += LINK_CLOSE;
  return out;
}

/** Canonical prefix for a plain-text line written entirely with `pen`. */
export function penPrefix(pen: Readonly<Pen>): { open: string; close: string } {
  const sgr = sgrTransition(DEFAULT_SGR, pen.sgr);
  return {
    open: (pen.link !== null ? linkOpen(pen.link) : '') + sgr,
    close: (isDefaultSgr(pen.sgr) ? '' : '\x1b[0m') + (pen.link !== null ? LINK_CLOSE : ''),
  };
}

/** Any text → canonical text, as if it were a line on its own (used by the renderer). */
export function canonicalizeLine(raw: string): string {
  const line = parseLine(raw);
  return serializeCells(line.chars, line.pens, line.penTable);
}
