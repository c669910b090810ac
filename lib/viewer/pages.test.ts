import { describe, expect, it } from 'vitest';
import type { Line } from '@/lib/contracts';
import { densePrefix, pageArray, replaceInPage, replacementsByPage } from './pages';

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

describe('pages the first screen seeds with holes', () => {
  it('places each line at its index from the page\'s first line, leaving holes', () => {
    const page = pageArray(2, [line(1001), line(1002), line(1480)]);
    expect(page.length).toBe(480);
    expect(page[0]!.n).toBe(1001);
    expect(page[479]!.n).toBe(1480);
    expect(2 in page).toBe(false);
    // lines outside the page are not placed
    expect(pageArray(0, [line(501)]).length).toBe(0);
  });

  it('counts the lines held without a gap from the first: where completing the page starts', () => {
    expect(densePrefix(2, pageArray(2, [line(1001), line(1002), line(1480)]))).toBe(2);
    expect(densePrefix(0, pageArray(0, [line(3)]))).toBe(0);
    expect(densePrefix(0, [line(1), line(2), line(3)])).toBe(3);
    expect(densePrefix(0, [])).toBe(0);
  });

  it('replaces a redrawn line in a page with holes, and only where it is held', () => {
    const page = pageArray(0, [line(2), line(480)]);
    const next = replaceInPage(page, [line(480, 'new'), line(3, 'not held')]);
    expect(next![479]!.text).toBe('new');
    expect(2 in next!).toBe(false);
    expect(next![1]).toBe(page[1]);
  });
});
