import { describe, expect, it } from 'vitest';
import { INITIAL_VIEW_STATE, revealLine } from './collapse';
import { MAX_WINDOW_ROWS, PAGE_SIZE } from './constants';
import { pageFirstLine, pageOf, pagesForRuns } from './pages';
import { buildRowModel, indexOfLine, lineRunsIn, rowAt } from './rows';
import { buildSections } from './sections';
import { step } from './test-helpers';
import { refitWindow, shiftWindow, windowAround, windowAtEnd, windowHasAfter, windowHasBefore } from './window';

describe('row windows', () => {
  const cases = [
    { name: 'small model: whole', total: 1000, target: 500, max: 100_000, want: { start: 0, size: 1000 } },
    { name: 'centred', total: 1_000_000, target: 600_000, max: 100_000, want: { start: 550_000, size: 100_000 } },
    { name: 'near the start', total: 1_000_000, target: 10, max: 100_000, want: { start: 0, size: 100_000 } },
    { name: 'near the end', total: 1_000_000, target: 999_999, max: 100_000, want: { start: 900_000, size: 100_000 } },
    { name: 'target out of range clamps', total: 1_000_000, target: 5_000_000, max: 100_000, want: { start: 900_000, size: 100_000 } },
  ];
  it.each(cases)('$name', ({ total, target, max, want }) => {
    expect(windowAround(total, target, max)).toEqual(want);
  });

  it('pages, refits and follows the end', () => {
    const w = windowAround(1_000_000, 0, 100_000);
    expect(windowHasBefore(w)).toBe(false);
    expect(windowHasAfter(w, 1_000_000)).toBe(true);
    const next = shiftWindow(w, 1_000_000, 1, 100_000);
    expect(next).toEqual({ start: 50_000, size: 100_000 });
    expect(shiftWindow(next, 1_000_000, -1, 100_000)).toEqual({ start: 0, size: 100_000 });
    expect(refitWindow({ start: 950_000, size: 100_000 }, 1_000_000, 100_000)).toEqual({ start: 900_000, size: 100_000 });
    expect(refitWindow({ start: 40, size: 100_000 }, 900, 100_000)).toEqual({ start: 0, size: 900 });
    expect(windowAtEnd(1_200_000, 100_000)).toEqual({ start: 1_100_000, size: 100_000 });
  });
});

describe('opening a 1M-line step at line 900,000', () => {
  const sections = buildSections([step('setup', 20, 'success'), step('huge', 1_000_000, 'success'), step('tail', 5, 'success')]);
  const state = revealLine(INITIAL_VIEW_STATE, sections[1]!, 900_000);
  const model = buildRowModel(sections, state);
  const target = indexOfLine(model, 'huge', 900_000)!;
  const win = windowAround(model.total, target);

  it('keeps the list under the browser height cap and contains the line', () => {
    expect(model.total).toBe(1_000_000 + 3);
    expect(win.size).toBe(MAX_WINDOW_ROWS);
    expect(win.start).toBeLessThanOrEqual(target);
    expect(win.start + win.size).toBeGreaterThan(target);
    expect(rowAt(model, win.start + (target - win.start))).toMatchObject({ kind: 'line', n: 900_000 });
  });

  it('fetches only the pages around the line', () => {
    const screen = 60;
    const runs = lineRunsIn(model, target - screen, target + screen);
    const pages = pagesForRuns(runs);
    // Line 900,000 ends a page, so the screen around it spans exactly two pages.
    expect(pages).toEqual([
      { step: 'huge', page: pageOf(900_000) },
      { step: 'huge', page: pageOf(900_000) + 1 },
    ]);
    expect(pageFirstLine(pageOf(900_000))).toBe(900_000 - ((900_000 - 1) % PAGE_SIZE));
  });
});

describe('pages', () => {
  it('aligns and dedupes', () => {
    expect(pageOf(1)).toBe(0);
    expect(pageOf(PAGE_SIZE)).toBe(0);
    expect(pageOf(PAGE_SIZE + 1)).toBe(1);
    expect(
      pagesForRuns([
        { step: 'a', from: 1, to: PAGE_SIZE + 1 },
        { step: 'a', from: 3, to: 4 },
        { step: 'b', from: 1, to: 1 },
      ]),
    ).toEqual([
      { step: 'a', page: 0 },
      { step: 'a', page: 1 },
      { step: 'b', page: 0 },
    ]);
  });
});
