import type { Scheduler } from '@/lib/viewer/live-tail';

/**
 * Live lines are applied on an animation frame, and at most once per `minIntervalMs`: a fast
 * producer (10k+ lines/s) then costs ~10 list updates a second instead of 60, each one
 * replacing the whole screen of rows anyway, while a slow one still shows each line at once.
 * Measured with e2e/perf-live-tail.bench.ts.
 */
export function frameScheduler(minIntervalMs: number): Scheduler {
  let last = 0;
  return (flush) => {
    const wait = Math.max(0, last + minIntervalMs - performance.now());
    const run = () =>
      requestAnimationFrame(() => {
        last = performance.now();
        flush();
      });
    if (wait === 0) run();
    else setTimeout(run, wait);
  };
}
