import { describe, expect, it } from 'vitest';
import { decodeLinesMessage, encodeJson, isMark, isUpdate, lastBefore, lastOf, toLinesMessage, updatesOf } from './codec';

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

  it('round-trips update messages with produced and the batch start; lastBefore bounds later rewrites', () => {
    const message = { u: [[3, 9, 'e', 'redrawn'], [5, 9, 'o', '50%']] as [number, number, 'o' | 'e', string][], last: 8, lb: 6, st: { y: 2 }, mv: 1, b: 300, p: 12, us: 40 };
    const decoded = decodeLinesMessage(encodeJson(message));
    expect(decoded).toEqual(message);
    expect(isUpdate(decoded) && updatesOf(decoded)).toEqual([
      { n: 3, ts: 9, stream: 'err', text: 'redrawn' },
      { n: 5, ts: 9, stream: 'out', text: '50%' },
    ]);
    expect(lastOf(decoded)).toBe(8);
    expect(lastBefore(decoded)).toBe(6);
    // a lines message of a batch with updates names the batch's start; one without, its own
    expect(lastBefore(toLinesMessage({ f: 10, l: [[1, 'o', 'a']], lb: 6, p: 14 }))).toBe(6);
    expect(lastBefore(toLinesMessage({ f: 10, l: [[1, 'o', 'a']] }))).toBe(9);
    expect(lastBefore(toLinesMessage({ seal: false, last: 11, p: 15 }))).toBe(11);
    expect(toLinesMessage({ seal: false, last: 11, p: 15 })).toMatchObject({ p: 15 });
  });

  it('refuses anything else', () => {
    expect(() => toLinesMessage({ seal: 'yes', last: 1 })).toThrow('malformed');
    expect(() => toLinesMessage(null)).toThrow('malformed');
  });
});
