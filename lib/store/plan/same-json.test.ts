import { describe, expect, it } from 'vitest';
import { sameJson } from './same-json';

describe('sameJson', () => {
  it.each([
    { name: 'equal scalars', a: 1, b: 1, same: true },
    { name: 'different scalars', a: 'a', b: 'b', same: false },
    { name: 'null and object', a: null, b: {}, same: false },
    { name: 'key order ignored', a: { x: 1, y: [1, { p: 2, q: 3 }] }, b: { y: [1, { q: 3, p: 2 }], x: 1 }, same: true },
    { name: 'undefined member is absent', a: { x: 1, internal: undefined }, b: { x: 1 }, same: true },
    { name: 'false is not absent', a: { x: 1, internal: false }, b: { x: 1 }, same: false },
    { name: 'array order matters', a: [1, 2], b: [2, 1], same: false },
    { name: 'array length', a: [1], b: [1, 1], same: false },
    { name: 'array vs object', a: [], b: {}, same: false },
  ])('$name', ({ a, b, same }) => {
    expect(sameJson(a, b)).toBe(same);
    expect(sameJson(b, a)).toBe(same);
  });
});
