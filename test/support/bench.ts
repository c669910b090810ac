import type { Line } from '../../lib/contracts';

/** Shared by the benchmarks (scripts/bench-*.ts): they print figures and never pass or fail on them. */

/** The p-th percentile (nearest rank) of `values`, sorted or not. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Lines `from`..`from+count-1` of a typical `total`-line build log, as a store appends them. */
export function buildLogLines(from: number, count: number, total: number): Line[] {
  const lines: Line[] = [];
  for (let n = from; n < from + count; n++) {
    lines.push({ n, ts: 1_700_000_000_000 + n, stream: 'out', text: `2026-11-22T10:00:00Z [build] compiling module ${n} of ${total} ... ok` });
  }
  return lines;
}

/**
 * Runs a benchmark's `main`. `cleanup` (a server to stop, a temp dir to remove) runs either
 * way; after an error, which is printed, the process exits 1 even if a handle stays open.
 */
export function runBench(main: () => Promise<void>, cleanup: () => Promise<void> | void = () => undefined): void {
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cleanup();
      if (process.exitCode === 1) process.exit(1);
    });
}
