/**
 * The screen model, one behaviour per case (lib/ansi/screen.ts; the acceptance test against
 * terminal-to-html's fixtures is lib/ingest/terminal-to-html.test.ts). `draw` feeds producer
 * lines, each followed by its LF, to an empty screen and reads the rows' visible text.
 */
import { describe, expect, it } from 'vitest';
import { SCREEN_ROWS } from '../contracts/lines';
import { cellsOfCanonical, TERMINAL_COLUMNS, TerminalScreen } from './screen';
import { PenTable, serializeCells } from './terminal';

function feedAll(lines: readonly string[], screen = TerminalScreen.empty(1)): TerminalScreen {
  for (const line of lines) {
    screen.feed(line);
    screen.lineFeed();
  }
  return screen;
}

function rows(screen: TerminalScreen, from = 1): string[] {
  const out: string[] = [];
  for (let n = from; n <= screen.last; n++) out.push(screen.cellsOf(n)?.chars.join('') ?? '<none>');
  return out;
}

const draw = (lines: readonly string[]): string[] => rows(feedAll(lines));

function canonical(screen: TerminalScreen, n: number): string {
  const cells = screen.cellsOf(n);
  return cells ? serializeCells(cells.chars, cells.pens, screen.table.pens) : '<none>';
}

describe('screen: rows and producer lines', () => {
  it('without row controls, producer line k is row k; an empty line is a row', () => {
    expect(draw(['a', '', 'b\rB', ''])).toEqual(['a', '', 'B', '']);
  });

  it('the one-line model is unchanged on a row: \\r, backspace, EL, column moves', () => {
    expect(draw(['hello\rj', 'abc\b\bX', 'abcdef\x1b[3D\x1b[K!', '\x1b[5Gx\x1b[2Cy'])).toEqual(['jello', 'aXc', 'abc!', '    x  y']);
  });
});

describe('screen: row moves', () => {
  it('CUU (A) moves up and rewrites; the rows keep their numbers', () => {
    expect(draw(['one', 'two', '\x1b[2AONE'])).toEqual(['ONE', 'two']);
  });

  it('CUU clamps at the first row', () => {
    expect(draw(['a', '\x1b[99A\x1b[2Kb'])).toEqual(['b']);
  });

  it('CUD (B) moves down, keeping the column', () => {
    expect(draw(['a', 'b', 'c', '\x1b[3Ax\x1b[1By'])).toEqual(['x', 'by', 'c']);
  });

  it('CPL (F) and CNL (E) go to column 0 of the row they reach', () => {
    expect(draw(['abc', 'def', '\x1b[2Fghi\x1b[1E j'])).toEqual(['ghi', ' jf']);
  });

  it('CUD below the last row creates the rows it writes to (the gap empty), clamped to the screen', () => {
    expect(draw(['a', '\x1b[1A\x1b[3Bz'])).toEqual(['a', '', '', 'z']);
    expect(feedAll(['\x1b[999999Bz']).last).toBe(SCREEN_ROWS);
  });

  it('CUP (H, f) goes to the next row when its row has text, and to the column (terminal-to-html)', () => {
    expect(draw(['ab', '\x1b[1A\x1b[5;3Hx'])).toEqual(['ab', '  x']);
    expect(draw(['\x1b[1;4fx'])).toEqual(['   x']);
  });

  it('VPA (d) goes to a row of the screen', () => {
    expect(draw(['a', 'b', 'c', '\x1b[2dB'])).toEqual(['a', 'B', 'c']);
  });

  it('ESC M (reverse index) moves up one row', () => {
    expect(draw(['a', 'b', '\x1bMx'])).toEqual(['a', 'x']);
  });

  it('a row longer than the terminal counts as the terminal rows it wraps onto', () => {
    const long = 'L'.repeat(TERMINAL_COLUMNS + 40);
    // from column 0 of the row below: up 1 reaches the long row's second terminal row (column
    // TERMINAL_COLUMNS of the row), up 2 its first
    expect(draw(['top', long, '\x1b[1Ax'])).toEqual(['top', `${long.slice(0, TERMINAL_COLUMNS)}x${long.slice(TERMINAL_COLUMNS + 1)}`]);
    expect(draw(['top', long, '\x1b[2Ax'])).toEqual(['top', `x${long.slice(1)}`]);
    expect(draw(['top', long, '\x1b[3Ax'])).toEqual(['xop', long]);
  });
});

describe('screen: save and restore', () => {
  it('ESC 7 / ESC 8 restore the row, column and pen', () => {
    const screen = feedAll(['ab\x1b7\x1b[31mred', '\x1b8X']);
    expect(rows(screen)).toEqual(['abXed']);
    expect(canonical(screen, 1)).toBe('abX\x1b[31med\x1b[0m');
  });

  it('CSI s / CSI u do the same', () => {
    expect(draw(['\x1b[s1', '2', '\x1b[uX'])).toEqual(['X', '2']);
  });

  it('a restore without a save goes to the top row, column 0', () => {
    expect(draw(['abc', 'def', '\x1b8X'])).toEqual(['Xbc', 'def']);
  });
});

describe('screen: erase in display, insert and delete lines', () => {
  it('ED 0 erases from the cursor to the end of the screen; the rows stay, empty', () => {
    expect(draw(['abc', 'def', 'ghi', '\x1b[2A\x1b[1C\x1b[J'])).toEqual(['abc', 'd', '']);
  });

  it('ED 1 erases from the top of the screen to the cursor', () => {
    expect(draw(['abc', 'def', 'ghi', '\x1b[2A\x1b[1C\x1b[1J'])).toEqual(['', '  f', 'ghi']);
  });

  it('ED 2 and 3 erase the screen; the cursor stays', () => {
    expect(draw(['a', 'b', '\x1b[2Jc'])).toEqual(['', '', 'c']);
    expect(draw(['a', 'b', '\x1b[1A\x1b[3Jc'])).toEqual(['', 'c']);
  });

  it('IL (L) inserts empty rows at the cursor; rows pushed below the last are lost', () => {
    expect(draw(['1', '2', '3', '\x1b[2A\x1b[L'])).toEqual(['1', '', '2']);
  });

  it('DL (M) deletes rows at the cursor; the rows freed at the bottom are empty', () => {
    expect(draw(['1', '2', '3', '\x1b[3A\x1b[2M'])).toEqual(['3', '', '']);
  });

  it('huge counts clamp to the screen', () => {
    expect(draw(['1', '2', '3', '\x1b[2A\x1b[65535L\x1b[65535Mx'])).toEqual(['1', 'x', '']);
    // down stops at the screen's bottom row (created once written to)
    const down = draw(['1', '\x1b[999999999Bx']);
    expect(down).toHaveLength(SCREEN_ROWS);
    expect(down[SCREEN_ROWS - 1]).toBe('x');
    // 300k row controls on one line: each costs at most the screen's rows
    const hostile = '\x1b[999999999B\x1b[999999999A\x1b[999999999L'.repeat(100_000);
    expect(draw(['a', 'b', `${hostile}z`])).toEqual(['z', '']);
  });
});

describe('screen: its bounds', () => {
  it('rows above the last SCREEN_ROWS are final: moves stop at the screen top', () => {
    const lines = Array.from({ length: SCREEN_ROWS + 5 }, (_, i) => `row ${i + 1}`);
    const screen = feedAll([...lines, '\x1b[999A\x1b[2Ktop']);
    expect(screen.top).toBe(6);
    expect(rows(screen, 1).slice(0, 7)).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5', 'top', 'row 7']);
  });
});

describe('screen: pens and links across rows', () => {
  it('the pen carries to the row a move reaches', () => {
    const screen = feedAll(['plain', '\x1b[31m\x1b[1Ared']);
    expect(canonical(screen, 1)).toBe('\x1b[31mred\x1b[0min');
  });

  it('a link open on one row carries to the row it moves to', () => {
    const screen = feedAll(['xxxx', '\x1b]8;;https://a.example/\x1b\\\x1b[1Ago\x1b]8;;\x1b\\']);
    expect(canonical(screen, 1)).toBe('\x1b]8;;https://a.example/\x1b\\go\x1b]8;;\x1b\\xx');
  });

  it('a stored row read back serializes to the same canonical text', () => {
    const table = new PenTable();
    const text = 'a\x1b[1m\x1b[31mb\x1b]8;;https://x.example/\x1b\\\x1b[0mc\x1b]8;;\x1b\\😀';
    const cells = cellsOfCanonical(text, table);
    expect(serializeCells(cells.chars, cells.pens, table.pens)).toBe(text);
    expect(cells.chars).toEqual(['a', 'b', 'c', '😀']);
  });
});
