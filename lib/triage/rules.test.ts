import { describe, expect, it } from 'vitest';
import { runsInLinearTime } from '../search/engine';
import { classifyLine, initialTriageState, RULE_PATTERNS, type ClassifyContext, type RuleId } from './rules';
import { isRed, MAX_CLASSIFY_CHARS, scanLine } from './scan';

const ESC = '\x1b';
const rule = (text: string, stream?: 'out' | 'err') => classifyLine({ text, stream })?.rule ?? null;

describe('pattern rules: true positives', () => {
  const cases: [string, RuleId][] = [
    ['##[error]Process completed with exit code 1.', 'ci-error'],
    ['2025-10-12T01:28:57.8168409Z ##[error]Process completed with exit code 1.', 'ci-error'],
    ['::error file=a.ts,line=3::boom', 'ci-error'],
    ['Traceback (most recent call last):', 'traceback'],
    ['panic: runtime error: index out of range [3] with length 3', 'panic'],
    ["thread 'main' panicked at src/main.rs:2:5:", 'panic'],
    ['npm ERR! code ELIFECYCLE', 'npm'],
    ['npm error code 1', 'npm'],
    ['fatal: not a git repository (or any of the parent directories): .git', 'fatal'],
    ['src/a.c:12:5: error: expected ‘;’ before ‘}’ token', 'compiler'],
    ['src/a.c:12: error: x', 'compiler'],
    ['main.cpp:3:10: fatal error: foo.h: No such file or directory', 'compiler'],
    ['src/app.ts(12,5): error TS2322: Type "string" is not assignable to type "number".', 'compiler'],
    ['src/app.ts:12:5 - error TS2322: Type "string" is not assignable', 'compiler'],
    ['error[E0308]: mismatched types', 'compiler'],
    ['./main.go:12:3: undefined: foo', 'compiler'],
    ['FAIL src/cart.test.ts', 'test-failure'],
    [' FAIL  src/cart.test.ts (5 ms)', 'test-failure'],
    ['FAIL\tgithub.com/acme/widget\t0.012s', 'test-failure'],
    ['FAILED tests/test_cart.py::test_add - AssertionError: assert 1 == 2', 'test-failure'],
    ['--- FAIL: TestRender (0.01s)', 'test-failure'],
    ['=== FAIL: pkg TestX (0.00s)', 'test-failure'],
    ['  ✕ adds two items (4 ms)', 'test-failure'],
    ['  ● cart › adds two items', 'test-failure'],
    ['test search::tests::binary_file ... FAILED', 'test-failure'],
    ['test result: FAILED. 3 passed; 1 failed; 0 ignored', 'test-failure'],
    ['BUILD FAILED in 3s', 'test-failure'],
    ['Tests:       1 failed, 1 passed, 2 total', 'test-summary'],
    ['Test Suites: 4 failed, 6 passed, 10 total', 'test-summary'],
    ['      Tests  2 failed | 5 passed (7)', 'test-summary'],
    ['  2 failing', 'test-summary'],
    ['===== 1 failed, 2 passed in 0.12s =====', 'test-summary'],
    ['===== 3 passed, 1 warning, 2 failed in 1.0s =====', 'test-summary'],
    ['TypeError: Cannot read properties of undefined', 'exception'],
    ['java.lang.IllegalStateException: closed', 'exception'],
    ['Uncaught ReferenceError: x is not defined', 'exception'],
    ['Error: write EPIPE', 'level'],
    ['error: could not compile `widget`', 'level'],
    ['ERROR: relation "users" does not exist', 'level'],
    ['ERROR in ./src/index.ts', 'level'],
    ['[ERROR] Failed to execute goal org.apache.maven.plugins', 'level'],
    ['error Command failed with exit code 1.', 'level'],
    ['E: Unable to locate package foo', 'level'],
    ['Error 404 page not found', 'level'],
    ['error MSB3073: The command exited with code 1.', 'level'],
    ['ERROR: Job failed: exit code 1', 'level'],
    ['ERRO[0008] While applying layer', 'level'],
    ['12:00:01.123 ERROR [main] c.a.App - boom', 'level'],
    ['2025-01-01 12:00:00,123 - app - ERROR - boom', 'level'],
    ['time="2025-01-01" level=error msg="boom"', 'level'],
    ['Process completed with exit code 2.', 'exit'],
    ['exit status 1', 'exit'],
    ['make: *** [Makefile:12: all] Error 2', 'exit'],
    ['make[1]: *** [build] Error 1', 'exit'],
    ['web-1 exited with code 137', 'exit'],
    ['The command "cargo test" exited with 101.', 'exit'],
  ];
  it.each(cases)('%s → %s', (text, expected) => {
    expect(rule(text)).toBe(expected);
  });
});

describe('classic false positives', () => {
  const cases: string[] = [
    '0 errors',
    'Found 0 errors. Watching for file changes.',
    'errors: 0',
    'error: 0, warning: 2',
    'error: 0',
    'ERROR: 0',
    'cc -Wall -Werror -O2 -c a.c',
    'src/error.ts',
    '  lib/errors/error.ts  1.2 kB',
    'ERROR_CODE=0',
    'no errors found',
    'No errors found.',
    'onError={handleError}',
    'GET https://example.com/error?code=0 200',
    'see https://docs.example.com/errors/E0308.html',
    'Tests:       0 failed, 3 passed, 3 total',
    '  0 failing',
    '===== 3 passed in 0.12s =====',
    'Process completed with exit code 0.',
    'exit status 0',
    'FAILED: 0',
    'the error handler is now lazy',
    'error handling improved',
    'Compiling error-chain v0.12.4',
    'PASS src/cart.test.ts',
    '  ● Console',
    'warning: unused variable: `x`',
    'npm WARN deprecated inflight@1.0.6',
    '2 ERROR(S)',
    'Downloaded errorprone-2.3.jar',
    '',
  ];
  it.each(cases)('%j is not an error line', (text) => {
    expect(rule(text)).toBeNull();
  });
});

describe('red text', () => {
  it('counts a word shown in red (16, bright, 256, 24-bit, background, inverse)', () => {
    for (const open of ['31', '91', '38;5;1', '38;5;9', '38;5;160', '38;5;196', '38;2;220;30;30', '41', '7m' + ESC + '[31']) {
      expect(rule(`${ESC}[${open}mBuild broke${ESC}[0m`), open).toBe('red');
    }
  });
  it('does not count other colours, orange, an escape reset at once, or red punctuation only', () => {
    expect(rule(`${ESC}[32mok${ESC}[0m`)).toBeNull();
    expect(rule(`${ESC}[38;5;166morange words${ESC}[0m`)).toBeNull();
    expect(rule(`${ESC}[31m${ESC}[0mplain after an empty red span`)).toBeNull();
    expect(rule(`${ESC}[31m> ${ESC}[39m 35 | expect(res)`)).toBeNull(); // jest code frame marker
    expect(rule(`     ${ESC}[31m^^^^${ESC}[39m`)).toBeNull();
  });
  it("does not count a diff's red removed or added line", () => {
    expect(rule(`${ESC}[31m-   "id": "q1",${ESC}[0m`)).toBeNull();
    expect(rule(`${ESC}[31m+ Received  + 1${ESC}[0m`)).toBeNull();
  });
  it('reads the colour through the pen model (38:2 colon form, bold then red, 39 reset)', () => {
    expect(rule(`${ESC}[38:2::255:0:0mx${ESC}[0m`)).toBe('red');
    expect(rule(`${ESC}[1m${ESC}[31mx${ESC}[39m`)).toBe('red');
    expect(rule(`${ESC}[31m${ESC}[39mx`)).toBeNull();
  });
  it('reads what a line shows: OSC 8 link URLs are not text, link text is', () => {
    const link = `${ESC}]8;;https://example.com/error?code=0${ESC}\\`;
    expect(scanLine(`see ${link}${ESC}[31mthe docs${ESC}[39m${ESC}]8;;${ESC}\\ now`)).toEqual({ visible: 'see the docs now', redWord: true, redFirst: false });
    expect(rule(`${link}docs${ESC}]8;;${ESC}\\`)).toBeNull();
    expect(scanLine(`  ${ESC}[31m- old${ESC}[0m`)).toMatchObject({ visible: '  - old', redFirst: true });
  });
  it('knows the reds of each palette', () => {
    expect([1, 9, 52, 88, 124, 160, 196].every(isRed)).toBe(true);
    expect([0, 2, 3, 7, 8, 15, 166, 202, 208, 231, 244].some(isRed)).toBe(false);
  });
});

describe('stderr', () => {
  it('is not an error by itself (tools log progress there)', () => {
    expect(rule('Compiling widget v0.1.0', 'err')).toBeNull();
    expect(rule('Downloading crates ...', 'err')).toBeNull();
  });
  it('counts with the word error/failed/fatal', () => {
    expect(rule('connection reset: upload failed', 'err')).toBe('stderr');
    expect(rule('something bad: error while reading config', 'err')).toBe('stderr');
    expect(rule('something bad: error while reading config', 'out')).toBeNull();
  });
  it('not with a count, a plural, or a name', () => {
    for (const text of ['0 errors, 2 warnings', 'Compiling error-chain v0.12.4', 'no errors', 'upload: 0 failed', 'src/error.ts', 'onError']) {
      expect(rule(text, 'err'), text).toBeNull();
    }
  });
});

function feed(lines: string[]): (ReturnType<typeof classifyLine>)[] {
  const ctx: ClassifyContext = { state: initialTriageState() };
  return lines.map((text) => classifyLine({ text }, ctx));
}

describe('blocks', () => {
  it('a Python traceback is one error at its first line, ending with the exception line', () => {
    const out = feed(['Traceback (most recent call last):', '  File "a.py", line 3, in <module>', '    main()', 'ValueError: bad value', 'ERROR: next one']);
    expect(out.map((m) => m && [m.rule, m.continues ?? false])).toEqual([
      ['traceback', false], ['traceback', true], ['traceback', true], ['traceback', true], ['level', false],
    ]);
  });
  it('chained tracebacks stay one block', () => {
    const out = feed(['Traceback (most recent call last):', '  File "a.py", line 1', '', 'During handling of the above exception, another exception occurred:', '', 'Traceback (most recent call last):', '  File "b.py", line 2', 'KeyError: x']);
    expect(out.filter((m) => m && !m.continues)).toHaveLength(1);
  });
  it('a Go panic with its goroutine dump is one error', () => {
    const out = feed(['panic: boom', '', 'goroutine 1 [running]:', 'main.main()', '\t/tmp/x.go:5 +0x1d', 'exit status 2']);
    expect(out.map((m) => (m ? `${m.rule}${m.continues ? '+' : ''}` : null))).toEqual(['panic', 'panic+', 'panic+', 'panic+', 'panic+', 'exit']);
  });
  it('consecutive npm ERR! lines are one error', () => {
    const out = feed(['npm ERR! code 1', 'npm ERR! path /x', 'npm ERR! command failed', 'done']);
    expect(out.map((m) => m?.continues ?? (m ? false : null))).toEqual([false, true, true, null]);
  });
  it("a jest ● block absorbs its indented details; the next ● is a new error", () => {
    const out = feed(['  ● cart › adds', '', '    TypeError: x is undefined', '      at Object.<anonymous> (a.test.ts:3:5)', '  ● cart › removes', 'PASS b.test.ts']);
    expect(out.map((m) => (m ? `${m.rule}${m.continues ? '+' : ''}` : null))).toEqual(['test-failure', 'test-failure+', 'test-failure+', 'test-failure+', 'test-failure', null]);
  });
  it("a compiler diagnostic absorbs its red labels, but not the next diagnostic", () => {
    const out = feed([
      'error[E0308]: mismatched types',
      ' --> src/lib.rs:4:5',
      '  |',
      '4 |     "x"',
      `  |     ${ESC}[31m^^^ expected \`u32\`, found \`&str\`${ESC}[0m`,
      'error[E0425]: cannot find value `y`',
      '',
      `${ESC}[31mred after the blank line${ESC}[0m`,
    ]);
    expect(out.map((m) => (m ? `${m.rule}${m.continues ? '+' : ''}` : null))).toEqual(['compiler', 'compiler+', 'compiler+', 'compiler+', 'compiler+', 'compiler', null, 'red']);
  });
  it('a block ends after MAX_BLOCK_LINES lines', () => {
    const lines = ['npm ERR! a', ...Array.from({ length: 600 }, () => 'npm ERR! more')];
    const out = feed(lines);
    expect(out.filter((m) => m && !m.continues)).toHaveLength(2);
  });
});

describe('bounded and linear', () => {
  it('every rule pattern runs on V8\'s linear-time engine (lib/search/engine.ts check)', () => {
    expect(RULE_PATTERNS.filter((re) => !runsInLinearTime(re.source)).map((re) => re.source)).toEqual([]);
  });
  it('reads only MAX_CLASSIFY_CHARS of a line', () => {
    expect(scanLine('x'.repeat(MAX_CLASSIFY_CHARS * 3)).visible).toHaveLength(MAX_CLASSIFY_CHARS);
    expect(rule(`${'x'.repeat(MAX_CLASSIFY_CHARS)}${ESC}[31mlate red${ESC}[0m`)).toBeNull();
  });
  it('hostile 1 MB lines are classified (each shape once; timings live in the bench)', () => {
    const mb = 1 << 20;
    const hostile = [
      'a'.repeat(mb),
      ':1'.repeat(mb / 2),
      'x'.repeat(mb - 10) + '.go:1:1: y',
      `${ESC}[31m`.repeat(mb / 5),
      `${ESC}]8;;`.repeat(mb / 5),
      `${ESC}[${'1;'.repeat(mb / 2)}`,
      '= '.repeat(mb / 2),
      'Error'.repeat(mb / 5),
      'java.lang.'.repeat(mb / 10),
      '='.repeat(mb) + ' 1 failed',
      ' ERROR'.repeat(mb / 6),
      `${ESC}[31m${'^'.repeat(mb)}`,
    ];
    for (const text of hostile) {
      const result = classifyLine({ text, stream: 'err' });
      expect(result === null || typeof result.rule === 'string').toBe(true);
    }
    expect(rule(`${ESC}[31m`.repeat(mb / 5) + 'boom')).toBeNull(); // past the bound
  });
});
