import 'server-only';
import path from 'node:path';
import { open, type FileHandle } from 'node:fs/promises';

/** Step files kept open for reading, per store: bounds the file descriptors range reads hold. */
export const MAX_OPEN_READ_HANDLES = 64;

interface Entry {
  handle: Promise<FileHandle>;
  users: number;
  /** dropped from the cache: closed when its last reader is done */
  dropped: boolean;
}

/**
 * Read-only handles of step files, reused across range reads (an `open` + `close` per read
 * cost more than the read itself). Files are append-only and never replaced, so a handle stays
 * valid; reads are positional, so concurrent readers share one. The least recently used idle
 * handles beyond MAX_OPEN_READ_HANDLES are closed; `closeAll` closes the rest.
 */
export class ReadHandles {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = MAX_OPEN_READ_HANDLES) {}

  /** Runs `fn` with an open handle of `file`. */
  async with<T>(file: string, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(file);
    if (entry) this.entries.delete(file);
    else entry = { handle: open(file, 'r'), users: 0, dropped: false };
    this.entries.set(file, entry); // most recently used last
    entry.users++;
    this.trim();
    try {
      let handle: FileHandle;
      try {
        handle = await entry.handle;
      } catch (error) {
        if (this.entries.get(file) === entry) this.entries.delete(file);
        entry.dropped = true;
        throw error;
      }
      return await fn(handle);
    } finally {
      entry.users--;
      if (entry.dropped && entry.users === 0) close(entry);
    }
  }

  private trim(): void {
    if (this.entries.size <= this.max) return;
    for (const [file, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (entry.users > 0) continue;
      this.entries.delete(file);
      entry.dropped = true;
      close(entry);
    }
  }

  /** Closes the handles of files under `dir` (a deleted job's directory). */
  closeUnder(dir: string): void {
    for (const [file, entry] of [...this.entries]) {
      if (!file.startsWith(dir + path.sep)) continue;
      this.entries.delete(file);
      entry.dropped = true;
      if (entry.users === 0) close(entry);
    }
  }

  /** Closes every handle (in-use ones when their reader is done). */
  closeAll(): void {
    for (const entry of this.entries.values()) {
      entry.dropped = true;
      if (entry.users === 0) close(entry);
    }
    this.entries.clear();
  }
}

function close(entry: Entry): void {
  entry.handle.then((h) => h.close()).catch(() => undefined);
}
