import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadHandles } from './read-handles';

let dir: string;
const files: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'read-handles-'));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, `f${i}`);
    await writeFile(file, `file ${i}`);
    files.push(file);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const readAll = (handles: ReadHandles, file: string) =>
  handles.with(file, async (h) => {
    const buffer = Buffer.alloc(16);
    const { bytesRead } = await h.read(buffer, 0, 16, 0);
    return buffer.subarray(0, bytesRead).toString();
  });

describe('ReadHandles', () => {
  it('reads every file right with fewer handles than files, and after closeAll', async () => {
    const handles = new ReadHandles(2);
    for (let round = 0; round < 3; round++) {
      const got = await Promise.all(files.map((f) => readAll(handles, f)));
      expect(got).toEqual(files.map((_, i) => `file ${i}`));
    }
    handles.closeAll();
    expect(await readAll(handles, files[0] as string)).toBe('file 0');
    handles.closeAll();
  });

  it('never closes a handle a reader is still using', async () => {
    const handles = new ReadHandles(1);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = handles.with(files[0] as string, async (h) => {
      await gate;
      const buffer = Buffer.alloc(6);
      await h.read(buffer, 0, 6, 0);
      return buffer.toString();
    });
    // push the first file out of the cache while its reader waits
    for (const f of files.slice(1)) await readAll(handles, f);
    handles.closeAll();
    release();
    expect(await slow).toBe('file 0');
  });

  it('reports a missing file and does not keep it', async () => {
    const handles = new ReadHandles(2);
    await expect(readAll(handles, path.join(dir, 'missing'))).rejects.toThrow();
    await writeFile(path.join(dir, 'missing'), 'now here');
    expect(await readAll(handles, path.join(dir, 'missing'))).toBe('now here');
    handles.closeAll();
  });
});
