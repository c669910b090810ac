import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('KeyedLock', () => {
  it('runs work for one key strictly one after another', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string) =>
      lock.run('a', async () => {
        log.push(`${name}:start`);
        await tick();
        log.push(`${name}:end`);
      });
    await Promise.all([job('1'), job('2'), job('3')]);
    expect(log).toEqual(['1:start', '1:end', '2:start', '2:end', '3:start', '3:end']);
    expect(lock.size).toBe(0);
  });

  it('lets different keys run side by side and survives a failure', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const a = lock.run('a', async () => {
      log.push('a:start');
      await tick();
      throw new Error('boom');
    });
    const b = lock.run('b', async () => {
      log.push('b:start');
    });
    await expect(a).rejects.toThrow('boom');
    await b;
    expect(log.slice(0, 2)).toEqual(['a:start', 'b:start']);
    await expect(lock.run('a', async () => 7)).resolves.toBe(7);
    expect(lock.size).toBe(0);
  });
});
