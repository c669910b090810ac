import { describe, expect, it } from 'vitest';
import { diffLogs } from '../diff';
import type { LineDiff } from '../hunks';
import { DIFF_ENTRY_OVERHEAD_BYTES, DiffCache } from './cache';

/** A diff with `changes` changed lines out of `lines` (one hunk per change, two around each). */
async function diffWith(changes: number, lines = 100): Promise<LineDiff> {
  const base = Array.from({ length: lines }, (_, i) => `line ${i}`);
  const every = Math.floor(lines / changes);
  const head = base.map((line, i) => (i % every === 1 ? `${line} changed` : line));
  return diffLogs([base], [head]);
}

describe('DiffCache', () => {
  it('keeps entries within its byte budget, dropping the least recently used', async () => {
    const diff = await diffWith(5);
    const cost = diff.bytes + DIFF_ENTRY_OVERHEAD_BYTES;
    const cache = new DiffCache(cost * 3);
    cache.set('a', 'slot-a', { diff });
    cache.set('b', 'slot-b', { diff });
    cache.set('c', 'slot-c', { diff });
    expect(cache.bytes).toBe(cost * 3);
    expect(cache.get('a')?.diff).toBe(diff); // a is now the most recent: b goes next
    cache.set('d', 'slot-d', { diff });
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(cost * 3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every(Boolean)).toBe(true);
  });

  it('measures entries by their hunk list: a bigger diff takes more of the budget', async () => {
    const small = await diffWith(1);
    const big = await diffWith(200, 2000); // 401 hunks: past the hunk list's first allocation
    expect(big.bytes).toBeGreaterThan(small.bytes);
    const cache = new DiffCache(big.bytes + small.bytes + 2 * DIFF_ENTRY_OVERHEAD_BYTES);
    cache.set('s1', 's1', { diff: small });
    cache.set('b', 'b', { diff: big });
    expect(cache.size).toBe(2);
    cache.set('s2', 's2', { diff: small }); // over budget: the oldest (s1) goes, then still over: b goes
    expect(cache.get('s1')).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(big.bytes + small.bytes + 2 * DIFF_ENTRY_OVERHEAD_BYTES);
    expect(cache.get('s2')).toBeDefined();
  });

  it('does not keep a diff larger than the whole budget', async () => {
    const diff = await diffWith(5);
    const cache = new DiffCache(diff.bytes);
    cache.set('a', 'a', { diff });
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('a slot keeps only its latest diff (a live step that grew supersedes the shorter one)', async () => {
    const first = await diffWith(1);
    const grown = await diffWith(2);
    const cache = new DiffCache();
    cache.set('slot#10:10', 'slot', { diff: first });
    expect(cache.latest('slot')?.diff).toBe(first);
    cache.set('slot#12:10', 'slot', { diff: grown });
    expect(cache.get('slot#10:10')).toBeUndefined();
    expect(cache.latest('slot')?.diff).toBe(grown);
    expect(cache.size).toBe(1);
    expect(cache.latest('other')).toBeUndefined();
  });
});
