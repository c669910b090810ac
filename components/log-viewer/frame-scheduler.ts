import type { Scheduler } from '@/lib/viewer/live-tail';

/** One animation frame at 60 Hz (ms). */
const FRAME_MS = 1000 / 60;

/**
 * How long after the last live update finished the next one waits (ms), given what that
 * update cost (its frame callback through render, layout and paint). An update that fits in a
 * frame costs the page nothing it would not spend drawing anyway: the next one goes on the next
 * frame. A more expensive one (hundreds of new rows, a slow machine, a huge viewport) is
 * followed by twice its cost, so that live updates take at most a third of the main thread and
 * the page stays responsive to scrolling and input; never more than `maxIntervalMs`. Measured
 * turn by turn against "always twice the cost" (docs/bench/issue-9-profiles.md §3): 100
 * lines/s p50 38 → 34 ms, p99 172 → 153 ms; 1,000 lines/s unchanged (the updates cost more
 * than a frame there).
 */
export function flushDelay(costMs: number, maxIntervalMs: number): number {
  return costMs <= FRAME_MS ? 0 : Math.min(maxIntervalMs, 2 * costMs);
}

/**
 * Live lines are applied on the next animation frame: a line that arrives is on screen one
 * frame later, whatever the rate. A flush costs one update of the visible rows (React render,
 * layout, paint), about the same for one line or a thousand, so a fast producer still costs one
 * update a frame at most. Only when an update costs more than a frame does the next one wait
 * (`flushDelay`, from the end of the last), so that live updates leave the main thread room.
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
    const wait = Math.max(0, last + flushDelay(cost, maxIntervalMs) - performance.now());
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
