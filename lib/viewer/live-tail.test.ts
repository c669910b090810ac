import { describe, expect, it } from 'vitest';
import type { Line } from '@/lib/contracts';
import { LiveTail } from './live-tail';

const lines = (from: number, to: number): Line[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ n: from + i, ts: 0, stream: 'out' as const, text: `l${from + i}` }));

function manual() {
  const queued: (() => void)[] = [];
  const tail = new LiveTail((f) => queued.push(f), 10);
  return { tail, runFrame: () => queued.splice(0).forEach((f) => f()), queued };
}

describe('LiveTail', () => {
  it('batches many pushes into one flush per frame and notifies once', () => {
    const { tail, runFrame, queued } = manual();
    let notified = 0;
    tail.subscribe(() => notified++);
    tail.push('s', lines(1, 3));
    tail.push('s', lines(4, 5));
    tail.push('t', lines(7, 7));
    expect(queued).toHaveLength(1);
    expect(tail.get('s', 1)).toBeUndefined();
    runFrame();
    expect(notified).toBe(1);
    expect(tail.getVersion()).toBe(1);
    expect(tail.get('s', 5)?.text).toBe('l5');
    expect(tail.lineCounts().get('t')).toBe(7);
    expect(tail.covers('s', 1, 5)).toBe(true);
    expect(tail.covers('s', 1, 6)).toBe(false);
  });

  it('ignores duplicates, restarts the run on a gap, and keeps a bounded run', () => {
    const { tail, runFrame } = manual();
    tail.push('s', lines(1, 5));
    tail.push('s', lines(3, 6));
    runFrame();
    expect(tail.covers('s', 1, 6)).toBe(true);
    tail.push('s', lines(9, 9));
    runFrame();
    expect(tail.get('s', 6)).toBeUndefined();
    expect(tail.get('s', 9)?.text).toBe('l9');
    tail.push('s', lines(10, 40));
    runFrame();
    expect(tail.lineCounts().get('s')).toBe(40);
    expect(tail.get('s', 40)?.n).toBe(40);
    expect(tail.get('s', 9)).toBeUndefined();
    expect(tail.covers('s', 31, 40)).toBe(true);
  });

  it('a flush with only duplicates changes nothing', () => {
    const { tail, runFrame } = manual();
    tail.push('s', lines(1, 2));
    runFrame();
    const counts = tail.lineCounts();
    tail.push('s', lines(1, 2));
    runFrame();
    expect(tail.getVersion()).toBe(1);
    // The counts are React's snapshot of the tail: the same map until lines are added.
    expect(tail.lineCounts()).toBe(counts);
    tail.push('s', lines(3, 3));
    runFrame();
    expect(tail.lineCounts()).not.toBe(counts);
    expect(counts.get('s')).toBe(2);
  });
});
