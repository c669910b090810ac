import { PAGE_SIZE } from './constants';

/** A page of one step's lines: lines `from`..`from + PAGE_SIZE - 1`. */
export interface PageRef {
  step: string;
  page: number;
}

export function pageOf(n: number): number {
  return Math.floor((n - 1) / PAGE_SIZE);
}

export function pageFirstLine(page: number): number {
  return page * PAGE_SIZE + 1;
}

/** Pages covering the runs, without duplicates, in order of appearance. */
export function pagesForRuns(runs: readonly { step: string; from: number; to: number }[]): PageRef[] {
  const seen = new Set<string>();
  const out: PageRef[] = [];
  for (const run of runs) {
    for (let p = pageOf(run.from); p <= pageOf(run.to); p++) {
      const id = `${run.step}\u0000${p}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ step: run.step, page: p });
    }
  }
  return out;
}

/**
 * The cached pages a set of replaced lines falls in (one step's lines, ascending), each with the
 * lines that land in it.
 */
export function replacementsByPage<T extends { n: number }>(lines: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const line of lines) {
    const p = pageOf(line.n);
    const list = out.get(p);
    if (list) list.push(line);
    else out.set(p, [line]);
  }
  return out;
}

/**
 * A cached page as an array indexed from the page's first line: line `n` at `n - pageFirstLine(page)`.
 * Read from the API it is dense (possibly short); the server's first screen seeds only the lines
 * its rows show (a collapsed group's lines are not read), so it may have holes.
 */
export function pageArray<T extends { n: number }>(page: number, lines: readonly T[]): T[] {
  const first = pageFirstLine(page);
  const out: T[] = [];
  for (const line of lines) {
    const i = line.n - first;
    if (i >= 0 && i < PAGE_SIZE) out[i] = line;
  }
  return out;
}

/** How many lines a cached page holds from its first one without a gap (where completing it starts). */
export function densePrefix<T extends { n: number }>(page: number, data: readonly T[]): number {
  const first = pageFirstLine(page);
  let k = 0;
  while (k < data.length && data[k]?.n === first + k) k++;
  return k;
}

/**
 * A page (see pageArray) with `lines` swapped in where it holds them: a new array when any text
 * changed, else null (the page, and so its rows, stay as they are). Lines the page does not hold
 * are left out: a later read returns their current text.
 */
export function replaceInPage<T extends { n: number; text: string; stream: string }>(page: readonly T[], lines: readonly T[]): T[] | null {
  let next: T[] | null = null;
  // the page's first line number, from any line it holds (the first screen's pages have holes)
  const at = page.findIndex((line) => line !== undefined);
  if (at < 0) return null;
  const base = page[at]!.n - at;
  for (const line of lines) {
    const i = line.n - base;
    const held = page[i];
    if (!held || held.n !== line.n || (held.text === line.text && held.stream === line.stream)) continue;
    next ??= page.slice();
    next[i] = line;
  }
  return next;
}
