import 'server-only';
import v8 from 'node:v8';

/**
 * V8's regexp engine choice (Node 20, V8 11.3; measured, docs/api.md "Search"):
 * - `--enable-experimental-regexp-engine-on-excessive-backtracks`: a regexp runs on the usual
 *   backtracking engine (fast: ~0.4 s per million 100-byte lines) until one match attempt
 *   backtracks more than `--regexp-backtracks-before-fallback` times (default 50,000, well
 *   under a millisecond), then it reruns on the linear-time engine. `(a|aa)+$`, `^(\w+\s?)*$`,
 *   `(x+x+)+y` and `.*.*.*.*~` on hostile lines then take milliseconds instead of minutes.
 * - `--enable-experimental-regexp-engine`: makes the `l` flag available, so that
 *   `new RegExp(source, 'l')` proves at compile time that the linear engine can run a pattern
 *   (it refuses lookarounds, backreferences and the `i` and `u` flags). Only such patterns are
 *   searched: for any other, the fallback above could not happen.
 * Both flags are process-wide (every isolate, worker threads included) and change nothing for
 * regexps that never backtrack much. Node documents setting V8 flags after start as unsupported
 * in general; these two are read when a regexp is compiled or executed, which search-engine
 * tests check (the four patterns above finish in milliseconds).
 */
const FLAGS = ['--enable-experimental-regexp-engine-on-excessive-backtracks', '--enable-experimental-regexp-engine'];

let enabled = false;

/** Turns on the linear-time fallback and the `l` flag (idempotent). */
export function enableLinearFallback(): void {
  if (enabled) return;
  for (const flag of FLAGS) v8.setFlagsFromString(flag);
  enabled = true;
}

/** True when V8's linear-time engine can run `source` (no `i`, no `u`): the fallback is possible. */
export function runsInLinearTime(source: string): boolean {
  enableLinearFallback();
  try {
    new RegExp(source, 'l');
    return true;
  } catch {
    return false;
  }
}
