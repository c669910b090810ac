import { describe, expect, it } from 'vitest';
import { Interner, IntVec, lineKey } from './intern';

describe('Interner', () => {
  it('gives equal texts one symbol and different texts different ones, across table growth', () => {
    const interner = new Interner();
    const symbols = Array.from({ length: 200_000 }, (_, i) => interner.intern(`line ${i}`));
    expect(symbols.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(interner.size).toBe(200_000);
    for (let i = 199_999; i >= 0; i -= 997) expect(interner.intern(`line ${i}`)).toBe(i);
    expect(interner.intern('')).toBe(200_000);
    expect(interner.intern('')).toBe(200_000);
    expect(interner.size).toBe(200_001);
  });
  it('keeps 8 bytes of key and at most ~11.5 bytes of table per distinct line (after doubling: 16 + 11.5)', () => {
    const interner = new Interner();
    for (let i = 0; i < 100_000; i++) interner.intern(`x${i}`);
    expect(interner.bytes).toBeLessThanOrEqual(100_000 * (16 + 4 / 0.35));
  });
  it('lineKey: 64 bits that differ for near-identical lines', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 100_000; i++) keys.add(lineKey(`build step ${i} ok`).join(':'));
    expect(keys.size).toBe(100_000);
    expect(lineKey('ab')).not.toEqual(lineKey('ba'));
    expect(lineKey('a')).toEqual(lineKey('a'));
    for (const lane of lineKey('x')) expect(lane >>> 0).toBe(lane);
  });
});

describe('IntVec', () => {
  it('grows by doubling and views its values without copying', () => {
    const vec = new IntVec(2);
    for (let i = 0; i < 1000; i++) vec.push(i * 3);
    expect(vec.length).toBe(1000);
    expect(vec.get(999)).toBe(2997);
    expect(Array.from(vec.view().subarray(0, 3))).toEqual([0, 3, 6]);
    expect(vec.bytes).toBe(1024 * 4);
  });
});
