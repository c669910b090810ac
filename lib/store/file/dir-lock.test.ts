import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStore } from './index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file store directory lock', () => {
  it('lets one store own a directory until it is closed', async () => {
    const first = await createFileStore({ dir });
    expect((await readFile(path.join(dir, 'logscope.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await expect(createFileStore({ dir })).rejects.toThrow(/in use by another store in this process/);
    await first.close();
    const second = await createFileStore({ dir });
    await second.close();
  });

  it('refuses a directory held by a live process and takes over from a dead one', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(path.join(dir, 'logscope.lock'), `${sleeper.pid}\n`);
      await expect(createFileStore({ dir })).rejects.toThrow(new RegExp(`in use by process ${sleeper.pid}`));
    } finally {
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
    }
    // the owner is gone (as after kill -9): the next store takes the directory over
    const store = await createFileStore({ dir });
    expect((await readFile(path.join(dir, 'logscope.lock'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
  });
});
