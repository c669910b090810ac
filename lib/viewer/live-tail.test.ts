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

const text = (n: number, t: string): Line => ({ n, ts: 0, stream: 'out', text: t });

describe('LiveTail redraws (update events)', () => {
  it('replaces held lines in order with new lines, in one flush, and tells the replace listeners once per step', () => {
    const { tail, runFrame, queued } = manual();
    const told: { step: string; ns: number[]; texts: string[] }[] = [];
    tail.onReplace((step, ls) => told.push({ step, ns: ls.map((l) => l.n), texts: ls.map((l) => l.text) }));
    let notified = 0;
    tail.subscribe(() => notified++);
    tail.push('s', lines(1, 3));
    tail.update('s', [text(2, 'a'), text(3, 'b')]);
    tail.update('s', [text(2, 'c')]);
    tail.push('s', lines(4, 4));
    expect(queued).toHaveLength(1);
    runFrame();
    expect(notified).toBe(1);
    expect(tail.get('s', 2)?.text).toBe('c');
    expect(tail.get('s', 3)?.text).toBe('b');
    expect(tail.get('s', 4)?.text).toBe('l4');
    // the last text of each line, once
    expect(told).toEqual([{ step: 's', ns: [2, 3], texts: ['c', 'b'] }]);
  });

  it('a flush of redraws only bumps the version, not the line counts', () => {
    const { tail, runFrame } = manual();
    tail.push('s', lines(1, 3));
    runFrame();
    const counts = tail.lineCounts();
    const v = tail.getVersion();
    tail.update('s', [text(3, 'new')]);
    runFrame();
    expect(tail.getVersion()).toBe(v + 1);
    expect(tail.lineCounts()).toBe(counts);
    // the same text again is no change
    tail.update('s', [text(3, 'new')]);
    runFrame();
    expect(tail.getVersion()).toBe(v + 1);
  });

  it('a replayed lines event with newer text replaces the held line; with the same text it is a duplicate', () => {
    const { tail, runFrame } = manual();
    const told: number[] = [];
    tail.onReplace((_, ls) => told.push(...ls.map((l) => l.n)));
    tail.push('s', lines(1, 5));
    runFrame();
    tail.push('s', [...lines(4, 4), text(5, 'redrawn'), ...lines(6, 6)]);
    runFrame();
    expect(tail.get('s', 5)?.text).toBe('redrawn');
    expect(tail.get('s', 6)?.text).toBe('l6');
    expect(told).toEqual([5]);
  });

  it('keeps redraws of lines read by range (not in the run), bounded to the screen, and answers them', () => {
    const { tail, runFrame } = manual();
    const told: number[] = [];
    tail.onReplace((_, ls) => told.push(...ls.map((l) => l.n)));
    // the stream started after line 500: lines 1..500 came from range pages
    tail.push('s', lines(501, 502));
    runFrame();
    tail.update('s', [text(450, 'progress 50%')]);
    runFrame();
    expect(tail.get('s', 450)?.text).toBe('progress 50%');
    expect(told).toEqual([450]);
    // an update of a line outside the screen (older than the last SCREEN_ROWS) is passed on, not kept
    tail.update('s', [text(100, 'x')]);
    runFrame();
    expect(tail.get('s', 100)).toBeUndefined();
    expect(told).toEqual([450, 100]);
    // a replayed duplicate outside the run is kept only when on the screen and different
    tail.push('s', [text(449, 'y')]);
    runFrame();
    expect(tail.get('s', 449)?.text).toBe('y');
    // at most SCREEN_ROWS such lines per step: the oldest go first
    tail.update('s', Array.from({ length: 300 }, (_, i) => text(301 + i > 500 ? 0 : 301 + i, `r${i}`)).filter((l) => l.n > 0));
    runFrame();
    expect(tail.get('s', 500)?.text).toBe('r199');
    expect(tail.get('s', 301)).toBeUndefined();
  });

  it('a line appended to the run drops its redraw copy', () => {
    const { tail, runFrame } = manual();
    tail.update('s', [text(7, 'early')]);
    runFrame();
    expect(tail.get('s', 7)?.text).toBe('early');
    tail.push('s', lines(7, 8));
    runFrame();
    expect(tail.get('s', 7)?.text).toBe('l7');
  });
});
