import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, type KeyInput } from './shortcuts';

const key = (k: string, over: Partial<KeyInput> = {}): KeyInput => ({ key: k, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, typing: false, ...over });

describe('shortcutFor', () => {
  it.each([
    [key('?', { shiftKey: true }), 'help'],
    [key('/'), 'search'],
    [key('F3'), 'next-match'],
    [key('F3', { shiftKey: true }), 'prev-match'],
    [key('F3', { typing: true }), 'next-match'],
    [key('/', { typing: true }), null],
    [key('?', { typing: true, shiftKey: true }), null],
    [key('/', { ctrlKey: true }), null],
    [key('F3', { altKey: true }), null],
    [key('x'), null],
    [key('e'), 'next-error'],
    [key('E', { shiftKey: true }), 'prev-error'],
    [key('e', { typing: true }), null],
    [key('e', { ctrlKey: true }), null],
    [key('F', { shiftKey: true }), 'filter-matches'],
    [key('F', { shiftKey: true, typing: true }), null],
    [key('f'), null],
    [key('T', { shiftKey: true }), 'timestamps'],
    [key('T'), null],
    [key('t'), null],
    [key('T', { shiftKey: true, typing: true }), null],
    [key('w'), 'wrap'],
    [key('W', { shiftKey: true }), null],
    [key('w', { typing: true }), null],
    [key('w', { metaKey: true }), null],
    [key('j', { inLog: true }), 'line-next'],
    [key('ArrowDown', { inLog: true }), 'line-next'],
    [key('k', { inLog: true }), 'line-prev'],
    [key('ArrowUp', { inLog: true }), 'line-prev'],
    [key(']', { inLog: true }), 'section-next'],
    [key('J', { inLog: true, shiftKey: true }), 'section-next'],
    [key('[', { inLog: true }), 'section-prev'],
    [key('K', { inLog: true, shiftKey: true }), 'section-prev'],
    [key('Home', { inLog: true }), 'first-row'],
    [key('End', { inLog: true }), 'last-row'],
    [key('PageDown', { inLog: true }), 'page-next'],
    // outside the log the keys keep their usual meaning
    [key('j'), null],
    [key('ArrowDown'), null],
    [key('End'), null],
    [key('j', { inLog: true, typing: true }), null],
    [key('ArrowDown', { inLog: true, ctrlKey: true }), null],
  ] as const)('%o → %s', (input, want) => {
    expect(shortcutFor(input)).toBe(want);
  });

  it('has one entry per id and a label and description for each', () => {
    const ids = SHORTCUTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SHORTCUTS) expect(s.label && s.description && s.keys.length).toBeTruthy();
  });

  it('no two shortcuts fire on the same key press', () => {
    for (const a of SHORTCUTS)
      for (const b of SHORTCUTS) {
        if (a === b) continue;
        const shared = a.keys.filter((k) => b.keys.includes(k));
        if (shared.length === 0) continue;
        expect(a.shift !== undefined && b.shift !== undefined && a.shift !== b.shift, `${a.id} and ${b.id} share ${shared.join()}`).toBe(true);
      }
  });
});
