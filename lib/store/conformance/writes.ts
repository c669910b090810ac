import { describe, expect, it } from 'vitest';
import { MAX_RANGE_LIMIT } from '../../contracts';
import { LineGapError } from '../../errors';
import { expectCode, collectToEnd, lineNumbers, stepOf, TOKEN, uniqueJobId, makeLines, withPeer, type Suite } from './suite';

export function describeJobsAndSteps(suite: Suite): void {
  describe('jobs and steps', () => {
    it('creates a job, then merges updates without recreating it', async () => {
      const { store } = suite;
      const id = uniqueJobId('create');
      const before = Date.now();
      const first = await store.putJob(id, { title: 'Build #1', labels: { repo: 'acme/web' }, steps: [{ id: 'build', name: 'Build' }] }, TOKEN);
      expect(first.created).toBe(true);
      expect(first.job).toMatchObject({ id, title: 'Build #1', labels: { repo: 'acme/web' }, status: 'running', endedAt: null });
      expect(first.job.createdAt).toBeGreaterThanOrEqual(before - 1000);
      expect(typeof first.job.cursor).toBe('string');
      expect(stepOf(first.job.steps, 'build')).toMatchObject({ name: 'Build', status: 'pending', lines: 0, startedAt: null, endedAt: null, groups: [] });

      const second = await store.putJob(id, { labels: { branch: 'main' }, steps: [{ id: 'test', internal: true }, { id: 'build', name: 'Compile' }] }, { tokenHash: 'b'.repeat(64) });
      expect(second.created).toBe(false);
      expect(second.job.title).toBe('Build #1');
      expect(second.job.labels).toEqual({ branch: 'main' });
      expect(second.job.steps.map((s) => s.id)).toEqual(['build', 'test']);
      expect(stepOf(second.job.steps, 'build').name).toBe('Compile');
      expect(stepOf(second.job.steps, 'test')).toMatchObject({ name: 'test', internal: true, status: 'pending' });

      const got = await store.getJob(id);
      expect(got).toMatchObject({ id, title: 'Build #1', labels: { branch: 'main' } });
      expect((await store.getJobPrivate(id))?.tokenHash).toBe(TOKEN.tokenHash);
    });

    it('stamps startedAt once and endedAt on a final status, emitting step events', async () => {
      const { store } = suite;
      const id = await suite.newJob('steps');
      const created = await store.putStep(id, 'lint', {});
      expect(created).toMatchObject({ id: 'lint', name: 'lint', parent: null, status: 'pending', startedAt: null, endedAt: null, lines: 0 });
      const running = await store.putStep(id, 'lint', { status: 'running', name: 'Lint', parent: null });
      expect(running.startedAt).toEqual(expect.any(Number));
      const again = await store.putStep(id, 'lint', { status: 'running' });
      expect(again.startedAt).toBe(running.startedAt);
      const done = await store.putStep(id, 'lint', { status: 'failure' });
      expect(done).toMatchObject({ status: 'failure', name: 'Lint', startedAt: running.startedAt });
      expect(done.endedAt).toBeGreaterThanOrEqual(running.startedAt ?? 0);

      const skipped = await store.putStep(id, 'deploy', { status: 'skipped', internal: true, parent: 'lint' });
      expect(skipped.startedAt).toEqual(expect.any(Number));
      expect(skipped.endedAt).toEqual(expect.any(Number));
      expect(skipped).toMatchObject({ internal: true, parent: 'lint' });

      await store.complete(id, 'failure');
      const events = await collectToEnd(store, id, null);
      const lintStatuses = events.flatMap((e) => (e.type === 'step' && e.step.id === 'lint' ? [e.step.status] : []));
      expect(lintStatuses).toContain('running');
      expect(lintStatuses[lintStatuses.length - 1]).toBe('failure');
      const job = await store.getJob(id);
      expect(stepOf(job?.steps ?? [], 'deploy')).toMatchObject({ status: 'skipped', internal: true });
    });

    it('keeps a step\'s declared marker dialect (PUT job steps[], PUT step)', async () => {
      const { store } = suite;
      const id = await suite.newJob('markers', { steps: [{ id: 'a', markers: 'github' }, { id: 'b' }] });
      await store.putStep(id, 'b', { markers: 'buildkite' });
      await store.append(id, 'a', { lines: makeLines(1, 1) });
      const steps = (await store.getJob(id))?.steps ?? [];
      expect(stepOf(steps, 'a').markers).toBe('github');
      expect(stepOf(steps, 'b').markers).toBe('buildkite');
      expect(await store.putStep(id, 'a', { markers: 'none' })).toMatchObject({ markers: 'none' });
    });

    it('moves a pending step to running on its first lines', async () => {
      const { store } = suite;
      const id = await suite.newJob('pending', { steps: [{ id: 'a' }] });
      await store.append(id, 'a', { lines: makeLines(1, 2) });
      const step = stepOf((await store.getJob(id))?.steps ?? [], 'a');
      expect(step.status).toBe('running');
      expect(step.startedAt).toEqual(expect.any(Number));
    });

    it('answers not_found for an unknown job, null from the getters', async () => {
      const { store } = suite;
      const id = uniqueJobId('missing');
      expect(await store.getJob(id)).toBeNull();
      expect(await store.getJobPrivate(id)).toBeNull();
      await expectCode(store.putStep(id, 's', {}), 'not_found');
      await expectCode(store.append(id, 's', { lines: makeLines(1, 1) }), 'not_found');
      await expectCode(store.readLines(id, 's', 1, 10), 'not_found');
      await expectCode(store.getStepState(id, 's'), 'not_found');
      await expectCode(store.addMasks(id, ['x']), 'not_found');
      await expectCode(store.complete(id, 'success'), 'not_found');
      await expectCode(collectToEnd(store, id, null), 'not_found');
      const known = await suite.newJob('nostep');
      await expectCode(store.readLines(known, 'nope', 1, 10), 'not_found');
      expect(await store.getStepState(known, 'nope')).toBeNull();
    });
  });
}

export function describeOrderingAndRanges(suite: Suite): void {
  describe('ordering and ranges', () => {
    it('appends in order and reads ranges: first, middle, past the end, capped limit', async () => {
      const { store } = suite;
      const id = await suite.newJob('ranges');
      const odd = ['', '\u001b[31mred\u001b[0m', 'tab\tand "quotes" \\ back', 'progress 10%\rprogress 100%', 'ünïcödé ✓ 🚀', '\u2028sep'];
      for (let from = 1; from <= 6000; from += 1500) {
        const r = await store.append(id, 'build', { lines: makeLines(from, from + 1499, (n) => (n <= odd.length ? (odd[n - 1] ?? '') : `line ${n}`)) });
        expect(r).toEqual({ accepted: 1500, duplicates: 0, last: from + 1499 });
      }
      const first = await store.readLines(id, 'build', 1, 10);
      expect(first.last).toBe(6000);
      expect(first.lines.map((l) => l.text).slice(0, odd.length)).toEqual(odd);
      expect(first.lines[0]).toEqual({ n: 1, ts: 1_700_000_000_001, stream: 'out', text: '' });
      const middle = await store.readLines(id, 'build', 3000, 5);
      expect(middle.lines).toEqual(makeLines(3000, 3004));
      const tail = await store.readLines(id, 'build', 5998, 100);
      expect(tail.lines.map((l) => l.n)).toEqual([5998, 5999, 6000]);
      const past = await store.readLines(id, 'build', 6001, 10);
      expect(past).toEqual({ lines: [], last: 6000 });
      const capped = await store.readLines(id, 'build', 1, MAX_RANGE_LIMIT * 2);
      expect(capped.lines).toHaveLength(MAX_RANGE_LIMIT);
      expect(capped.lines[MAX_RANGE_LIMIT - 1]?.n).toBe(MAX_RANGE_LIMIT);
      const job = await store.getJob(id);
      expect(stepOf(job?.steps ?? [], 'build')).toMatchObject({ lines: 6000, status: 'running', name: 'build' });
    });

    it('reads line 90,000 of a 100k-line step', async () => {
      const { store } = suite;
      const id = await suite.newJob('big');
      for (let from = 1; from <= 100_000; from += 10_000) await store.append(id, 'big', { lines: makeLines(from, from + 9_999) });
      const range = await store.readLines(id, 'big', 90_000, 3);
      expect(range).toEqual({ lines: makeLines(90_000, 90_002), last: 100_000 });
      const end = await store.readLines(id, 'big', 99_999, 10);
      expect(end.lines.map((l) => l.n)).toEqual([99_999, 100_000]);
    });
  });
}

export function describeIdempotentRetries(suite: Suite): void {
  describe('idempotent retries', () => {
    it('counts whole-batch and partially overlapping retries as duplicates', async () => {
      const { store } = suite;
      const id = await suite.newJob('retry');
      expect(await store.append(id, 's', { lines: makeLines(1, 10) })).toEqual({ accepted: 10, duplicates: 0, last: 10 });
      expect(await store.append(id, 's', { lines: makeLines(1, 10, () => 'changed') })).toEqual({ accepted: 0, duplicates: 10, last: 10 });
      expect(await store.append(id, 's', { lines: makeLines(6, 15) })).toEqual({ accepted: 5, duplicates: 5, last: 15 });
      const all = await store.readLines(id, 's', 1, 100);
      expect(all.lines).toEqual(makeLines(1, 15));
    });

    it('refuses gaps with the expected line, storing nothing of the batch', async () => {
      const { store } = suite;
      const id = await suite.newJob('gap');
      const atStart = await expectCode(store.append(id, 's', { lines: makeLines(2, 3) }), 'line_gap');
      expect(atStart).toBeInstanceOf(LineGapError);
      expect((atStart as LineGapError).expected).toBe(1);
      await store.append(id, 's', { lines: makeLines(1, 10) });
      const after = await expectCode(store.append(id, 's', { lines: makeLines(12, 14) }), 'line_gap');
      expect((after as LineGapError).expected).toBe(11);
      const inside = await expectCode(store.append(id, 's', { lines: [...makeLines(11, 12), ...makeLines(14, 15)] }), 'line_gap');
      expect((inside as LineGapError).expected).toBe(13);
      expect((await store.readLines(id, 's', 1, 100)).last).toBe(10);
      expect(await store.append(id, 's', { lines: makeLines(11, 11) })).toEqual({ accepted: 1, duplicates: 0, last: 11 });
    });

    it('stores each line exactly once when two callers append the same lines concurrently', async () => {
      const { store } = suite;
      const id = await suite.newJob('race');
      const [a, b, c] = await Promise.all([
        store.append(id, 's', { lines: makeLines(1, 300) }),
        store.append(id, 's', { lines: makeLines(1, 500) }),
        store.append(id, 's', { lines: makeLines(1, 300) }),
      ]);
      expect(a.accepted + b.accepted + c.accepted).toBe(500);
      expect(a.duplicates + b.duplicates + c.duplicates).toBe(600);
      const range = await store.readLines(id, 's', 1, 1000);
      expect(range.lines).toEqual(makeLines(1, 500));
      await store.complete(id, 'success');
      const events = await collectToEnd(store, id, null);
      expect(lineNumbers(events, 's')).toEqual(makeLines(1, 500).map((l) => l.n));
    });

    it('stores each line once when two instances append the same lines, whatever the delay', async (context) => {
      const { store: a } = suite;
      await withPeer(suite, context, async (b) => {
        const id = await suite.newJob('two');
        const results = await Promise.all([
          a.append(id, 's', { lines: makeLines(1, 1500) }),
          b.append(id, 's', { lines: makeLines(1, 1500) }),
          b.append(id, 's', { lines: makeLines(1, 2000) }),
        ]);
        expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(2000);
        // a partial overlap through the other instance
        expect(await a.append(id, 's', { lines: makeLines(1950, 2050) })).toEqual({ accepted: 50, duplicates: 51, last: 2050 });
        // a stale retry long after (b may cache a tail that is behind a's writes): still a duplicate
        await a.append(id, 's', { lines: makeLines(2051, 2100) });
        expect(await b.append(id, 's', { lines: makeLines(1900, 2100) })).toEqual({ accepted: 0, duplicates: 201, last: 2100 });
        expect((await b.readLines(id, 's', 1, 5000)).lines).toEqual(makeLines(1, 2100));
        const gap = b.append(id, 's', { lines: makeLines(2200, 2201) });
        await expect(gap).rejects.toMatchObject({ code: 'line_gap', expected: 2101 });
      });
    });
  });
}

export function describeStepData(suite: Suite): void {
  describe('groups, ingest state and masks', () => {
    it('keeps groups and ingest state, emitting a step event for groups', async () => {
      const { store } = suite;
      const id = await suite.newJob('groups');
      expect(await store.getStepState(id, 's')).toBeNull();
      const groups = [{ id: 'g1', name: 'Install', parent: null, start: 1, end: 3, startedAt: 1, endedAt: 2 }];
      await store.append(id, 's', { lines: makeLines(1, 3), groups, state: { open: ['g1'], style: { fg: 31 } } });
      expect(await store.getStepState(id, 's')).toEqual({ open: ['g1'], style: { fg: 31 } });
      await store.append(id, 's', { lines: makeLines(1, 3), state: { ignored: true } });
      expect(await store.getStepState(id, 's')).toEqual({ open: ['g1'], style: { fg: 31 } });
      const step = stepOf((await store.getJob(id))?.steps ?? [], 's');
      expect(step.groups).toEqual(groups);
      await store.complete(id, 'success');
      const events = await collectToEnd(store, id, null);
      const withGroups = events.find((e) => e.type === 'step' && e.step.groups.length === 1);
      expect(withGroups).toBeDefined();
      const firstStep = events.findIndex((e) => e.type === 'step' && e.step.id === 's');
      const firstLines = events.findIndex((e) => e.type === 'lines' && e.step === 's');
      expect(firstStep).toBeGreaterThanOrEqual(0);
      expect(firstStep).toBeLessThan(firstLines);
    });

    it('keeps masks', async () => {
      const { store } = suite;
      const id = await suite.newJob('masks');
      expect((await store.getJobPrivate(id))?.masks).toEqual([]);
      await store.addMasks(id, ['s3cr3t', 'hunter2']);
      await store.addMasks(id, ['hunter2', 'tok_abc']);
      const masks = (await store.getJobPrivate(id))?.masks ?? [];
      expect([...new Set(masks)].sort()).toEqual(['hunter2', 's3cr3t', 'tok_abc']);
    });
  });
}
