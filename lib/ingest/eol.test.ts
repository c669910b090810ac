/**
 * A producer line no LF followed (RawLine `eol: false`: a text/plain body's last bytes). A
 * terminal creates a row once something is written to it or an LF passes through it, so such a
 * line that writes nothing on the fresh row creates no row; its pen and moves still apply and
 * `produced` counts it. Every other line keeps its implicit LF (an empty line is a row).
 */
import { describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { ingestLines, needsScreen, type RawLine } from './index';
import { runIngest } from './test-harness';

const line = (n: number, text: string, eol?: false): RawLine => (eol === false ? { n, ts: 1000 + n, stream: 'out', text, eol } : { n, ts: 1000 + n, stream: 'out', text });
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;
const rowsOf = (state: unknown): { rows?: number; produced?: number } => json(state) as { rows?: number; produced?: number };

describe('a last line without LF', () => {
  it('empty (or only \\r): no row, produced counts it', () => {
    for (const tail of ['', '\r', 'gone\r\x1b[K']) {
      const out = ingestLines(null, [line(1, 'a'), line(2, 'b'), line(3, tail, false)], [], { rows: 0 });
      expect(out.lines.map((l) => [l.n, l.text]), JSON.stringify(tail)).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
      expect(out.produced).toBe(3);
      expect(rowsOf(out.state)).toMatchObject({ rows: 2, produced: 3 });
    }
  });

  it('the same line followed by an LF (or an NDJSON record) is a row, as before', () => {
    const out = ingestLines(null, [line(1, 'a'), line(2, '')], [], { rows: 0 });
    expect(out.lines.map((l) => l.n)).toEqual([1, 2]);
    expect(rowsOf(out.state)).not.toHaveProperty('produced');
  });

  it('SGR only: no row, and the pen carries to the next request, which writes that row', () => {
    const first = ingestLines(null, [line(1, 'a'), line(2, '\x1b[0m\x1b[31m', false)], [], { rows: 0 });
    expect(first.lines.map((l) => l.n)).toEqual([1]);
    expect(first.produced).toBe(2);
    expect(needsScreen(json(first.state), [line(3, 'b')], 1)).toBe(false);
    // rows default from the state: the producer is one line ahead of the rows
    const next = ingestLines(json(first.state), [line(3, 'b'), line(4, 'c\x1b[0m')], []);
    expect(next.lines.map((l) => [l.n, l.text])).toEqual([
      [2, '\x1b[31mb\x1b[0m'],
      [3, '\x1b[31mc\x1b[0m'],
    ]);
    expect(next.produced).toBe(4);
    expect(rowsOf(next.state)).toMatchObject({ rows: 3, produced: 4 });
  });

  it('with text: a row, and the next request continues on a new row', () => {
    const first = ingestLines(null, [line(1, 'a'), line(2, 'half', false)], [], { rows: 0 });
    expect(first.lines.map((l) => [l.n, l.text])).toEqual([
      [1, 'a'],
      [2, 'half'],
    ]);
    expect(rowsOf(first.state)).not.toHaveProperty('produced');
    const next = ingestLines(json(first.state), [line(3, 'rest')], [], { rows: 2 });
    expect(next.lines.map((l) => [l.n, l.text])).toEqual([[3, 'rest']]);
  });

  it('a space is something written: a row', () => {
    const out = ingestLines(null, [line(1, ' ', false)], [], { rows: 0 });
    expect(out.lines.map((l) => [l.n, l.text])).toEqual([[1, ' ']]);
  });

  it('through the screen: a redraw that ends back on the fresh row creates no row; its rewrite and pen apply', () => {
    const first = ingestLines(null, [line(1, 'x'), line(2, 'y')], [], { rows: 0 });
    const redraw = line(3, '\x1b[1A\x1b[2Kz\x1b[1B\x1b[32m', false);
    expect(needsScreen(json(first.state), [redraw], 2)).toBe(true);
    const out = ingestLines(json(first.state), [redraw], [], { rows: 2, screen: first.lines });
    expect(out.lines).toEqual([]);
    expect(out.updates.map((l) => [l.n, l.text])).toEqual([[2, 'z']]);
    expect(out.produced).toBe(3);
    expect(rowsOf(out.state)).toMatchObject({ rows: 2, produced: 3 });
    // the cursor is on the fresh row: the next plain request needs no screen, and is green
    expect(needsScreen(json(out.state), [line(4, 'w')], 2)).toBe(false);
    const next = ingestLines(json(out.state), [line(4, 'w')], [], { rows: 2 });
    expect(next.lines.map((l) => [l.n, l.text])).toEqual([[3, '\x1b[32mw\x1b[0m']]);
  });

  it('through the screen: a move up that stays on a stored row keeps its LF (as before)', () => {
    const first = ingestLines(null, [line(1, 'x'), line(2, 'y')], [], { rows: 0 });
    const out = ingestLines(json(first.state), [line(3, '\x1b[2A', false)], [], { rows: 2, screen: first.lines });
    // the LF leaves row 1: the cursor is on row 2 for the next line
    expect(json(out.state)).toMatchObject({ rows: 2, produced: 3, cur: 2 });
  });

  it('a GitLab section marker that erases itself keeps its row (the group needs it)', () => {
    const text = ['section_start:1700000000:build\r\x1b[0KBuild', 'compiling', 'section_end:1700000001:build\r\x1b[0K'].join('\n');
    const run = runIngest(text);
    expect(run.lines.map((l) => plainText(l.text))).toEqual(['Build', 'compiling', '']);
    expect(run.groups.map((g) => [g.start, g.end])).toEqual([[1, 3]]);
  });

  it('gives the same rows under any batching; the column goes back to 0 (the state keeps none)', () => {
    const text = 'a\n\x1b[33m\x1b[5C';
    const whole = runIngest(text);
    expect(whole.lines.map((l) => l.text)).toEqual(['a']);
    // a line continuing it in the same batch starts at column 0 of that row, in the pen
    const joined = ingestLines(null, [line(1, 'a'), line(2, '\x1b[33m\x1b[5C', false), line(3, 'b')], [], { rows: 0 });
    const split = ingestLines(json(ingestLines(null, [line(1, 'a'), line(2, '\x1b[33m\x1b[5C', false)], [], { rows: 0 }).state), [line(3, 'b')], []);
    expect(joined.lines.map((l) => [l.n, l.text])).toEqual([
      [1, 'a'],
      [2, '\x1b[33mb\x1b[0m'],
    ]);
    expect(split.lines.map((l) => [l.n, l.text])).toEqual([[2, '\x1b[33mb\x1b[0m']]);
    const viaScreen = ingestLines(null, [line(1, 'a'), line(2, '\x1b[1A\x1b[1B\x1b[33m\x1b[5C', false), line(3, 'b')], [], { rows: 0 });
    expect(viaScreen.lines.map((l) => [l.n, l.text])).toEqual([
      [1, 'a'],
      [2, '\x1b[33mb\x1b[0m'],
    ]);
  });

  it('the harness feeds a file tail without LF unless told an LF follows', () => {
    expect(runIngest('a\n\x1b[0m').lines.map((l) => l.n)).toEqual([1]);
    expect(runIngest('a\n\x1b[0m', { lfAfterTail: true }).lines.map((l) => l.n)).toEqual([1, 2]);
    for (const batchSizes of [[1], [2]]) expect(runIngest('a\n\x1b[1A\x1b[1B\x1b[0m', { batchSizes }).lines.map((l) => l.text)).toEqual(['a']);
  });
});
