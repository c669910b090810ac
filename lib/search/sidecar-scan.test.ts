import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery } from './pattern';
import { PreparedQuery, requiredLiteral, scanSidecars, type ScanSegment } from './sidecar-scan';

describe('requiredLiteral', () => {
  it.each([
    ['ERROR.*(timeout|socket)', 'ERROR'],
    ['^\\[build\\] step (\\d+) failed: exit', '[build] step '], // the first of two as long
    ['a.b', null], // runs of one character select too much
    ['caf\u00e9 \\d+ ok', 'caf\u00e9 '],
    ['(ERROR|WARN): disk', ': disk'],
    ['timeout|socket', null], // an alternation at the top: no one literal
    ['ERR?OR', 'ER'], // the quantified R breaks the run: `ER`, then `OR`
    ['x\\ny', null], // a newline never occurs inside a line
    ['\\ud83d\\ude00 smile', ' smile'], // surrogate halves are not bytes of their own
  ])('%s → %s', (source, want) => {
    expect(requiredLiteral(source)).toBe(want === null ? null : want);
  });

  it('takes the longest run', () => {
    expect(requiredLiteral('ab.c(d)efgh')).toBe('efgh');
    expect(requiredLiteral('ERR?ORS')).toBe('ORS');
  });
});

/** A sidecar of `lines` (plain text), indexed every `every` lines, as lib/store/file/sidecar.ts writes it. */
function writeSidecar(dir: string, lines: string[], every = 64): ScanSegment {
  const file = path.join(dir, 'main.txt');
  const index: number[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  lines.forEach((line, i) => {
    if (i % every === 0) index.push(offset);
    const b = Buffer.from(line + '\n');
    parts.push(b);
    offset += b.length;
  });
  fs.writeFileSync(file, Buffer.concat(parts));
  return { path: file, lower: file, from: 1, to: lines.length, end: offset, index, every };
}

describe('a regex scan with its literal prefilter', () => {
  let dir = '';
  let segment: ScanSegment;
  const words = ['ERROR', 'WARN', 'timeout', 'socket', 'caf\u00e9', '\u2713 done', 'x  y', 'ok', '\u00e9\u00e9 ok', 'line'];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logscope-sidecar-scan-'));
    // 70,000 lines, more than one 4 MiB block, ASCII and not, a few long ones
    const lines: string[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 1; n <= 70_000; n++) {
      const k = 2 + (next() % 6);
      const parts = [`line ${n}`];
      for (let i = 0; i < k; i++) parts.push(words[next() % words.length]!);
      if (n % 9_999 === 0) parts.push('y'.repeat(20_000), 'ERROR at the far end timeout');
      lines.push(parts.join(' ').padEnd(60 + (n % 40), '.'));
    }
    segment = writeSidecar(dir, lines);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    'ERROR.*(timeout|socket)',
    'ERROR',
    'caf\u00e9 \\S+',
    '\u00e9\u00e9 ok$',
    'ok x\\s+y', // can consume a newline: scanned line by line
    '^line 1\\d{3} ',
    '\u2713 done.*WARN',
    'timeout socket',
  ])('finds the same lines as the scan without it: %s', (q) => {
    const query = compileQuery({ q, regex: true, caseSensitive: true });
    const fast = new PreparedQuery(query);
    const plain = new PreparedQuery(query, false);
    const far = Date.now() + 60_000;
    for (const [want, skip] of [
      [1_000_000, 0],
      [50, 0],
      [20, 500],
    ] as const) {
      const a = scanSidecars(fast, [segment], want, far, Date.now, skip);
      const b = scanSidecars(plain, [segment], want, far, Date.now, skip);
      expect(a.stopped).toBeNull();
      expect(a.segments[0]!.total).toBe(b.segments[0]!.total);
      expect(a.segments[0]!.hits).toEqual(b.segments[0]!.hits);
    }
    // the prefilter is on for the patterns with a literal
    expect(fast.regexLiteral !== null).toBe(requiredLiteral(query.kind === 'regex' ? query.source : '') !== null);
  });
});
