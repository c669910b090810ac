import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Line } from '@/lib/contracts';
import { pageArray } from '@/lib/viewer/pages';
import { fetchLinePage } from './api';

const line = (n: number): Line => ({ n, ts: 0, stream: 'out', text: `line ${n}` });

/** A step of `total` lines behind `GET …/lines`, recording each `from`. */
function serveLines(total: number): number[] {
  const asked: number[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    const q = new URL(url, 'http://x').searchParams;
    const from = Number(q.get('from'));
    const limit = Number(q.get('limit'));
    asked.push(from);
    const lines: Line[] = [];
    for (let n = from; n < from + limit && n <= total; n++) lines.push(line(n));
    return new Response(JSON.stringify({ lines, last: total }), { headers: { 'content-type': 'application/json' } });
  });
  return asked;
}

describe('fetchLinePage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('completes a first-screen page with holes from its first gap, into a dense page', async () => {
    const asked = serveLines(10_000);
    const have = pageArray(0, [line(1), line(2), line(481), line(482)]);
    const page = await fetchLinePage('/api/v1', 'j', 'main', 0, undefined, have);
    expect(asked).toEqual([3]);
    expect(page).toHaveLength(500);
    expect(page.every((l, i) => l.n === i + 1)).toBe(true);
    expect(page[0]).toBe(have[0]);
  });

  it('reads a page without a held first line whole, and completes a short dense one from its end', async () => {
    const asked = serveLines(1_200);
    expect(await fetchLinePage('/api/v1', 'j', 'main', 1, undefined, pageArray(1, [line(700)]))).toHaveLength(500);
    expect(await fetchLinePage('/api/v1', 'j', 'main', 2, undefined, [line(1001), line(1002)])).toHaveLength(200);
    expect(asked).toEqual([501, 1003]);
  });
});
