import 'server-only';
import { open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** A stored record (a JSON line) longer than this means the file is corrupt, not a big line. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

async function writeAll(handle: FileHandle, data: Buffer, position: number | null): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position === null ? null : position + done);
    done += bytesWritten;
  }
}

/** Appends `data` and returns only once it is on disk (datasync). */
export async function appendDurable(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'a');
  try {
    await writeAll(handle, data, null);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Opens `target` with `flags` and fsyncs it. */
async function openAndSync(target: string, flags: 'r' | 'w'): Promise<void> {
  const handle = await open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function fsyncDir(dir: string): Promise<void> {
  return openAndSync(dir, 'r');
}

/** Replaces `file` atomically: write a temp file, fsync it, rename over, fsync the directory. */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await writeAll(handle, Buffer.from(data), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await fsyncDir(path.dirname(file));
}

/** Creates (or empties) `file` durably. */
export function createEmptyDurable(file: string): Promise<void> {
  return openAndSync(file, 'w');
}

export async function truncateDurable(file: string, length: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface RawRecord {
  /** byte offset of the record's first byte */
  offset: number;
  /** byte offset just after its `\n` */
  next: number;
  text: string;
}

/**
 * Newline-terminated records in [start, end) of a file, read in bounded chunks: never the whole
 * file in memory. A trailing fragment without `\n` (a torn write) is not yielded.
 */
export async function* readRecords(handle: FileHandle, start: number, end: number): AsyncGenerator<RawRecord> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let position = start;
  let recordStart = start;
  while (position < end) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK_BYTES, end - position), position);
    if (bytesRead === 0) return;
    const chunk = buffer.subarray(0, bytesRead);
    let from = 0;
    const texts: RawRecord[] = [];
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const text = carryBytes > 0 ? Buffer.concat([...carry, piece]).toString('utf8') : piece.toString('utf8');
      carry = [];
      carryBytes = 0;
      const next = position + nl + 1;
      texts.push({ offset: recordStart, next, text });
      recordStart = next;
      from = nl + 1;
    }
    if (from < bytesRead) {
      carry.push(Buffer.from(chunk.subarray(from)));
      carryBytes += bytesRead - from;
      if (carryBytes > MAX_RECORD_BYTES) throw new Error('file store: record too long (corrupt file?)');
    }
    position += bytesRead;
    // Yield after the chunk is split: the shared buffer is reused by the next read.
    for (const record of texts) yield record;
  }
}
