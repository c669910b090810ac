import type { Scheduler } from '@/lib/viewer/live-tail';

/**
 * Live lines are applied on the next animation frame: a line that arrives is on screen one
 * frame later, whatever the rate. A flush costs one update of the visible rows (React render,
 * layout, paint), about the same for one line or a thousand, so a fast producer still costs one
 * update a frame at most. Only when those updates are expensive (a slow machine, a huge
 * viewport) does the next flush wait: for twice the last update's measured cost, so that live
 * updates take at most a third of the main thread, and never longer than `maxIntervalMs`.
 * Measured with e2e/perf-live-tail.bench.ts and the live latency benchmark.
 */
export function frameScheduler(maxIntervalMs: number): Scheduler {
  /** when the last update finished, and what it cost (ms) */
  let last = 0;
  let cost = 0;
  const measure = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
  let started = 0;
  if (measure) {
    // a message posted from the frame callback runs after that frame's render, layout and paint
    measure.port1.onmessage = () => {
      last = performance.now();
      cost = last - started;
    };
  }
  return (flush) => {
    const wait = Math.max(0, last + Math.min(maxIntervalMs, 2 * cost) - performance.now());
    const run = () =>
      requestAnimationFrame(() => {
        started = performance.now();
        flush();
        if (measure) measure.port2.postMessage(null);
        else last = performance.now();
      });
    if (wait < 1) run();
    else setTimeout(run, wait);
  };
}
