import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { createBodyLineSplitter } from './body-line-splitter';

const enc = (s: string) => new TextEncoder().encode(s);

function splitAll(chunks: Uint8Array[], maxLineBytes?: number): string[] {
  const s = createBodyLineSplitter({ maxLineBytes });
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

describe('createBodyLineSplitter', () => {
  const cases: Array<[string, string, string[]]> = [
    ['LF', 'a\nb\n', ['a', 'b']],
    ['CRLF', 'a\r\nb\r\n', ['a', 'b']],
    ['bare CR stays inside the line', 'a\rb\nc', ['a\rb', 'c']],
    ['empty lines are lines', '\n\n', ['', '']],
    ['unterminated last line', 'a\nb', ['a', 'b']],
    ['a final CR without LF is kept', 'a\r', ['a\r']],
    ['nothing', '', []],
    ['multibyte', 'ü€😀\n', ['ü€😀']],
  ];
  it.each(cases)('%s, whole and split at every byte', (_name, input, expected) => {
    const bytes = enc(input);
    expect(splitAll([bytes])).toEqual(expected);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut ${cut}`).toEqual(expected);
    }
    expect(splitAll([...bytes].map((b) => new Uint8Array([b])))).toEqual(expected);
  });

  it('does not keep a reference to the caller buffer', () => {
    const s = createBodyLineSplitter();
    const buf = enc('abc');
    s.push(buf);
    buf.fill(0x78);
    expect(s.push(enc('\n'))).toEqual(['abc']);
  });

  it('accepts a line of exactly maxLineBytes, with CRLF', () => {
    expect(splitAll([enc('x'.repeat(8) + '\r\n')], 8)).toEqual(['x'.repeat(8)]);
    expect(splitAll([enc('x'.repeat(8))], 8)).toEqual(['x'.repeat(8)]);
  });

  it('throws too_large as soon as a line exceeds the cap, before its end arrives', () => {
    const s = createBodyLineSplitter({ maxLineBytes: 8 });
    expect(s.push(enc('ok\n12345'))).toEqual(['ok']);
    let error: unknown;
    try {
      s.push(enc('67890'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('too_large');
    expect(() => splitAll([enc('123456789\n')], 8)).toThrow(AppError);
    expect(() => splitAll([enc('123456789')], 8)).toThrow(AppError);
  });

  it('defaults to MAX_LINE_BYTES (1 MiB)', () => {
    const s = createBodyLineSplitter();
    expect(s.push(new Uint8Array(1024 * 1024).fill(0x61))).toEqual([]);
    expect(() => s.push(new Uint8Array(2).fill(0x61))).toThrow(AppError);
  });

  it('equals decoding line by line, whatever the chunking (invalid UTF-8, BOMs, CRs)', () => {
    /** the reference: split the bytes at 0x0A, drop a CR before it, decode each line alone */
    const reference = (bytes: Uint8Array): string[] => {
      const out: string[] = [];
      const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      let from = 0;
      while (from < bytes.length) {
        const lf = bytes.indexOf(0x0a, from);
        const end = lf < 0 ? bytes.length : lf;
        const cut = lf >= 0 && end > from && bytes[end - 1] === 0x0d ? end - 1 : end;
        let text = decoder.decode(bytes.subarray(from, cut));
        if (out.length === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        out.push(text);
        from = end + 1;
      }
      return out;
    };
    const pieces = [[0x61], [0x0a], [0x0d], [0x0d, 0x0a], [0xef, 0xbb, 0xbf], [0xc3], [0xbc], [0xe2, 0x82], [0xac], [0xff], [0xf0, 0x9f, 0x98, 0x80], [0x1b, 0x5b, 0x33, 0x31, 0x6d], [0x20], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f], [0xe0, 0x80], [0xf8], [0x80, 0x80]];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 2000; round++) {
      const bytes: number[] = [];
      const count = next(60);
      for (let k = 0; k < count; k++) bytes.push(...(pieces[next(pieces.length)] ?? []));
      const input = new Uint8Array(bytes);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < input.length; ) {
        const size = 1 + next(12);
        chunks.push(input.subarray(at, at + size));
        at += size;
      }
      expect(splitAll(chunks), JSON.stringify(bytes)).toEqual(reference(input));
      expect(splitAll([input])).toEqual(reference(input));
    }
  });
});

