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
