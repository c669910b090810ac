import { describe, expect, it } from 'vitest';
import { SlotQueue } from './slots';

describe('SlotQueue', () => {
  const full = () => new Error('full');

  it('lends free slots, queues callers past them, and refuses past the queue', async () => {
    const q = new SlotQueue(['a', 'b'], 1, full);
    const first = await q.acquire();
    const second = await q.acquire();
    expect([first, second].sort()).toEqual(['a', 'b']);
    const waiting = q.acquire();
    expect(q.saturated()).toBe(true);
    await expect(q.acquire()).rejects.toThrow('full');
    q.release(first);
    await expect(waiting).resolves.toBe(first);
    expect(q.free()).toEqual([]);
  });

  it('gives a released slot to the longest-waiting caller first, else back to the free ones', async () => {
    const q = new SlotQueue(['only'], 2, full);
    const slot = await q.acquire();
    const order: string[] = [];
    const one = q.acquire().then((s) => order.push(`one:${s}`));
    const two = q.acquire().then((s) => order.push(`two:${s}`));
    q.release(slot);
    await one;
    q.release(slot);
    await two;
    expect(order).toEqual(['one:only', 'two:only']);
    q.release(slot);
    expect(q.free()).toEqual(['only']);
    expect(q.saturated()).toBe(false);
  });
});
