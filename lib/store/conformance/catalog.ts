import { describe, expect, it } from 'vitest';
import { collectToEnd, atoms, TOKEN, uniqueJobId, makeLines, type Suite } from './suite';

export function describeListJobs(suite: Suite): void {
  describe('listJobs', () => {
    it('lists newest first, pages with before, filters by status and q', async () => {
      const { store } = suite;
      const tag = `lst${Math.random().toString(36).slice(2, 8)}`;
      const ids: string[] = [];
      for (const letter of ['a', 'b', 'c', 'd', 'e']) {
        const id = uniqueJobId(`${tag}-${letter}`);
        ids.push(id);
        await store.putJob(id, { title: `Pipeline ${letter}`, labels: { team: letter === 'c' ? `Team-${tag.toUpperCase()}-X` : 'other' } }, TOKEN);
      }
      const [a, b, c, d, e] = ids as [string, string, string, string, string];
      await store.append(d, 's1', { lines: makeLines(1, 4) });
      await store.append(d, 's2', { lines: makeLines(1, 3) });
      await store.complete(b, 'failure');

      const pages: string[][] = [];
      let before: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.listJobs({ q: tag, limit: 2, before });
        expect(page.jobs.length).toBeLessThanOrEqual(2);
        pages.push(page.jobs.map((j) => j.id));
        if (!page.next) break;
        before = page.next;
      }
      expect(pages.flat()).toEqual([e, d, c, b, a]);
      expect(pages[0]).toEqual([e, d]);

      const all = await store.listJobs({ q: tag.toUpperCase(), limit: 50 });
      expect(all.jobs.map((j) => j.id)).toEqual([e, d, c, b, a]);
      expect(all.next).toBeNull();
      const summary = all.jobs.find((j) => j.id === d);
      expect(summary).toMatchObject({ id: d, title: 'Pipeline d', status: 'running', stepCount: 2, lineCount: 7, endedAt: null });
      expect(summary).not.toHaveProperty('steps');

      expect((await store.listJobs({ q: tag, status: 'failure', limit: 50 })).jobs.map((j) => j.id)).toEqual([b]);
      expect((await store.listJobs({ q: tag, status: 'running', limit: 50 })).jobs.map((j) => j.id)).toEqual([e, d, c, a]);
      expect((await store.listJobs({ q: `team-${tag}-x`, limit: 50 })).jobs.map((j) => j.id)).toEqual([c]);
      expect((await store.listJobs({ q: e.toUpperCase(), limit: 50 })).jobs.map((j) => j.id)).toEqual([e]);
      expect((await store.listJobs({ q: `${tag}-nothing-matches`, limit: 50 })).jobs).toEqual([]);
    });

    it('lists only the visible jobs (a reader\'s reach), pages and cursors included', async () => {
      const { store } = suite;
      const tag = `vis${Math.random().toString(36).slice(2, 8)}`;
      const ids: string[] = [];
      // interleaved: a page of 2 over all jobs would mix the teams
      for (let i = 0; i < 7; i++) {
        const id = uniqueJobId(`${tag}-${i}`);
        ids.push(id);
        const team = i % 2 === 0 ? 'acme' : 'other';
        await store.putJob(id, { title: `Job ${i}`, labels: { run: tag, team, ...(i === 4 ? { env: 'prod' } : {}) } }, TOKEN);
      }
      const newestFirst = [...ids].reverse();
      const acme = newestFirst.filter((_, k) => (ids.length - 1 - k) % 2 === 0);
      const walk = async (visible: { labels?: Record<string, string>; jobs?: string[] }, extra: { status?: 'running' } = {}) => {
        const seen: string[] = [];
        let before: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await store.listJobs({ q: tag, limit: 2, before, visible, ...extra });
          expect(page.jobs.length).toBeLessThanOrEqual(2);
          seen.push(...page.jobs.map((j) => j.id));
          if (!page.next) break;
          before = page.next;
        }
        return seen;
      };
      expect(await walk({ labels: { team: 'acme' } })).toEqual(acme);
      expect(await walk({ labels: { team: 'acme' } }, { status: 'running' })).toEqual(acme);
      expect(await walk({ labels: { team: 'acme', env: 'prod' } })).toEqual([ids[4]]);
      // a label must match exactly: not a substring, not another key's value, not a missing key
      expect(await walk({ labels: { team: 'acm' } })).toEqual([]);
      expect(await walk({ labels: { run: 'acme' } })).toEqual([]);
      expect(await walk({ labels: { nope: '' } })).toEqual([]);
      expect(await walk({ jobs: [ids[1]!, ids[4]!, 'not-a-job'] })).toEqual([ids[4], ids[1]]);
      expect(await walk({ jobs: [ids[1]!, ids[4]!], labels: { team: 'acme' } })).toEqual([ids[4]]);
      expect(await walk({ jobs: [] })).toEqual([]);
      // one page exactly as large as the visible jobs: no `next` that would lead to an empty page
      const exact = await store.listJobs({ q: tag, limit: acme.length, visible: { labels: { team: 'acme' } } });
      expect(exact.jobs.map((j) => j.id)).toEqual(acme);
      expect(exact.next).toBeNull();
    });
  });
}

export function describeReopen(suite: Suite): void {
  describe('reopen', () => {
    it('a fresh store instance on the same data sees everything', async (context) => {
      const own = await suite.factory();
      if (!own.reopen) {
        await own.cleanup();
        context.skip();
        return;
      }
      try {
        const first = own.store;
        const id = uniqueJobId('reopen');
        await first.putJob(id, { title: 'Reopened', labels: { k: 'v' }, steps: [{ id: 'a', name: 'A' }] }, TOKEN);
        await first.append(id, 'a', { lines: makeLines(1, 1200), state: { s: 1 }, groups: [{ id: 'g', name: 'G', parent: null, start: 1, end: 2, startedAt: null, endedAt: null }] });
        await first.addMasks(id, ['m1']);
        await first.putStep(id, 'b', { status: 'running', internal: true });
        const open = uniqueJobId('reopen-open');
        await first.putJob(open, {}, TOKEN);
        await first.append(open, 'x', { lines: makeLines(1, 10) });
        await first.complete(id, 'success');
        const before = await collectToEnd(first, id, null);
        const metaBefore = await first.getJob(id);
        await first.close();

        const second = await own.reopen();
        try {
          expect(await second.getJob(id)).toEqual(metaBefore);
          expect(await second.getJobPrivate(id)).toEqual({ tokenHash: TOKEN.tokenHash, masks: ['m1'] });
          expect(await second.getStepState(id, 'a')).toEqual({ s: 1 });
          expect((await second.readLines(id, 'a', 1100, 200)).lines).toEqual(makeLines(1100, 1200));
          const after = await collectToEnd(second, id, null);
          expect(after.map((e) => e.cursor)).toEqual(before.map((e) => e.cursor));
          expect(atoms(after)).toEqual(atoms(before));
          expect(await second.append(open, 'x', { lines: makeLines(5, 12) })).toEqual({ accepted: 2, duplicates: 6, last: 12 });
          const listed = await second.listJobs({ q: id, limit: 5 });
          expect(listed.jobs.map((j) => [j.id, j.status, j.lineCount])).toEqual([[id, 'success', 1200]]);
        } finally {
          await second.close();
        }
      } finally {
        await own.cleanup();
      }
    });
  });
}
