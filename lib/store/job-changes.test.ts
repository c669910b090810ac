import { describe, expect, it } from 'vitest';
import { JobChangeQueue } from './job-changes';

describe('JobChangeQueue', () => {
  it('hands over each changed id once per read, resync first when lost', async () => {
    const queue = new JobChangeQueue(3);
    const controller = new AbortController();
    const it = queue.drain(controller.signal)[Symbol.asyncIterator]();
    queue.lost();
    expect((await it.next()).value).toEqual({ type: 'resync' });
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect((await it.next()).value).toEqual({ type: 'changed', jobs: ['a', 'b'] });
    const pending = it.next();
    queue.add('c');
    expect((await pending).value).toEqual({ type: 'changed', jobs: ['c'] });
    controller.abort();
    expect((await it.next()).done).toBe(true);
  });

  it('past its bound drops the ids and says resync instead', async () => {
    const queue = new JobChangeQueue(2);
    const it = queue.drain(new AbortController().signal)[Symbol.asyncIterator]();
    for (const id of ['a', 'b', 'c', 'd']) queue.add(id);
    expect((await it.next()).value).toEqual({ type: 'resync' });
    queue.add('e');
    expect((await it.next()).value).toEqual({ type: 'changed', jobs: ['e'] });
    queue.end();
    expect((await it.next()).done).toBe(true);
  });
});
