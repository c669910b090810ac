import { describe, expect, it } from 'vitest';
import type { Line } from '@/lib/contracts';
import { replaceInPage, replacementsByPage } from './pages';

const line = (n: number, text = `l${n}`): Line => ({ n, ts: 0, stream: 'out', text });

describe('replacing redrawn lines in cached pages', () => {
  it('groups one step\'s lines by aligned page', () => {
    const by = replacementsByPage([line(499), line(500), line(501), line(1200)]);
    expect([...by.entries()].map(([p, ls]) => [p, ls.map((l) => l.n)])).toEqual([
      [0, [499, 500]],
      [1, [501]],
      [2, [1200]],
    ]);
  });

  it('swaps the held lines into a new array and leaves the others (same objects)', () => {
    const page = [line(501), line(502), line(503)];
    const next = replaceInPage(page, [line(502, 'new'), line(700, 'not held')]);
    expect(next).not.toBeNull();
    expect(next).not.toBe(page);
    expect(next!.map((l) => l.text)).toEqual(['l501', 'new', 'l503']);
    expect(next![0]).toBe(page[0]);
    expect(page[1]!.text).toBe('l502');
  });

  it('answers null when nothing changed (a short page, the same text, an empty page)', () => {
    expect(replaceInPage([line(1), line(2)], [line(3, 'x')])).toBeNull();
    expect(replaceInPage([line(1), line(2)], [line(2)])).toBeNull();
    expect(replaceInPage([], [line(1, 'x')])).toBeNull();
  });
});
