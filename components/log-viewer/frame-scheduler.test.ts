import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushDelay, frameScheduler } from './frame-scheduler';

describe('flushDelay', () => {
  it('does not wait after an update that fits in a frame', () => {
    expect(flushDelay(0, 100)).toBe(0);
    expect(flushDelay(5, 100)).toBe(0);
    expect(flushDelay(16, 100)).toBe(0);
  });
  it('waits twice the cost of an update longer than a frame', () => {
    expect(flushDelay(17, 100)).toBe(34);
    expect(flushDelay(30, 100)).toBe(60);
  });
  it('never waits more than the cap', () => {
    expect(flushDelay(60, 100)).toBe(100);
    expect(flushDelay(5_000, 100)).toBe(100);
  });
});

/** A page's clock, its animation frames and the MessageChannel that measures an update, by hand. */
function fakePage() {
  let now = 0;
  let frames: FrameRequestCallback[] = [];
  let timers: { at: number; fn: () => void }[] = [];
  /** what the next flush costs: the clock moves this much between the frame and the message */
  let updateCost = 0;
  class Channel {
    port1: { onmessage: (() => void) | null } = { onmessage: null };
    port2 = { postMessage: () => { now += updateCost; this.port1.onmessage?.(); } };
  }
  vi.stubGlobal('performance', { now: () => now });
  vi.stubGlobal('MessageChannel', Channel);
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
  vi.stubGlobal('setTimeout', (fn: () => void, ms: number) => timers.push({ at: now + ms, fn }));
  return {
    set cost(ms: number) { updateCost = ms; },
    /** runs the frame callbacks asked for so far, at `t` */
    frame(t: number) {
      now = t;
      const run = frames;
      frames = [];
      for (const cb of run) cb(t);
    },
    /** moves the clock to `t`, firing the timers due */
    advance(t: number) {
      now = t;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      for (const x of due) x.fn();
    },
    get pendingFrames() { return frames.length; },
    get timers() { return timers.map((x) => x.at); },
  };
}

describe('frameScheduler', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('flushes on the next frame after a cheap update, and waits twice the cost of an expensive one', () => {
    const page = fakePage();
    const schedule = frameScheduler(100);
    const flushed: number[] = [];
    page.cost = 10;
    schedule(() => flushed.push(1));
    expect(page.pendingFrames).toBe(1); // nothing measured yet: the next frame
    page.frame(16); // the flush costs 10 ms, less than a frame: the next goes on the next frame
    expect(flushed).toEqual([1]);
    schedule(() => flushed.push(2));
    expect(page.pendingFrames).toBe(1);
    expect(page.timers).toEqual([]);
    page.cost = 40; // an expensive update: it ends at 73
    page.frame(33);
    expect(flushed).toEqual([1, 2]);
    schedule(() => flushed.push(3));
    expect(page.pendingFrames).toBe(0);
    expect(page.timers).toEqual([153]); // 73 + 2 × 40
    page.advance(153);
    expect(page.pendingFrames).toBe(1);
    page.cost = 400; // a very slow one: the wait is capped at 100 ms
    page.frame(160);
    schedule(() => flushed.push(4));
    expect(page.timers).toEqual([660]); // 560 + 100
  });

  it('asks for the frame at once when the wait has already passed', () => {
    const page = fakePage();
    const schedule = frameScheduler(100);
    page.cost = 20;
    schedule(() => undefined);
    page.frame(16); // ends at 36, next allowed at 76
    page.advance(80);
    schedule(() => undefined);
    expect(page.pendingFrames).toBe(1);
    expect(page.timers).toEqual([]);
  });
});
