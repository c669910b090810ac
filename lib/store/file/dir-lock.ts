import 'server-only';
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * One process owns a file-store directory: the store's per-job ordering and caches live in its
 * memory, so a second server on the same directory would interleave journals. The lock is a
 * file holding the owner's pid; a lock whose process is gone (kill -9, power loss) is taken
 * over. Within one process a directory can be open once (until that store is closed).
 */
const LOCK_FILE = 'logscope.lock';
const openInProcess = new Set<string>();

export class DirectoryInUseError extends Error {
  constructor(dir: string, owner: string) {
    super(`the file store ${dir} is in use by ${owner}: run one Logscope server per data directory (or use postgres:// or nats:// for several)`);
    this.name = 'DirectoryInUseError';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory; resolves to its release function. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const root = path.resolve(dir);
  if (openInProcess.has(root)) throw new DirectoryInUseError(root, 'another store in this process');
  const lockPath = path.join(root, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      // Our own pid: a store of this process that was never closed (not open any more).
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new DirectoryInUseError(root, `process ${owner}`);
      }
      await unlink(lockPath).catch(() => undefined);
    }
  }
  openInProcess.add(root);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    openInProcess.delete(root);
    await unlink(lockPath).catch(() => undefined);
  };
}
