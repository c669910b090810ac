/**
 * Deterministic CI-like logs for the diff's tests and bench (scripts/bench-diff.ts): two runs
 * of the same build, produced page by page (never held whole), whose lines differ in noise
 * that normalisation removes (timestamps, durations, hashes, ports, PIDs, temp paths,
 * progress, colours) and, on a chosen share of lines, in content.
 */

import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

const ESC = '\x1b';
export const PAGE_LINES = 1000;

export interface CiLogOptions {
  lines: number;
  /** 'base' and 'head' differ in their noise; only 'head' has changed lines */
  side: 'base' | 'head';
  /** every `changeEvery`-th line (from line changeEvery/2) differs in content on the head side; 0 for none */
  changeEvery: number;
  /** called before each page is produced (the memory test samples the heap there) */
  onPage?: () => void;
}

/** `width` hex digits from n, starting `a1` so that it always holds a letter and a digit (the hex-hash rule's test). */
function hex(n: number, width: number): string {
  return `a1${((n * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(Math.ceil(width / 8))}`.slice(0, width);
}

/** Line `i` (0-based) of a run: about 100 characters, unique per i, a separator every 50th line. */
export function ciLine(i: number, side: 'base' | 'head', changeEvery: number): string {
  const seed = side === 'base' ? i : i * 7 + 13;
  if (changeEvery > 0 && side === 'head' && i % changeEvery === changeEvery >> 1) {
    return `${ESC}[31mERROR${ESC}[0m module ${i}: assertion failed, expected ${i} to equal ${i + 1} (see report ${i})`;
  }
  const ts = `2026-11-${side === 'base' ? '28' : '29'}T${String(seed % 24).padStart(2, '0')}:${String(seed % 60).padStart(2, '0')}:07.${String(seed % 9999999).padStart(7, '0')}Z`;
  switch (i % 50) {
    case 0:
      return `${ts} ${ESC}[36m----------------------------------------${ESC}[0m`;
    case 1:
      return `${ts} [${(i % 97) + 1}/97] Building CXX object src/unit_${i}.cc.o in ${(seed % 900) + 10}ms`;
    case 2:
      return `${ts} GET http://localhost:${40000 + (seed % 20000)}/api/items/${i} 200 (pid ${1000 + (seed % 30000)}) ${seed % 100}%`;
    case 3:
      return `${ts} wrote /tmp/tmp.${hex(seed, 6)}/out-${i}.json from commit ${hex(seed, 40)}`;
    default:
      return `${ts} ${ESC}[32m✓${ESC}[0m test suite ${i} passed: ${(i % 40) + 1} tests in ${(seed % 5000) / 1000}s (sha ${hex(seed, 12)})`;
  }
}

/** A run as pages of PAGE_LINES lines, made on demand. */
export async function* ciLog(options: CiLogOptions): AsyncGenerator<string[]> {
  for (let from = 0; from < options.lines; from += PAGE_LINES) {
    options.onPage?.();
    const page: string[] = [];
    for (let i = from; i < Math.min(options.lines, from + PAGE_LINES); i++) page.push(ciLine(i, options.side, options.changeEvery));
    yield page;
  }
}

/** Lines `changeEvery` makes differ in a run of `lines` lines. */
export function changedLines(lines: number, changeEvery: number): number {
  if (changeEvery <= 0) return 0;
  const first = changeEvery >> 1;
  return first >= lines ? 0 : Math.floor((lines - 1 - first) / changeEvery) + 1;
}

/** V8's full GC: `global.gc` under --expose-gc, else turned on now (the flag is read when a context is made). */
function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => void gc() : undefined;
}

/**
 * Peak memory of a run, sampled (heap used plus typed-array backing stores): `sample()` at
 * every page and at the end. A full GC first makes the baseline the live set; garbage made
 * during the run (each line's text and normalised text, dropped at once) still counts until
 * V8 collects it, so the figure is an upper bound of what the diff holds.
 */
export class MemorySampler {
  readonly baseline: number;
  peak = 0;

  constructor() {
    fullGc()?.();
    this.baseline = MemorySampler.now();
    this.peak = this.baseline;
  }

  static now(): number {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  }

  sample(): void {
    this.peak = Math.max(this.peak, MemorySampler.now());
  }

  /** Bytes above the baseline at the highest sample. */
  get delta(): number {
    return this.peak - this.baseline;
  }
}
