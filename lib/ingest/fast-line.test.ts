import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOLD, CONCEAL, DEFAULT_COLOR, DIM, RGB_BASE } from '../ansi/sgr';
import { parseLine, serializeCells, type Pen } from '../ansi/terminal';
import { FIXTURES_DIR } from '../../test/support/corpus';
import { mayBeFast, sgrOnlyLine } from './fast-line';
import { prng } from '../../test/support/prng';

/** The cell model's answer (lib/ansi/terminal.ts), which the fast path must equal byte for byte. */
function slow(raw: string, pen: Pen) {
  const line = parseLine(raw, pen);
  return { text: serializeCells(line.chars, line.pens, line.penTable), visible: line.chars.join(''), end: { sgr: { ...line.end.sgr }, link: line.end.link } };
}

const PENS: Pen[] = [
  { sgr: { flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR }, link: null },
  { sgr: { flags: BOLD, fg: 1, bg: DEFAULT_COLOR }, link: null },
  { sgr: { flags: DIM, fg: RGB_BASE + 0x102030, bg: 200 }, link: null },
  { sgr: { flags: CONCEAL, fg: 3, bg: DEFAULT_COLOR }, link: null },
  { sgr: { flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR }, link: 'https://example.com/x' },
];

/** Checks one line against every start pen; returns how many took the fast path. */
function compare(raw: string): number {
  let fast = 0;
  for (const pen of PENS) {
    const got = mayBeFast(raw) ? sgrOnlyLine(raw, pen) : null;
    if (got === null) continue;
    fast++;
    expect({ text: got.text, visible: got.visible, end: got.end }, JSON.stringify(raw)).toEqual(slow(raw, pen));
  }
  return fast;
}


const PIECES = [
  'hello', ' ', 'wörld', '\t', '✓', '', '::group::x', '***', '\u00a0',
  '\x1b[0m', '\x1b[m', '\x1b[1m', '\x1b[2m', '\x1b[22m', '\x1b[31m', '\x1b[1;31m', '\x1b[39m', '\x1b[49m', '\x1b[97;104m',
  '\x1b[38;5;129m', '\x1b[48;5;7m', '\x1b[38;2;10;20;30m', '\x1b[38:2::1:2:3m', '\x1b[38:5:9m', '\x1b[4:3m', '\x1b[58;5;3m',
  '\x1b[8m', '\x1b[28m', '\x1b[3;4;7;9m', '\x1b[23;24;27;29m', '\x1b[;1m', '\x1b[1;m', '\x1b[38;5m', '\x1b[38;2;300;1;1m',
  '\x1b[21m', '\x1b[24m', '\x1b[27m', '\x1b[92m', '\x1b[100m', '\x1b[107m', '\x1b[45m', '\x1b[5m', '\x1b[53m', '\x1b[38;2;1;2m', '\x1b[48;2;1;2;3;4m', '\x1b[38;9m', '\x1b[38m', '\x1b[1;38:5:3;4m', '\x1b[;38;5;;m', '\x1b[48;5;256m',
  '\x1b[99999999m', '\x1b[1;2;3;4;5;6;7;8;9;1;2;3;4;5;6;7;8;9;1;2;3;4;5;6;7;8;9;1;2;3;4;5;6;7;8;31m', '\x1b[1:2:3:4:5:6:7:8:9:10m',
  // not SGR-only: the fast path must refuse them (or agree)
  '\x1b[K', '\x1b[2K', '\x1b[?25l', '\x1b[1 m', '\x1b(B', '\x1b', '\x1b[', '\x1b[12', '\x1b]8;;https://a.b/\x1b\\', '\r', '\x07', '\x01', '\x7f', '\x85', '\ud83d\ude00', '\ud800',
];

describe('ingest fast path (text + SGR only)', () => {
  it('equals the cell model on every line of the fixtures', () => {
    let fast = 0;
    for (const file of readdirSync(FIXTURES_DIR).filter((f) => f !== 'README.md')) {
      const text = readFileSync(path.join(FIXTURES_DIR, file), 'utf8');
      for (const line of text.split('\n')) fast += compare(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    expect(fast).toBeGreaterThan(100);
  });

  it('equals the cell model on generated lines', () => {
    const r = prng(9);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const count = Math.floor(r() * 12);
      let raw = '';
      for (let k = 0; k < count; k++) raw += PIECES[Math.floor(r() * PIECES.length)] ?? '';
      fast += compare(raw);
    }
    expect(fast).toBeGreaterThan(10_000);
  });

  it('refuses what needs the cell model', () => {
    const pen = PENS[0] as Pen;
    for (const raw of ['a\rb', 'a\x1b[Kb', 'a\x1b]8;;https://a.b/\x1b\\b', 'a\x1b[?25lb', 'a\x1b', 'a\x1b[1', 'x\x1b(B']) {
      expect(mayBeFast(raw) ? sgrOnlyLine(raw, pen) : null, JSON.stringify(raw)).toBeNull();
    }
    expect(sgrOnlyLine('a', PENS[4] as Pen)).toBeNull();
  });

  it('writes canonical SGRs for a coloured line', () => {
    const pen = PENS[0] as Pen;
    expect(sgrOnlyLine('\x1b[1;31mERR\x1b[0m ok', pen)).toEqual({
      text: '\x1b[1m\x1b[31mERR\x1b[0m ok',
      visible: 'ERR ok',
      end: { sgr: { flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR }, link: null },
    });
  });
});
