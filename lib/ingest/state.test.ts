import { describe, expect, it } from 'vitest';
import { finishStep, ingestLines, type RawLine } from './index';

const line = (n: number, text: string): RawLine => ({ n, ts: n, stream: 'out', text });

describe('ingest state', () => {
  it.each([
    ['a string', 'garbage'],
    ['a number', 42],
    ['a wrong version', { v: 2 }],
    ['a bad pen', { v: 1, pen: { flags: 9999, fg: -1, bg: -1, link: null }, groups: [], open: [], overflow: 0, lastTs: null }],
    ['a javascript: link', { v: 1, pen: { flags: 0, fg: -1, bg: -1, link: 'javascript:x' }, groups: [], open: [], overflow: 0, lastTs: null }],
    ['an open group pointing nowhere', { v: 1, pen: { flags: 0, fg: -1, bg: -1, link: null }, groups: [], open: [{ index: 3, kind: 'github', name: '' }], overflow: 0, lastTs: null }],
  ])('treats %s as the initial state', (_name, state) => {
    const out = ingestLines(state, [line(1, 'plain'), line(2, '::endgroup::')], []);
    expect(out.lines.map((l) => l.text)).toEqual(['plain', '::endgroup::']);
    expect(out.groups).toBeNull();
    expect(finishStep(state, 2, 2)).toBeNull();
  });

  it('is plain JSON and carries the pen between calls', () => {
    const first = ingestLines(null, [line(1, '\x1b[1;31mred')], []);
    const state = JSON.parse(JSON.stringify(first.state)) as unknown;
    expect(ingestLines(state, [line(2, 'more')], []).lines[0]?.text).toBe('\x1b[1m\x1b[31mmore\x1b[0m');
  });

  it('stays bounded with many groups and a long link', () => {
    const lines: RawLine[] = [line(1, `\x1b]8;;https://e.com/${'a'.repeat(5000)}\x1b\\x`)];
    for (let n = 2; n < 5000; n++) lines.push(line(n, n % 2 === 0 ? `::group::${'n'.repeat(500)}` : '::endgroup::'));
    const out = ingestLines(null, lines, []);
    expect(out.groups).toHaveLength(1000);
    expect(out.groups?.every((g) => g.name.length <= 200)).toBe(true);
    expect(JSON.stringify(out.state).length).toBeLessThan(400_000);
  });

  it('returns groups only when they changed', () => {
    const a = ingestLines(null, [line(1, '::group::A')], []);
    expect(a.groups).toHaveLength(1);
    const b = ingestLines(a.state, [line(2, 'x')], []);
    expect(b.groups).toBeNull();
    // an implicitly ended group ends at its last line's time (ts 2), not the step's end (7)
    expect(finishStep(b.state, 2, 7)).toEqual([{ id: 'g1', name: 'A', parent: null, start: 1, end: 2, startedAt: 1, endedAt: 2 }]);
    expect(finishStep(null, 0, 7)).toBeNull();
  });

  it('never mutates the state it is given (a failed append retries with the old state)', () => {
    const a = ingestLines(null, [line(1, '::group::A'), line(2, '\x1b[31mred')], []);
    const before = JSON.stringify(a.state);
    ingestLines(a.state, [line(3, '::endgroup::'), line(4, '\x1b[0m--- B')], []);
    finishStep(a.state, 4, 4);
    expect(JSON.stringify(a.state)).toBe(before);
  });

  it('keeps the dialect lock between calls; a state from before dialects is unlocked', () => {
    const a = ingestLines(null, [line(1, '::group::A')], []);
    expect(JSON.parse(JSON.stringify(a.state))).toMatchObject({ dialect: 'github' });
    const b = ingestLines(JSON.parse(JSON.stringify(a.state)) as unknown, [line(2, '--- B')], []);
    expect(b.groups).toBeNull();
    const old = { v: 1, pen: { flags: 0, fg: -1, bg: -1, link: null }, groups: [], open: [], overflow: 0, lastTs: null };
    expect(ingestLines(old, [line(1, '--- B')], []).groups).toMatchObject([{ name: 'B' }]);
    expect(ingestLines({ ...old, dialect: 'jenkins' }, [line(1, '--- B')], []).groups).toMatchObject([{ name: 'B' }]);
  });
});
