import { describe, expect, it } from 'vitest';
import type { GlobalSearchResult } from '../../contracts/search';
import { ScanBudget } from '../../search/budget';
import { searchAll, type GlobalSearchOptions } from '../../search/global-search';
import { inThreadRunner } from '../../search/pool';
import { makeLines, type Suite } from './suite';

/**
 * Global search through the store (lib/search/global-search.ts: the file store's sidecars, the
 * range API elsewhere): following `next` pages through every match exactly once, in order,
 * whether a page ends at `limit` or where the scan budget stopped it.
 */
export function describeSearch(suite: Suite): void {
  describe('global search', () => {
    it('pages through every match with `next`: no match twice, none skipped', async () => {
      const { store } = suite;
      const tag = `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const term = `needle${tag}`;
      const want: [string, string, number][] = [];
      const ids: string[] = [];
      for (let j = 0; j < 4; j++) {
        const id = await suite.newJob(`search-${j}`, { labels: { run: tag } });
        ids.push(id);
        for (const step of ['a', 'b']) {
          const hit = (n: number) => j !== 2 && (n % 9 === (j + step.length) % 9 || n === 1 || n === 40);
          await store.append(id, step, { lines: makeLines(1, 40, (n) => (hit(n) ? `x ${n} \x1b[31m${term.toUpperCase()}\x1b[0m ${n}` : `quiet ${n}`)) });
        }
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      for (const id of [...ids].reverse()) {
        for (const step of ['a', 'b']) {
          const j = ids.indexOf(id);
          for (let n = 1; n <= 40; n++) if (j !== 2 && (n % 9 === (j + step.length) % 9 || n === 1 || n === 40)) want.push([id, step, n]);
        }
      }
      const options = (more: Partial<GlobalSearchOptions>): GlobalSearchOptions => ({ q: term, regex: false, caseSensitive: false, limit: 1000, label: `run:${tag}`, ...more });
      const key = (r: GlobalSearchResult) => r.matches.map((m): [string, string, number] => [m.job, m.step, m.n]);

      const all = await searchAll(store, options({}), undefined, inThreadRunner);
      expect(key(all)).toEqual(want);
      expect(all).toMatchObject({ total: want.length, truncated: false });
      expect(all.next).toBeUndefined();

      // Pages cut by `limit`, then pages cut by the scan budget (a few lines each).
      for (const page of [{ limit: 7 }, { limit: 1000, lines: 25 }, { limit: 2, lines: 33 }]) {
        const seen: [string, string, number][] = [];
        let cursor: string | undefined;
        for (let round = 0; round < 200; round++) {
          const budget = 'lines' in page ? new ScanBudget(page.lines) : undefined;
          const result = await searchAll(store, options({ limit: page.limit, cursor }), budget, inThreadRunner);
          expect(result.matches[0]?.line.text).toBe(result.matches[0] ? `x ${result.matches[0].n} \x1b[31m${term.toUpperCase()}\x1b[0m ${result.matches[0].n}` : undefined);
          seen.push(...key(result));
          if (result.next === undefined) {
            expect(result.truncated).toBe(false);
            break;
          }
          expect(result.truncated).toBe(true);
          cursor = result.next;
        }
        expect([page, seen]).toEqual([page, want]);
      }
    });

    it('searches only what the reader may read: visible jobs, readable steps; counts hold nothing else', async () => {
      const { store } = suite;
      const tag = `v${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      const term = `secret${tag}`;
      const ids: string[] = [];
      for (let j = 0; j < 4; j++) {
        const id = await suite.newJob(`vsearch-${j}`, { labels: { run: tag, team: j % 2 === 0 ? 'acme' : 'other' } });
        ids.push(id);
        for (const step of ['a', 'b']) await store.append(id, step, { lines: makeLines(1, 6, (n) => (n % 2 === 0 ? `${term} ${n}` : `quiet ${n}`)) });
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      const base: GlobalSearchOptions = { q: term, regex: false, caseSensitive: false, limit: 1000, label: `run:${tag}` };
      const key = (r: GlobalSearchResult) => r.matches.map((m) => `${m.job}/${m.step}/${m.n}`);
      const linesOf = (id: string, steps: string[]) => steps.flatMap((step) => [2, 4, 6].map((n) => `${id}/${step}/${n}`));
      for (const regex of [false, true]) {
        const acme = await searchAll(store, { ...base, regex, visible: { labels: { team: 'acme' } } }, undefined, inThreadRunner);
        expect(key(acme)).toEqual([...linesOf(ids[2]!, ['a', 'b']), ...linesOf(ids[0]!, ['a', 'b'])]);
        expect(acme).toMatchObject({ total: 12, truncated: false, scannedJobs: 2 });
        // a step link: its job is visible, only its step is read
        const stepOnly = await searchAll(
          store,
          { ...base, regex, visible: { jobs: [ids[1]!] }, mayReadStep: (job, step) => job.id === ids[1] && step === 'b' },
          undefined,
          inThreadRunner,
        );
        expect(key(stepOnly)).toEqual(linesOf(ids[1]!, ['b']));
        expect(stepOnly).toMatchObject({ total: 3, truncated: false, scannedJobs: 1 });
        const nothing = await searchAll(store, { ...base, regex, visible: { jobs: [] } }, undefined, inThreadRunner);
        expect(nothing).toMatchObject({ matches: [], total: 0, truncated: false, scannedJobs: 0 });
        // paged by `limit`: the cursor walks the visible jobs only
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let round = 0; round < 20; round++) {
          const page = await searchAll(store, { ...base, regex, limit: 5, cursor, visible: { labels: { team: 'other' } } }, undefined, inThreadRunner);
          seen.push(...key(page));
          if (page.next === undefined) break;
          cursor = page.next;
        }
        expect(seen).toEqual([...linesOf(ids[3]!, ['a', 'b']), ...linesOf(ids[1]!, ['a', 'b'])]);
      }
    });

    it('refuses a cursor it did not give', async () => {
      await expect(searchAll(suite.store, { q: 'x', regex: false, caseSensitive: false, limit: 5, cursor: 'bm9wZQ' }, undefined, inThreadRunner)).rejects.toMatchObject({ code: 'bad_request' });
    });
  });
}
