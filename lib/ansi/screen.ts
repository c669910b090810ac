import { SCREEN_ROWS } from '../contracts/lines';
import { applySgr, DEFAULT_SGR } from './sgr';
import { tokenizeCanonical } from './canonical';
import { DEFAULT_PEN, MAX_CURSOR_COLUMN, parseLine, PenTable, runCells, type Cells, type Cursor, type Pen, type RowMoves } from './terminal';

/**
 * The terminal screen of a step (issue 13): the step's last SCREEN_ROWS rows, which a producer's
 * cursor moves can still rewrite. It is the one-line cell model of lib/ansi/terminal.ts
 * (`runCells`: `\r`, `\b`, SGR, OSC 8 links, EL, horizontal moves, controls) with the row
 * controls handed to it (`RowMoves`), after Buildkite's terminal-to-html screen.go:
 *
 * - Rows are numbered from 1 and keep their numbers. A producer line is fed (`feed`) and then
 *   its implicit LF (`lineFeed`): the row the cursor is on exists from then on, and the cursor
 *   goes to column 0 of the next row. A line no LF followed (a body's last bytes) that wrote
 *   nothing on the fresh row gets no LF (`skipUnwrittenRow`): no row. A row is also created when text was written to it and
 *   the cursor leaves it (rows between the last one and it are created empty). Without row
 *   controls, producer line k is row k.
 * - The screen is rows `top`…`last`, at most SCREEN_ROWS; `top` only moves down. Rows above it
 *   are final. The cursor's row is within `top`…`top + SCREEN_ROWS - 1` (or `last + 1` after
 *   an LF: the fresh row below the last).
 * - CSI A (up), F (up, column 0), ESC M (reverse index, no scrolling) clamp at `top`; B (down),
 *   E (down, column 0) at the screen's bottom `top + SCREEN_ROWS - 1`. Counts default to 1 and
 *   clamp, so any count costs O(1).
 * - CSI H / f (cursor position): as terminal-to-html, whose window height is unknown to the
 *   log: the row is not used; the cursor goes down one row when its row has text, and to the
 *   column. CSI d (line position): row `top + n - 1` (terminal-to-html reads a lowercase `d` as
 *   `D`, cursor back).
 * - CSI J (erase in display): 0 erases from the cursor to the end of its row and every row below
 *   it; 1 from the row start to the cursor (inclusive) and every row above it in the screen; 2
 *   and 3 every row of the screen (rows above it are final: there is no scroll-back to erase).
 *   Erased rows stay, empty. The cursor does not move.
 * - CSI L / M (insert / delete lines, which terminal-to-html does not implement): within the
 *   cursor's row and the last row; inserted rows are empty, rows pushed below the last are lost,
 *   rows freed at the bottom by M are empty; the cursor goes to column 0.
 * - ESC 7 / CSI s save the cursor (row, column, pen), ESC 8 / CSI u restore it (its row clamped
 *   to the screen); a restore without a save goes to the top row's column 0.
 *
 * Bounded: every control touches at most the screen's rows (SCREEN_ROWS); rows loaded from the
 * store are at most SCREEN_MAX_CHARS of text (the ingest's caller reads them with that budget).
 */

/**
 * Text budget of a step's screen (characters of the stored, canonical text of its rows): rows
 * above it are final, like rows above SCREEN_ROWS. The writer reads the screen with this as the
 * range budget, so a screen of huge rows costs at most this much memory per batch.
 */
export const SCREEN_MAX_CHARS = 1024 * 1024;

/**
 * The terminal's width for row moves: a row longer than this wraps onto more terminal rows, and
 * cursor up/down count those, as Buildkite's agent (its PTY is 160 columns) and
 * terminal-to-html do. Only row moves see the wrap: `\r`, EL and column moves act on the whole
 * row (lib/ansi/terminal.ts), and a row is stored whole.
 */
export const TERMINAL_COLUMNS = 160;

export interface SavedCursor {
  row: number;
  col: number;
  pen: Pen;
}

export interface ScreenInit {
  /** the screen's first row (rows above are final) */
  top: number;
  /** rows `top`…: their cells (a row's canonical text read back: `cellsOfCanonical`) */
  rows: Cells[];
  /** the cursor's row (column 0); clamped to the screen */
  row: number;
  pen: Pen;
  saved: SavedCursor | null;
  /** the table the given rows' pens were interned in */
  table: PenTable;
}

const ESC_SAVE = 0x37; // 7
const ESC_RESTORE = 0x38; // 8
const ESC_REVERSE_INDEX = 0x4d; // M

export class TerminalScreen implements RowMoves {
  readonly table: PenTable;
  /** the row number of `rows[0]`: the screen's top when it was loaded */
  private readonly base: number;
  /** rows `base`…`last` (rows above `top` stay here until the screen is dropped, unchanged) */
  private readonly rows: Cells[];
  top: number;
  last: number;
  /** the cursor's row */
  row: number;
  readonly cursor: Cursor;
  saved: SavedCursor | null;
  /** rows the cursor visited or a control changed since the last `takeTouched` */
  private touched = new Set<number>();

  constructor(init: ScreenInit) {
    this.table = init.table;
    this.base = init.top;
    this.rows = [...init.rows];
    this.top = init.top;
    this.last = init.top + init.rows.length - 1;
    this.saved = init.saved;
    this.row = Math.max(this.top, Math.min(init.row, this.last + 1));
    this.cursor = { cells: this.cellsAt(this.row), col: 0, pen: init.pen };
  }

  /** An empty screen whose first row will be `next` (a step with `next - 1` final rows). */
  static empty(next: number, pen: Pen = copyPen(DEFAULT_PEN)): TerminalScreen {
    return new TerminalScreen({ top: next, rows: [], row: next, pen, saved: null, table: new PenTable() });
  }

  /** One producer line (no LF): returns its Buildkite timestamp, if any. */
  feed(raw: string): number | null {
    this.touched.add(this.row);
    return runCells(raw, this.cursor, this.table, this);
  }

  /** The implicit LF after a producer line: returns the row it leaves (which now exists). */
  lineFeed(): number {
    const left = this.row;
    this.touched.add(left);
    if (left > this.last) this.create(left, this.cursor.cells);
    this.goTo(left + 1);
    this.cursor.col = 0;
    return left;
  }

  /**
   * The end of a producer line that no LF followed: when the cursor is on the fresh row below
   * the last and nothing is written on it, that row is not created (a terminal creates a row
   * once something is written to it or an LF passes through it) and the cursor goes back to its
   * column 0, where the next producer line starts, in this batch or the next alike (the ingest
   * state keeps no column); returns true. Otherwise returns false and changes nothing: the
   * caller then feeds the LF (`lineFeed`), as for any line.
   */
  skipUnwrittenRow(): boolean {
    if (this.row !== this.last + 1 || this.cursor.cells.chars.length > 0) return false;
    this.cursor.col = 0;
    return true;
  }

  /** The rows visited or changed since the last call (ascending order not guaranteed). */
  takeTouched(): Set<number> {
    const t = this.touched;
    this.touched = new Set();
    return t;
  }

  /** A row's cells (rows `base`…`last`), or undefined. */
  cellsOf(n: number): Cells | undefined {
    return n >= this.base && n <= this.last ? this.rows[n - this.base] : undefined;
  }

  /** The bottom row the cursor may move down to. */
  private bottom(): number {
    return this.top + SCREEN_ROWS - 1;
  }

  private cellsAt(n: number): Cells {
    return this.cellsOf(n) ?? { chars: [], pens: [] };
  }

  /** Creates rows up to `n` (the gap empty), `n` holding `cells`; rows above SCREEN_ROWS become final. */
  private create(n: number, cells: Cells): void {
    while (this.last < n - 1) {
      this.rows.push({ chars: [], pens: [] });
      this.last++;
      this.touched.add(this.last);
    }
    this.rows.push(cells);
    this.last = n;
    this.touched.add(n);
    this.top = Math.max(this.top, this.last - SCREEN_ROWS + 1);
  }

  /** Moves the cursor to row `n` (already clamped), keeping its column. */
  private goTo(n: number): void {
    const from = this.row;
    if (from > this.last && this.cursor.cells.chars.length > 0) this.create(from, this.cursor.cells);
    const to = Math.max(n, this.top);
    this.row = to;
    this.cursor.cells = this.cellsAt(to);
    this.touched.add(to);
  }

  /** Terminal rows (of TERMINAL_COLUMNS) that row `n` takes: a long row wraps. */
  private height(n: number): number {
    const len = (n === this.row ? this.cursor.cells : this.cellsOf(n))?.chars.length ?? 0;
    return len === 0 ? 1 : Math.ceil(len / TERMINAL_COLUMNS);
  }

  /** The terminal row within its row that the cursor is on (just past a full one: still that one). */
  private wrapRow(): number {
    const col = this.cursor.col;
    if (col > 0 && col % TERMINAL_COLUMNS === 0 && col >= this.cursor.cells.chars.length) return col / TERMINAL_COLUMNS - 1;
    return Math.floor(col / TERMINAL_COLUMNS);
  }

  /**
   * Up `count` terminal rows (a wrapped row counts as many), clamped at the screen's top: the
   * column stays within the terminal row, at most its last (as terminal-to-html's `up`).
   * O(SCREEN_ROWS) whatever the count.
   */
  private up(count: number, columnZero = false): void {
    const sub = this.wrapRow();
    const x = columnZero ? 0 : Math.min(this.cursor.col - sub * TERMINAL_COLUMNS, TERMINAL_COLUMNS - 1);
    let row = this.row;
    let at = 0;
    if (count <= sub) at = sub - count;
    else {
      let k = count - sub;
      while (k > 0 && row > this.top) {
        row--;
        const h = this.height(row);
        if (k <= h) {
          at = h - k;
          k = 0;
        } else k -= h;
      }
    }
    this.goTo(row);
    this.cursor.col = at * TERMINAL_COLUMNS + x;
  }

  /** Down `count` terminal rows, clamped at the screen's bottom (its last terminal row). */
  private down(count: number, columnZero = false): void {
    const sub = this.wrapRow();
    const x = columnZero ? 0 : Math.min(this.cursor.col - sub * TERMINAL_COLUMNS, TERMINAL_COLUMNS - 1);
    let row = this.row;
    let at = sub;
    const below = this.height(row) - 1 - sub;
    if (count <= below) at = sub + count;
    else {
      let k = count - below;
      const bottom = Math.max(this.row, this.bottom());
      while (k > 0 && row < bottom) {
        row++;
        const h = this.height(row);
        if (k <= h) {
          at = k - 1;
          k = 0;
        } else k -= h;
      }
      if (k > 0) at = this.height(row) - 1;
    }
    this.goTo(row);
    this.cursor.col = at * TERMINAL_COLUMNS + x;
  }

  csi(final: number, params: readonly number[][], cursor: Cursor): void {
    const first = params[0]?.[0] ?? -1;
    const count = first > 0 ? first : 1;
    switch (final) {
      case 0x41: // A: up
        this.up(count);
        break;
      case 0x42: // B: down
        this.down(count);
        break;
      case 0x45: // E: next line, column 0 of that terminal row
        this.down(count, true);
        break;
      case 0x46: // F: previous line, column 0 of that terminal row
        this.up(count, true);
        break;
      case 0x48: // H: cursor position
      case 0x66: {
        // f: the same (HVP)
        if (cursor.cells.chars.length > 0) this.goTo(this.row + 1);
        const col = params[1]?.[0] ?? -1;
        cursor.col = Math.max(0, Math.min((col > 0 ? col : 1) - 1, MAX_CURSOR_COLUMN));
        break;
      }
      case 0x64: // d: line position absolute
        this.goTo(Math.min(this.top + count - 1, this.bottom()));
        break;
      case 0x4a: // J: erase in display
        this.eraseDisplay(first, cursor);
        break;
      case 0x4c: // L: insert lines
        this.insertLines(count);
        cursor.col = 0;
        break;
      case 0x4d: // M: delete lines
        this.deleteLines(count);
        cursor.col = 0;
        break;
      case 0x73: // s: save
        this.save(cursor);
        break;
      case 0x75: // u: restore
        this.restore(cursor);
        break;
      default:
        break;
    }
  }

  esc(final: number, cursor: Cursor): void {
    if (final === ESC_SAVE) this.save(cursor);
    else if (final === ESC_RESTORE) this.restore(cursor);
    else if (final === ESC_REVERSE_INDEX) this.up(1);
  }

  private save(cursor: Cursor): void {
    this.saved = { row: this.row, col: cursor.col, pen: copyPen(cursor.pen) };
  }

  private restore(cursor: Cursor): void {
    const saved = this.saved;
    if (!saved) {
      this.goTo(this.top);
      cursor.col = 0;
      return;
    }
    this.goTo(Math.min(saved.row, this.bottom()));
    cursor.col = saved.col;
    cursor.pen.sgr = { ...saved.pen.sgr };
    cursor.pen.link = saved.pen.link;
  }

  private clearRow(n: number): void {
    const cells = this.cellsOf(n);
    if (!cells || cells.chars.length === 0) return;
    cells.chars.length = 0;
    cells.pens.length = 0;
    this.touched.add(n);
  }

  private eraseDisplay(mode: number, cursor: Cursor): void {
    const cells = cursor.cells;
    if (mode <= 0) {
      cells.chars.length = Math.min(cells.chars.length, cursor.col);
      cells.pens.length = cells.chars.length;
      for (let n = this.row + 1; n <= this.last; n++) this.clearRow(n);
    } else if (mode === 1) {
      for (let x = 0; x <= cursor.col && x < cells.chars.length; x++) {
        cells.chars[x] = ' ';
        cells.pens[x] = 0;
      }
      for (let n = this.top; n < this.row && n <= this.last; n++) this.clearRow(n);
    } else if (mode === 2 || mode === 3) {
      for (let n = this.top; n <= this.last; n++) this.clearRow(n);
      cells.chars.length = 0;
      cells.pens.length = 0;
    }
  }

  /** Rows `row`…`last` shift down by `count`; the freed rows are empty; rows past `last` are lost. */
  private insertLines(count: number): void {
    if (this.row > this.last) return;
    const k = Math.min(count, this.last - this.row + 1);
    const at = this.row - this.base;
    this.rows.splice(this.rows.length - k, k);
    this.rows.splice(at, 0, ...Array.from({ length: k }, (): Cells => ({ chars: [], pens: [] })));
    for (let n = this.row; n <= this.last; n++) this.touched.add(n);
    this.cursor.cells = this.cellsAt(this.row);
  }

  /** Rows below `row + count - 1` shift up to `row`; the rows freed at the bottom are empty. */
  private deleteLines(count: number): void {
    if (this.row > this.last) return;
    const k = Math.min(count, this.last - this.row + 1);
    const at = this.row - this.base;
    this.rows.splice(at, k);
    for (let i = 0; i < k; i++) this.rows.push({ chars: [], pens: [] });
    for (let n = this.row; n <= this.last; n++) this.touched.add(n);
    this.cursor.cells = this.cellsAt(this.row);
  }
}

function copyPen(p: Readonly<Pen>): Pen {
  return { sgr: { ...p.sgr }, link: p.link };
}

/**
 * A stored row's canonical text (lib/ansi/terminal.ts serializeCells) → its cells, pens
 * interned in `table`; serializing them again gives the same text. Text that is not canonical
 * (lib/ansi/canonical.ts refuses it) is read as a raw line by the one-line model.
 */
export function cellsOfCanonical(text: string, table: PenTable): Cells {
  const chars: string[] = [];
  const pens: number[] = [];
  const tokens = tokenizeCanonical(text);
  if (!tokens) {
    const line = parseLine(text);
    const map = line.penTable.map((p) => table.intern(p));
    return { chars: line.chars, pens: line.pens.map((i) => map[i] ?? 0) };
  }
  const pen: Pen = { sgr: { ...DEFAULT_SGR }, link: null };
  let current = 0;
  for (const token of tokens) {
    if (token.type === 'text') {
      for (const ch of token.text) {
        chars.push(ch);
        pens.push(current);
      }
    } else {
      if (token.type === 'sgr') applySgr(pen.sgr, token.params);
      else pen.link = token.url;
      current = table.intern(pen);
    }
  }
  return { chars, pens };
}
