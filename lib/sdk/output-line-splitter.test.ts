import { describe, expect, it } from 'vitest';
import { OutputLineSplitter, splitUtf8, wholeLines } from './output-line-splitter';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Feeds `input` in the given pieces and returns every line, `end()` included. */
function splitAll(pieces: Array<string | Uint8Array>, max?: number): string[] {
  const splitter = new OutputLineSplitter(max);
  const out: string[] = [];
  for (const piece of pieces) out.push(...splitter.push(piece));
  out.push(...splitter.end());
  return out;
}

const cases: Array<{ name: string; input: string; lines: string[]; max?: number }> = [
  { name: 'empty', input: '', lines: [] },
  { name: 'one line', input: 'a\n', lines: ['a'] },
  { name: 'no trailing newline', input: 'a\nb', lines: ['a', 'b'] },
  { name: 'empty lines kept', input: '\n\nx\n', lines: ['', '', 'x'] },
  { name: 'crlf', input: 'a\r\nb\r\n', lines: ['a', 'b'] },
  { name: 'lone cr stays (progress bars)', input: '10%\r50%\r100%\n', lines: ['10%\r50%\r100%'] },
  { name: 'utf-8', input: 'héllo wörld ✓ 🚀\nzß\n', lines: ['héllo wörld ✓ 🚀', 'zß'] },
  { name: 'escape codes kept', input: '\u001b[31mred\u001b[0m\n', lines: ['\u001b[31mred\u001b[0m'] },
  { name: 'over-long line split', input: 'abcdefghij\n', max: 4, lines: ['abcd', 'efgh', 'ij'] },
  { name: 'split never cuts a character', input: 'aé€🚀b\n', max: 4, lines: ['aé', '€', '🚀', 'b'] },
];

describe('OutputLineSplitter', () => {
  it.each(cases)('$name (whole string)', ({ input, lines, max }) => {
    expect(splitAll([input], max)).toEqual(lines);
  });

  it.each(cases)('$name (bytes, split at every byte boundary)', ({ input, lines, max }) => {
    const bytes = utf8(input);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)], max)).toEqual(lines);
    }
  });

  it.each(cases)('$name (one byte at a time)', ({ input, lines, max }) => {
    const bytes = utf8(input);
    expect(splitAll([...bytes].map((b) => Uint8Array.of(b)), max)).toEqual(lines);
  });

  it('keeps the partial line until its newline', () => {
    const splitter = new OutputLineSplitter();
    expect(splitter.push('abc')).toEqual([]);
    expect(splitter.push('def\ngh')).toEqual(['abcdef']);
    expect(splitter.end()).toEqual(['gh']);
    expect(splitter.end()).toEqual([]);
  });

  it('bounds memory for a stream without newlines', () => {
    const splitter = new OutputLineSplitter(1024);
    const out: string[] = [];
    for (let i = 0; i < 100; i++) out.push(...splitter.push('x'.repeat(1000)));
    out.push(...splitter.end());
    expect(out.join('')).toBe('x'.repeat(100_000));
    expect(Math.max(...out.map((l) => l.length))).toBeLessThanOrEqual(1024);
  });

  it('mixes strings and bytes without losing a pending multi-byte character', () => {
    const euro = utf8('€');
    expect(splitAll([euro.subarray(0, 2), euro.subarray(2), 'x\n'])).toEqual(['€x']);
  });
});

describe('wholeLines', () => {
  it.each([
    ['one', ['one']],
    ['one\n', ['one']],
    ['', ['']],
    ['a\r\nb', ['a', 'b']],
    ['a\n\n', ['a', '']],
  ])('%j → %j', (text, lines) => {
    expect(wholeLines(text)).toEqual(lines);
  });
});

describe('splitUtf8', () => {
  it('keeps every piece within the byte cap', () => {
    const text = 'a€🚀é'.repeat(50);
    for (const max of [4, 5, 7, 16, 100]) {
      const pieces = splitUtf8(text, max);
      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) expect(utf8(piece).length).toBeLessThanOrEqual(max);
    }
  });
});
