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

    it('filters by labels (every one, exactly), creation time and text, before paging', async () => {
      const { store } = suite;
      const tag = `flt${Math.random().toString(36).slice(2, 8)}`;
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const id = uniqueJobId(`${tag}-${i}`);
        ids.push(id);
        const labels: Record<string, string> = { run: tag, repo: i % 3 === 0 ? 'acme/api' : 'acme/web', env: i % 2 === 0 ? 'prod' : 'dev' };
        if (i === 4) labels.image = 'node:20';
        await store.putJob(id, { title: `Filtered ${i}`, labels }, TOKEN);
      }
      await store.complete(ids[6]!, 'failure');
      const newestFirst = [...ids].reverse();
      const walk = async (extra: Omit<Parameters<typeof store.listJobs>[0], 'limit' | 'before'>) => {
        const seen: string[] = [];
        let before: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await store.listJobs({ labels: { run: tag }, limit: 2, before, ...extra, ...(extra.labels ? { labels: { run: tag, ...extra.labels } } : {}) });
          expect(page.jobs.length).toBeLessThanOrEqual(2);
          seen.push(...page.jobs.map((j) => j.id));
          if (!page.next) break;
          before = page.next;
        }
        return seen;
      };
      expect(await walk({})).toEqual(newestFirst);
      // two labels: ANDed, each exact (not a substring, not another key's value)
      expect(await walk({ labels: { repo: 'acme/api', env: 'prod' } })).toEqual([ids[6], ids[0]]);
      expect(await walk({ labels: { repo: 'acme' } })).toEqual([]);
      expect(await walk({ labels: { env: 'acme/api' } })).toEqual([]);
      expect(await walk({ labels: { image: 'node:20' } })).toEqual([ids[4]]);
      expect(await walk({ labels: { repo: 'acme/api' }, status: 'failure' })).toEqual([ids[6]]);
      expect(await walk({ labels: { repo: 'acme/api' }, q: 'filtered 3' })).toEqual([ids[3]]);
      // with a reader's visibility too: both apply
      expect(await walk({ labels: { env: 'prod' }, visible: { labels: { repo: 'acme/web' } } })).toEqual([ids[8], ids[4], ids[2]]);
      // creation time: [createdAfter, createdBefore)
      const listed = (await store.listJobs({ labels: { run: tag }, limit: 50 })).jobs;
      const at = new Map(listed.map((j) => [j.id, j.createdAt]));
      const cut = at.get(ids[5]!)!;
      const expectAfter = newestFirst.filter((id) => at.get(id)! >= cut);
      const expectBefore = newestFirst.filter((id) => at.get(id)! < cut);
      expect(expectAfter).toContain(ids[5]);
      expect(await walk({ createdAfter: cut })).toEqual(expectAfter);
      expect(await walk({ createdBefore: cut })).toEqual(expectBefore);
      expect(await walk({ createdAfter: at.get(ids[2]!)!, createdBefore: cut })).toEqual(newestFirst.filter((id) => at.get(id)! >= at.get(ids[2]!)! && at.get(id)! < cut));
      expect(await walk({ createdAfter: Date.now() + 3_600_000 })).toEqual([]);
    });

    it('pages past 100 jobs with a filter: every job once, newest first', async () => {
      const { store } = suite;
      const tag = `pg1${Math.random().toString(36).slice(2, 8)}`;
      const ids: string[] = [];
      for (let i = 0; i < 120; i += 10) {
        ids.push(...(await Promise.all(Array.from({ length: 10 }, async (_, k) => {
          const id = uniqueJobId(`${tag}-${String(i + k).padStart(3, '0')}`);
          await store.putJob(id, { labels: { run: tag, odd: String((i + k) % 2) } }, TOKEN);
          return id;
        }))));
      }
      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      for (let guard = 0; guard < 10; guard++) {
        const page = await store.listJobs({ labels: { run: tag }, limit: 50, before });
        pages++;
        seen.push(...page.jobs.map((j) => j.id));
        if (!page.next) break;
        before = page.next;
      }
      expect(pages).toBe(3);
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(120);
      // the pages are the one listing's order, cut in three
      const listed = (await store.listJobs({ labels: { run: tag }, limit: 200 })).jobs;
      expect(listed.map((j) => j.id)).toEqual(seen);
      const odd = (await store.listJobs({ labels: { run: tag, odd: '1' }, limit: 40 }));
      expect(odd.jobs).toHaveLength(40);
      expect(odd.jobs.every((j) => j.labels.odd === '1')).toBe(true);
      const rest = await store.listJobs({ labels: { run: tag, odd: '1' }, limit: 40, before: odd.next ?? undefined });
      expect(rest.jobs).toHaveLength(20);
      expect(rest.next).toBeNull();
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
