import { describe, expect, it } from 'vitest';
import { JOB_LIST_EVENT_SCHEMAS, type JobSummary } from '../contracts';
import { eachTempFileStore } from '../../test/support/temp-file-store';
import type { JobFilter, LogStore } from '../store/types';
import { JOB_LIST_QUEUE_BYTES } from '../limits';
import { JobListHub, type ListStreamOptions } from './job-list-feed';
import { sseMessages } from './test-sse-events';

let store: LogStore;
let seq = 0;
eachTempFileStore('job-list-feed', (opened) => (store = opened));

type ListEvent = { event: 'page'; jobs: JobSummary[]; next: string | null } | { event: 'upsert'; job: JobSummary } | { event: 'remove'; id: string };

/** A job list stream read back as its events, one chunk at a time as they are asked for. */
async function* listEvents(response: Response): AsyncGenerator<ListEvent> {
  for await (const batch of sseMessages(response)) {
    for (const message of batch) {
      const data: unknown = JSON.parse(message.data);
      if (message.event === 'page') yield { event: 'page', ...JOB_LIST_EVENT_SCHEMAS.page.parse(data) };
      else if (message.event === 'upsert') yield { event: 'upsert', ...JOB_LIST_EVENT_SCHEMAS.upsert.parse(data) };
      else if (message.event === 'remove') yield { event: 'remove', ...JOB_LIST_EVENT_SCHEMAS.remove.parse(data) };
      else throw new Error(`unexpected event ${message.event}`);
    }
  }
}

async function open(hub: JobListHub, filter: JobFilter, signal: AbortSignal, extra: Partial<ListStreamOptions> = {}) {
  const events = listEvents(await hub.open({ filter, limit: 10, signal, ...extra }));
  const first = await events.next();
  if (first.done || first.value.event !== 'page') throw new Error('a stream starts with its page');
  return { page: first.value, events };
}

/** Reads events until one satisfies `found` (the test timeout bounds a hang). */
async function next(events: AsyncGenerator<ListEvent>, found: (e: ListEvent) => boolean): Promise<ListEvent> {
  for (;;) {
    const step = await events.next();
    if (step.done) throw new Error('the stream ended');
    if (found(step.value)) return step.value;
  }
}

const newId = (tag: string) => `${tag}-${++seq}`;

describe('JobListHub', () => {
  it('sends the page, then new jobs, their changes and removals, one watcher for every viewer', async () => {
    const hub = new JobListHub(store);
    const controller = new AbortController();
    const run = newId('run');
    const old = newId('old');
    await store.putJob(old, { title: 'Old', labels: { run } }, { tokenHash: 'x' });
    const all = await open(hub, { labels: { run } }, controller.signal);
    const failed = await open(hub, { labels: { run }, status: 'failure' }, controller.signal);
    expect(all.page.jobs.map((j) => j.id)).toEqual([old]);
    expect(failed.page.jobs).toEqual([]);
    expect(hub.stats()).toEqual({ watchers: 1, viewers: 2 });

    const id = newId('live');
    await store.putJob(id, { title: 'Live', labels: { run } }, { tokenHash: 'x' });
    expect(await next(all.events, (e) => e.event === 'upsert' && e.job.id === id)).toMatchObject({ job: { status: 'running', title: 'Live' } });
    await store.append(id, 'a', { lines: [{ n: 1, ts: 1, stream: 'out', text: 'x' }] });
    expect(await next(all.events, (e) => e.event === 'upsert' && e.job.id === id && e.job.lineCount === 1)).toBeTruthy();
    await store.complete(id, 'failure');
    expect(await next(failed.events, (e) => e.event === 'upsert')).toMatchObject({ job: { id, status: 'failure' } });
    expect(await next(all.events, (e) => e.event === 'upsert' && e.job.status === 'failure')).toMatchObject({ job: { id } });
    await store.deleteJob(id);
    expect(await next(all.events, (e) => e.event === 'remove')).toEqual({ event: 'remove', id });
    expect(await next(failed.events, (e) => e.event === 'remove')).toEqual({ event: 'remove', id });
    controller.abort();
  });

  it('never sends a job outside the reader\'s reach, nor a removal of one', async () => {
    const hub = new JobListHub(store);
    const controller = new AbortController();
    const run = newId('reach');
    const mine = await open(hub, { labels: { run }, visible: { labels: { team: 'a' } } }, controller.signal);
    const other = newId('other');
    await store.putJob(other, { labels: { run, team: 'b' } }, { tokenHash: 'x' });
    await store.deleteJob(other);
    const own = newId('own');
    await store.putJob(own, { labels: { run, team: 'a' } }, { tokenHash: 'x' });
    // the first event it gets is its own job: nothing of the other team's came before it
    expect((await mine.events.next()).value).toMatchObject({ event: 'upsert', job: { id: own } });
    controller.abort();
  });

  it('an older page (before) updates its own jobs and adds no new ones', async () => {
    const hub = new JobListHub(store);
    const controller = new AbortController();
    const run = newId('older');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(newId(`older-${i}`));
      await store.putJob(ids[i]!, { labels: { run } }, { tokenHash: 'x' });
    }
    const first = await store.listJobs({ labels: { run }, limit: 2 });
    const older = await open(hub, { labels: { run } }, controller.signal, { limit: 2, before: first.next! });
    expect(older.page.jobs.map((j) => j.id)).toEqual([ids[0]]);
    await store.putJob(newId('newer'), { labels: { run } }, { tokenHash: 'x' });
    await store.complete(ids[0]!, 'success');
    expect((await older.events.next()).value).toMatchObject({ event: 'upsert', job: { id: ids[0], status: 'success' } });
    controller.abort();
  });

  it('ends the stream of a reader that does not keep up once its waiting changes pass the byte budget', async () => {
    const hub = new JobListHub(store);
    const controller = new AbortController();
    const run = newId('slow');
    // a reader that never reads: its page and every change wait for it
    const response = await hub.open({ filter: { labels: { run } }, limit: 10, signal: controller.signal });
    const kept = await open(hub, { labels: { run } }, controller.signal);
    const big = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v'.repeat(256)]));
    const count = Math.ceil(JOB_LIST_QUEUE_BYTES / (30 * 280)) + 20; // more than the budget holds
    // the reader that keeps up reads all along, and gets every one
    const seen = new Set<string>();
    const readUntil = async (total: number) => {
      while (seen.size < total) {
        const event = await next(kept.events, (e) => e.event === 'upsert');
        if (event.event === 'upsert') seen.add(event.job.id);
      }
    };
    const ids: string[] = [];
    const create = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = newId('big');
        ids.push(id);
        await store.putJob(id, { labels: { run, ...big } }, { tokenHash: 'x' });
      }
    };
    // past the budget, then more in a later batch: the slow reader still holds the first ones
    let reading = readUntil(count);
    await create(count);
    await reading;
    reading = readUntil(count + 5);
    await create(5);
    await reading;
    expect([...seen].sort()).toEqual([...ids].sort());
    // the slow one was ended: what it reads now stops, holding far from everything
    let upserts = 0;
    for await (const event of listEvents(response)) if (event.event === 'upsert') upserts++;
    expect(upserts).toBeLessThan(count + 5);
    expect(hub.stats().viewers).toBe(1);
    controller.abort();
  });

  it('a bad page cursor is an error before any stream', async () => {
    const hub = new JobListHub(store);
    await expect(hub.open({ filter: {}, limit: 5, before: 'nope', signal: new AbortController().signal })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
