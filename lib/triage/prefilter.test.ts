/**
 * classifyLine's MAY_MATCH shortcut (rules.ts) answers "no error" without the rules for lines
 * that hold none of the words any rule needs. It must change no answer: over the project's
 * fixtures and the shared corpus (when present), as stored and as plain text, on both streams,
 * with blocks carried line to line, classifyLine and classifyUnfiltered agree on every line.
 * (rules.test.ts's tables go through classifyLine, so each of their error lines passes it too.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stream } from '../contracts/lines';
import { CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../../test/support/corpus';
import { plainText } from '../ansi/plain';
import { runIngest } from '../ingest/test-harness';
import { classifyLine, classifyUnfiltered, initialTriageState, MAY_MATCH, type ErrorMatch } from './rules';
import { sgrOnlyNotRed } from './scan';

const files = [
  ...readdirSync(FIXTURES_DIR).map((f) => path.join(FIXTURES_DIR, f)),
  ...(corpusPresent() ? readdirSync(CORPUS_DIR).filter((f) => !f.endsWith('.md')).map((f) => path.join(CORPUS_DIR, f)) : []),
];

function answers(texts: string[], stream: Stream, classify: typeof classifyLine): (ErrorMatch | null)[] {
  const ctx = { state: initialTriageState() };
  return texts.map((text) => classify({ text, stream }, ctx));
}

describe('MAY_MATCH shortcut', () => {
  it.each(files.map((f) => [path.basename(f), f]))('changes no answer: %s', (_name, file) => {
    const stored = runIngest(readFileSync(file)).lines.map((l) => l.text);
    const plain = stored.map(plainText);
    for (const texts of [stored, plain]) {
      for (const stream of ['out', 'err'] as const) {
        const fast = answers(texts, stream, classifyLine);
        const full = answers(texts, stream, classifyUnfiltered);
        const differ = fast.flatMap((a, i) => (JSON.stringify(a) === JSON.stringify(full[i]) ? [] : [`${i + 1}: ${texts[i]?.slice(0, 80)}`]));
        expect(differ).toEqual([]);
      }
    }
  });

  it('lets through a line of each rule, and skips plain progress', () => {
    const errors = [
      '##[error]Process completed with exit code 1.', 'Traceback (most recent call last):', 'panic: runtime error', "thread 'main' panicked at src/main.rs:2:5",
      'npm ERR! code 1', '● Suite › test', 'fatal: not a git repository', 'Fatal: boom', '--- FAIL: TestX', 'FAIL src/a.test.ts', '✕ renders', '× broke',
      'Tests: 1 failed', '2 failing', '===== 1 failed, 2 passed in 0.1s =====', 'src/a.c:1:2: error: x', './a/b.go:12:3: undefined: x', 'error[E0308]: mismatched types',
      'TypeError: x is not a function', 'java.lang.IllegalStateException: x', 'ERROR boom', 'E: Unable to locate package x', 'ERRO[0008] x', 'FATA[0001] x', 'CRITICAL x',
      '12:00:01 ERROR [main] x', 'level=error msg=x', 'make: *** [all] Error 2', 'Process completed with exit code 2', 'exit status 1',
    ];
    for (const text of errors) {
      expect(MAY_MATCH.test(text), text).toBe(true);
      expect(classifyLine({ text, stream: 'out' }), text).not.toBeNull();
    }
    for (const text of ['   Compiling serde v1.0.197', 'Receiving objects: 100% (263/263), done.', '> jest --ci --coverage']) expect(MAY_MATCH.test(text), text).toBe(false);
  });
});

describe('sgrOnlyNotRed (the shortcut for coloured lines)', () => {
  it('answers the shown text for SGR-only heads without red, null for anything it cannot vouch for', () => {
    expect(sgrOnlyNotRed('\x1b[32mINFO\x1b[39m \x1b[38;5;33m[worker-1]\x1b[39m #5 build')).toBe('INFO [worker-1] #5 build');
    expect(sgrOnlyNotRed('\x1b[1m\x1b[36mDEBUG\x1b[0m x')).toBe('DEBUG x');
    expect(sgrOnlyNotRed('\x1b[38:5:33mx\x1b[m')).toBe('x');
    for (const head of [
      '\x1b[31mred', '\x1b[1;31mERROR', '\x1b[91mx', '\x1b[41mx', '\x1b[101mx', '\x1b[031mx', // red codes
      '\x1b[38;5;196mx', '\x1b[48;5;1mx', '\x1b[38:5:9mx', '\x1b[38;2;255;0;0mx', '\x1b[38;5mx', '\x1b[38mx', // red or unknown extended colours
      '\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\', '\x1b[2Kx', '\x1b[?25lx', 'x \x1b[3', 'x \x1b', // other escapes, a cut SGR
    ]) {
      expect(sgrOnlyNotRed(head), JSON.stringify(head)).toBeNull();
    }
  });

  it('changes no answer on coloured lines: every palette colour, split words, links, cut sequences', () => {
    const words = ['ERROR boom', 'E\x1b[1mRROR\x1b[22m boom', 'fa\x1b[32mil\x1b[39med', 'Tests: 1 failed', 'build ok', 'exit status 1', '12:00:01 ERROR [main] x', '✕ renders', 'note'];
    const colours = [...Array.from({ length: 256 }, (_, i) => `38;5;${i}`), ...Array.from({ length: 256 }, (_, i) => `48;5;${i}`), '31', '32', '91', '1;31', '38;2;255;0;0', '38;2;0;128;0', '38:5:160', '7', '0', ''];
    const lines: string[] = [];
    for (const c of colours) {
      for (const w of words) {
        lines.push(`\x1b[${c}m${w}\x1b[0m`, `2024-05-01T12:00:00.000Z \x1b[${c}m[worker-3]\x1b[39m ${w}`, `\x1b[${c}m   \x1b[0m${w}`);
      }
    }
    lines.push('\x1b]8;;https://e.x\x1b\\ERROR\x1b]8;;\x1b\\', `${'x'.repeat(2045)}\x1b[31mERROR`, `\x1b[32m${'y'.repeat(3000)}`);
    for (const stream of ['out', 'err'] as const) {
      const fast = answers(lines, stream, classifyLine);
      const full = answers(lines, stream, classifyUnfiltered);
      const differ = fast.flatMap((a, i) => (JSON.stringify(a) === JSON.stringify(full[i]) ? [] : [JSON.stringify(lines[i])]));
      expect(differ).toEqual([]);
    }
  });
});
