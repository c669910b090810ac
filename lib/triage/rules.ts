import type { Stream } from '../contracts/lines';
import { MAX_CLASSIFY_CHARS, scanLine, sgrOnlyNotRed } from './scan';

/**
 * Which stored lines are error lines: a small rule set, one pass over a bounded prefix of each
 * line (MAX_CLASSIFY_CHARS, scan.ts), no backtracking-prone regex (rules.test.ts checks every
 * pattern below with V8's linear-time engine and on hostile 1 MB lines). docs/triage.md says
 * what each rule matches, what it refuses, and why.
 *
 * Pure: no Node API, no server-only marker; it runs at ingest, in a worker or in a browser.
 */

export const RULE_IDS = [
  'ci-error', // ##[error]… (GitHub download), ::error::… (workflow command)
  'traceback', // Python `Traceback (most recent call last):` — starts a block
  'panic', // Go `panic:` / `fatal error:` (block), Rust `thread '…' panicked at`
  'npm', // `npm ERR!` / `npm error` — consecutive lines are one block
  'fatal', // git's `fatal:`, `FATAL` as a first word
  'compiler', // file:line[:col]: error, file(line,col): error TSxxxx, error[E0308], Go file.go:12:3:
  'test-failure', // FAIL / FAILED / --- FAIL / ✕ / jest ● (block) / cargo `... FAILED`
  'test-summary', // `Tests: 1 failed`, `2 failing`, pytest `=== 1 failed`, N > 0
  'exception', // `TypeError: …`, `java.lang.IllegalStateException: …` at the line start
  'level', // ERROR / Error: / error: / [ERROR] / E: as a log level at the line start, ERROR as a word near it
  'exit', // Process completed with exit code N, exit status N, make: ***, Command failed with exit code N (N ≠ 0)
  'red', // text with a letter or digit shown in red (not a diff's -/+ line)
  'stderr', // a stderr line with the word error/failed/fatal anywhere in its prefix
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface ErrorMatch {
  rule: RuleId;
  /** true on the lines after a block's first line (traceback, panic, npm, jest ●): part of that error, not another one */
  continues?: true;
}

export interface ClassifyInput {
  /** stored (canonical) text: may hold SGR escapes and OSC 8 links */
  text: string;
  stream?: Stream;
}

/**
 * Kinds of multi-line block whose first line is the error and the rest belong to it. In a
 * traceback, panic, npm or jest block every line that fits the block's shape belongs to it. A
 * `diagnostic` (after a compiler, level or exception line: rustc's `-->`/` |`/`= note` lines,
 * gcc's code and caret lines, a JS stack) only absorbs lines no pattern rule matches: its red
 * labels and carets are part of the error, the next `error[E…]` is a new one.
 */
export type BlockKind = 'traceback' | 'panic' | 'npm' | 'test' | 'diagnostic';

/**
 * The state carried from one line of a step to the next: the open block, if any, and how many
 * lines it has had (a block ends after MAX_BLOCK_LINES, so one never swallows a step). Plain
 * JSON, so the ingest can persist it with the step's write state.
 */
export interface TriageState {
  block: BlockKind | null;
  blockRule: RuleId | null;
  blockLines: number;
}

export interface ClassifyContext {
  state: TriageState;
}

/** A traceback or panic longer than this ends there; later lines are classified on their own. */
export const MAX_BLOCK_LINES = 500;

export function initialTriageState(): TriageState {
  return { block: null, blockRule: null, blockLines: 0 };
}

/** GitHub's log download puts an ISO timestamp before every line. */
export const TIMESTAMP_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z ?/;
/** `file:12`, `file:12:3`, `file(12,3)`, `file(12)` at the end of what precedes `: error`. */
export const LOCATION_END = /(?::\d+(?::\d+)?|\(\d+(?:,\d+)?\))$/;
/** Go's compiler and vet: `./pkg/file.go:12:3: message`. */
export const GO_LOCATION = /^\S+\.go:\d+(?::\d+)?: \S/;
/** rustc: `error[E0308]: mismatched types`. */
export const RUSTC_CODE = /^error\[E\d+\]/;
/** An exception's name first: `TypeError: x`, `java.lang.IllegalStateException: x`, `Uncaught ReferenceError: x`. */
export const EXCEPTION_START = /^(?:Uncaught |Unhandled |Caused by: )?(?:[a-z][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception)(?::|$| \[)/;
/** `Tests: 1 failed`, `Test Suites: 1 failed`, Vitest's `Test Files  1 failed`, `Tests  2 failed`. */
export const TEST_SUMMARY = /^(?:Tests|Test Suites|Test Files):?[ \t]+(\d+) failed/;
/** mocha: `2 failing`. */
export const MOCHA_FAILING = /^(\d+) failing\b/;
/** pytest's last line: `===== 1 failed, 2 passed in 0.12s =====`. */
export const PYTEST_SUMMARY = /^=+ (?:\d+ [a-z]+, )*(\d+) failed/;
/** make: `make: *** [target] Error 2`, `make[1]: *** …`. */
export const MAKE_ERROR = /^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* /;
/** An exit code that follows one of the exit phrases below. */
const EXIT_CODE = /^ ?(-?\d+)/;

/**
 * What every pattern rule needs somewhere in a line: `error`/`Error`, `ERR` (`ERROR`, `ERR!`,
 * `ERRO[`), `FAIL`/`fail`, `fatal`/`Fatal` (`atal`), `FATA`, `panic`, `Traceback`, jest's `●`, a
 * failure mark, Go's `.go:`, `Exception`, apt's `E: `, `CRIT`, `exit` (every exit phrase), make's
 * `: *** `. A line without any (and without an escape, an open block or the stderr stream: the
 * `red`, continuation and `stderr` rules) is no error line: classifyLine answers it with one
 * scan instead of every rule (most lines of a log: the ingest runs this on each stored line).
 * prefilter.test.ts checks over the fixtures and the corpus that it changes no answer.
 */
export const MAY_MATCH = /rror|ERR|FAIL|fail|atal|FATA|panic|Traceback|●|[✕✗✘×✖]|\.go:|Exception|E: |CRIT|exit|: \*\*\* /;

/** Every regular expression of the rules, for the linear-time and hostile-input tests. */
export const RULE_PATTERNS: readonly RegExp[] = [
  MAY_MATCH,
  TIMESTAMP_PREFIX,
  LOCATION_END,
  GO_LOCATION,
  RUSTC_CODE,
  EXCEPTION_START,
  TEST_SUMMARY,
  MOCHA_FAILING,
  PYTEST_SUMMARY,
  MAKE_ERROR,
  EXIT_CODE,
];

/** How far into a line (after its timestamp and indent) a mid-line marker is looked for. */
const NEAR_START = 160;

function isSpaceCode(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isWordCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `s` starts with `word` and the character after it ends a word (or the line). */
function startsWithWord(s: string, word: string): boolean {
  if (!s.startsWith(word)) return false;
  const c = s.charCodeAt(word.length);
  return Number.isNaN(c) || !isWordCode(c);
}

/** The number after `phrase` in `s` (from `at`), or null. */
function exitCodeAfter(s: string, at: number): number | null {
  const m = EXIT_CODE.exec(s.slice(at, at + 12));
  return m ? Number(m[1]) : null;
}

/** True when the text after a level word is only a count (`error: 0`, `ERROR 0`): a summary, not an error. */
function onlyCountAfter(s: string, at: number): boolean {
  let i = at;
  while (i < s.length && (isSpaceCode(s.charCodeAt(i)) || s.charCodeAt(i) === 0x3a)) i++;
  if (i >= s.length) return false;
  let j = i;
  while (j < s.length && isDigitCode(s.charCodeAt(j))) j++;
  if (j === i) return false;
  // `error: 0`, `errors: 0, warnings: 2`, `ERROR 0 |`: a count; `Error 404 page`, `ERROR 1064 (42000): …` go on with words
  while (j < s.length && isSpaceCode(s.charCodeAt(j))) j++;
  const c = s.charCodeAt(j);
  return j === s.length || c === 0x2c || c === 0x3b || c === 0x29 || c === 0x7c || c === 0x2f;
}

/** True when the word ending just before `at` is a number (`0 errors`, `3 ERROR`). */
function countBefore(s: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && isSpaceCode(s.charCodeAt(i))) i--;
  const end = i;
  while (i >= 0 && isDigitCode(s.charCodeAt(i))) i--;
  return i < end && (i < 0 || isSpaceCode(s.charCodeAt(i))); // `12:00:01.123 ERROR` is a time, not a count
}

const LEVEL_WORDS = ['ERROR', 'Error', 'error', 'ERR!', 'FATAL', 'Fatal', 'CRITICAL', 'CRIT'];

/** A log level word first: `ERROR x`, `Error: x`, `error: x`, `[ERROR] x`, `error Command failed` (yarn), apt's `E: x`. */
function levelAtStart(t: string): boolean {
  if (t.startsWith('E: ') || t.startsWith('ERRO[') || t.startsWith('FATA[')) return true; // apt; logrus
  const s = t.charCodeAt(0) === 0x5b ? t.slice(1) : t; // [ERROR]
  for (const word of LEVEL_WORDS) {
    if (!s.startsWith(word)) continue;
    const next = s.charCodeAt(word.length);
    // `error.ts` (a listing), `ERROR_CODE=0`, `Errors: 0`, `onError` never get here
    const ends = word === 'ERR!' || Number.isNaN(next) || next === 0x3a || next === 0x5d || next === 0x20 || next === 0x09 || next === 0x21;
    if (!ends) continue;
    if (word === 'error' && next === 0x20) {
      // lowercase `error ` only before a capital: yarn's `error Command failed`, tsc's `error TS2322`; not prose
      const after = s.charCodeAt(word.length + 1);
      if (!(after >= 0x41 && after <= 0x5a)) return false;
    }
    return !onlyCountAfter(s, word.length + 1);
  }
  return false;
}

const MID_LEVELS = [' ERROR ', ' ERROR:', '[ERROR]', ' FATAL ', '[FATAL]', ' CRITICAL ', 'level=error', 'level=fatal', '"level":"error"'];

/** A level word after a logger's prefix (`12:00:01 ERROR [main] x`, `2025-… - app - ERROR - x`, `level=error`). */
function levelNearStart(t: string): boolean {
  const head = t.length > NEAR_START ? t.slice(0, NEAR_START) : t;
  for (const word of MID_LEVELS) {
    const at = head.indexOf(word);
    if (at < 0) continue;
    if (countBefore(head, at + (word.charCodeAt(0) === 0x20 ? 1 : 0))) continue;
    if (onlyCountAfter(head, at + word.length)) continue;
    return true;
  }
  return false;
}

/** `file:12:3: error`, `file(12,3): error TS2322`, `file.ts:12:3 - error TS2322`, `file:12: fatal error`. */
function compilerError(t: string): boolean {
  const head = t.length > 600 ? t.slice(0, 600) : t;
  if (t.charCodeAt(0) === 0x65 && RUSTC_CODE.test(t)) return true; // e
  if (head.includes('.go:') && GO_LOCATION.test(head)) return true;
  for (const marker of [': error', ': fatal error', ' - error ']) {
    const at = head.indexOf(marker);
    if (at <= 0) continue;
    const after = head.charCodeAt(at + marker.length);
    if (marker !== ' - error ' && !(after === 0x3a || after === 0x20 || Number.isNaN(after))) continue;
    const prefix = head.slice(0, at);
    if (isSpaceCode(prefix.charCodeAt(0))) continue;
    if (LOCATION_END.test(prefix)) return true;
  }
  return false;
}

const FAIL_MARKS = ['✕ ', '✗ ', '✘ ', '× ', '✖ '];

function testFailure(t: string): boolean {
  if (startsWithWord(t, 'FAIL') || startsWithWord(t, 'FAILED') || startsWithWord(t, 'FAILURE')) {
    // `FAIL` alone or followed by a name, never a count (`FAILED: 0`)
    return !onlyCountAfter(t, t.startsWith('FAILURE') ? 7 : t.startsWith('FAILED') ? 6 : 4);
  }
  if (t.startsWith('=== FAIL') || t.startsWith('[FAIL]') || t.startsWith('[FAILED]')) return true;
  if (t.startsWith('BUILD FAILED') || t.startsWith('BUILD FAILURE')) return true;
  if (t.startsWith('test result: FAILED')) return true;
  for (const mark of FAIL_MARKS) if (t.startsWith(mark)) return true;
  // cargo test: `test tests::it_works ... FAILED`
  return t.startsWith('test ') && t.endsWith(' ... FAILED');
}

function failedCount(m: RegExpExecArray | null): boolean {
  return m !== null && Number(m[1]) > 0;
}

function testSummary(t: string): boolean {
  // Each pattern only where its first character is: most lines skip all three.
  const first = t.charCodeAt(0);
  if (first === 0x54) return failedCount(TEST_SUMMARY.exec(t)); // T
  if (isDigitCode(first)) return failedCount(MOCHA_FAILING.exec(t));
  if (first === 0x3d) return failedCount(PYTEST_SUMMARY.exec(t)); // =
  return false;
}

const EXIT_PHRASES = ['Process completed with exit code', '" exited with', 'Command failed with exit code', 'exited with code', 'exit status', 'returned non-zero exit status'];

function exitLine(t: string): boolean {
  const first = t.charCodeAt(0);
  if ((first === 0x6d || first === 0x67) && MAKE_ERROR.test(t)) return true; // m, g
  const head = t.length > NEAR_START ? t.slice(0, NEAR_START) : t;
  for (const phrase of EXIT_PHRASES) {
    const at = head.indexOf(phrase);
    if (at < 0) continue;
    if (phrase === 'exit status' && at !== 0) continue; // Go prints it alone; mid-line it is prose
    const code = exitCodeAfter(head, at + phrase.length);
    if (code !== null && code !== 0) return true;
  }
  return false;
}

const STDERR_WORDS = ['error', 'failed', 'failure', 'fatal'];

/** A stderr line saying error/failed/fatal as a word (not `errors`, `error-chain`, `0 failed`, `onError`). */
function stderrKeyword(t: string): boolean {
  const head = (t.length > NEAR_START ? t.slice(0, NEAR_START) : t).toLowerCase();
  for (const word of STDERR_WORDS) {
    let at = head.indexOf(word);
    while (at >= 0) {
      const before = at > 0 ? head.charCodeAt(at - 1) : 0x20;
      const after = head.charCodeAt(at + word.length);
      const boundedBefore = !isWordCode(before) && before !== 0x2d && before !== 0x2f && before !== 0x2e;
      const boundedAfter = Number.isNaN(after) || (!isWordCode(after) && after !== 0x2d && after !== 0x2f && after !== 0x2e);
      if (boundedBefore && boundedAfter && !countBefore(head, at) && !onlyCountAfter(head, at + word.length)) return true;
      at = head.indexOf(word, at + 1);
    }
  }
  return false;
}

/** `12 | code`, `6 - old`, `6 + new`: a numbered line of a compiler's code frame or suggestion. */
function digitsThenBar(t: string): boolean {
  let i = 0;
  while (i < 12 && isDigitCode(t.charCodeAt(i))) i++;
  if (i === 0) return false;
  while (i < 24 && isSpaceCode(t.charCodeAt(i))) i++;
  const c = t.charCodeAt(i);
  return c === 0x7c || c === 0x2d || c === 0x2b || c === 0x7e;
}

/** Does `t` (the line without timestamp or indent) continue the open block? */
function continuesBlock(block: BlockKind, t: string, indented: boolean): boolean | 'last' {
  switch (block) {
    case 'traceback':
      if (t === '' || indented) return true;
      if (t.startsWith('Traceback (most recent call last)') || t.startsWith('During handling of the above exception') || t.startsWith('The above exception was the direct cause')) return true;
      return 'last'; // the exception line (`ValueError: x`) ends the traceback
    case 'panic':
      return t === '' || indented || t.startsWith('goroutine ') || t.startsWith('created by ') || t.startsWith('[signal ') || (t.endsWith(')') && t.includes('('));
    case 'npm':
      return t.startsWith('npm ERR!') || t.startsWith('npm error');
    case 'test':
      return (t === '' || indented) && !t.startsWith('● ') && !t.startsWith('--- FAIL');
    case 'diagnostic':
      if (t === '') return false; // rustc and gcc end a diagnostic with a blank line
      return indented || t.startsWith('= ') || t.startsWith('-->') || t.startsWith('...') || t.startsWith('help:') || t.startsWith('note:') || t.startsWith('|') || digitsThenBar(t);
  }
}

function startsBlock(ctx: ClassifyContext | undefined, block: BlockKind, rule: RuleId): ErrorMatch {
  if (ctx) ctx.state = { block, blockRule: rule, blockLines: 0 };
  return { rule };
}

/**
 * Why a stored line is an error line, or null. `ctx` carries the block state from the previous
 * line of the same step (create it with `{ state: initialTriageState() }`); without it every
 * line is judged alone. Lines must be fed in order for blocks to be recognised.
 */
export function classifyLine(line: ClassifyInput, ctx?: ClassifyContext): ErrorMatch | null {
  return classify(line, ctx, true);
}

/** classifyLine without its MAY_MATCH shortcut: every rule, every line (prefilter.test.ts compares both). */
export function classifyUnfiltered(line: ClassifyInput, ctx?: ClassifyContext): ErrorMatch | null {
  return classify(line, ctx, false);
}

function classify(line: ClassifyInput, ctx: ClassifyContext | undefined, shortcut: boolean): ErrorMatch | null {
  // Only the pattern rules can match a line outside a block and off stderr: without a word
  // they need, and without red (the scan says), it is no error line (MAY_MATCH).
  const quick = shortcut && line.stream !== 'err' && !ctx?.state.block;
  let tested = false;
  if (quick) {
    // the rules read no further than MAX_CLASSIFY_CHARS (scan.ts)
    const head = line.text.length > MAX_CLASSIFY_CHARS ? line.text.slice(0, MAX_CLASSIFY_CHARS) : line.text;
    if (!head.includes('\x1b')) {
      if (!MAY_MATCH.test(head)) return null;
      tested = true;
    } else {
      // a coloured line without red (most of them): the shown text without the full scan
      const shown = sgrOnlyNotRed(head);
      if (shown !== null && !MAY_MATCH.test(shown)) return null;
    }
  }
  const scanned = scanLine(line.text);
  if (quick && !tested && !scanned.redWord && !MAY_MATCH.test(scanned.visible)) return null;
  const ts = scanned.visible.charCodeAt(0) >= 0x30 && scanned.visible.charCodeAt(0) <= 0x39 ? TIMESTAMP_PREFIX.exec(scanned.visible) : null;
  const body = ts ? scanned.visible.slice(ts[0].length) : scanned.visible;
  const indented = isSpaceCode(body.charCodeAt(0));
  const t = indented ? body.trimStart() : body;
  let inDiagnostic: RuleId | null = null;
  const state = ctx?.state;
  if (ctx && state?.block && state.blockRule) {
    const goesOn = state.blockLines < MAX_BLOCK_LINES ? continuesBlock(state.block, t, indented) : false;
    if (goesOn && state.block === 'diagnostic') {
      inDiagnostic = state.blockRule;
      state.blockLines++;
    } else if (goesOn) {
      const rule = state.blockRule;
      if (goesOn === 'last') ctx.state = initialTriageState();
      else state.blockLines++;
      return { rule, continues: true };
    } else {
      ctx.state = initialTriageState();
    }
  }

  const strong = patternRule(t, ctx);
  if (strong) return strong;
  if (inDiagnostic) return { rule: inDiagnostic, continues: true };
  const first = t.charCodeAt(0);
  if (scanned.redWord && !(scanned.redFirst && (first === 0x2d || first === 0x2b || first === 0x3c || first === 0x3e))) return { rule: 'red' };
  if (line.stream === 'err' && stderrKeyword(t)) return { rule: 'stderr' };
  return null;
}

/** A cheap filter before EXCEPTION_START: the name must hold `Error` or `Exception` near the start. */
function mayNameException(t: string): boolean {
  const head = t.length > 300 ? t.slice(0, 300) : t;
  return head.includes('Error') || head.includes('Exception');
}

/** The pattern rules, most specific first; a rule that opens a block records it in `ctx`. */
function patternRule(t: string, ctx: ClassifyContext | undefined): ErrorMatch | null {
  if (t === '') return null;
  if (t.startsWith('##[error]') || t.startsWith('::error ') || t.startsWith('::error::')) return { rule: 'ci-error' };
  if (t.startsWith('Traceback (most recent call last)')) return startsBlock(ctx, 'traceback', 'traceback');
  if (t.startsWith('panic: ') || t.startsWith('fatal error: ')) return startsBlock(ctx, 'panic', 'panic');
  if (t.startsWith("thread '") && t.includes("' panicked at")) return { rule: 'panic' };
  if (t.startsWith('npm ERR!') || t.startsWith('npm error ')) return startsBlock(ctx, 'npm', 'npm');
  if (t.startsWith('● ') && !t.startsWith('● Console')) return startsBlock(ctx, 'test', 'test-failure');
  if (t.startsWith('fatal:') || startsWithWord(t, 'FATAL:')) return { rule: 'fatal' };
  if (t.startsWith('--- FAIL')) return startsBlock(ctx, 'test', 'test-failure'); // go test: the indented lines after it are its messages
  if (testFailure(t)) return { rule: 'test-failure' };
  if (testSummary(t)) return { rule: 'test-summary' };
  if (compilerError(t)) return startsBlock(ctx, 'diagnostic', 'compiler');
  if (mayNameException(t) && EXCEPTION_START.test(t)) return startsBlock(ctx, 'diagnostic', 'exception');
  if (levelAtStart(t) || levelNearStart(t)) return startsBlock(ctx, 'diagnostic', 'level');
  if (exitLine(t)) return { rule: 'exit' };
  return null;
}
