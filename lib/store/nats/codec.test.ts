import { describe, expect, it } from 'vitest';
import { decodeLinesMessage, encodeJson, isMark, lastOf, toLinesMessage } from './codec';

describe('lines message codec', () => {
  it('round-trips a lines message with its masks version and byte count', () => {
    const message = { f: 4, l: [[1, 'o', 'a'], [2, 'e', 'bc']] as [number, 'o' | 'e', string][], st: { x: 1 }, mv: 3, b: 120 };
    const decoded = decodeLinesMessage(encodeJson(message));
    expect(decoded).toEqual(message);
    expect(lastOf(decoded)).toBe(5);
  });

  it('round-trips seals and fences with their masks version and byte count', () => {
    for (const mark of [{ seal: true, last: 7, st: null, mv: 2, b: 99 }, { seal: false, last: 7, st: null, mv: 3, b: 99 }]) {
      const decoded = decodeLinesMessage(encodeJson(mark));
      expect(decoded).toEqual(mark);
      expect(isMark(decoded) && decoded.seal).toBe(mark.seal);
      expect(lastOf(decoded)).toBe(7);
    }
  });

  it('reads messages written before the masks version and the byte count as 0 and none', () => {
    const lines = toLinesMessage({ f: 1, l: [[1, 'o', 'old']] });
    expect(lines).toEqual({ f: 1, l: [[1, 'o', 'old']], st: undefined, b: 0 });
    expect('mv' in lines).toBe(false);
    const seal = toLinesMessage({ seal: true, last: 1 });
    expect(seal).toEqual({ seal: true, last: 1, st: undefined, b: 0 });
  });

  it('refuses anything else', () => {
    expect(() => toLinesMessage({ seal: 'yes', last: 1 })).toThrow('malformed');
    expect(() => toLinesMessage(null)).toThrow('malformed');
  });
});
