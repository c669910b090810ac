import 'server-only';
import path from 'node:path';
import { open, readFile, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { plainText } from '../../ansi/plain';
import type { Line } from '../../contracts';
import { MAX_RANGE_LIMIT } from '../../contracts/lines';
import { isErrno } from './fs-util';

/**
 * A step's search sidecar: `<step>.txt` holds the plain text of every line (lib/ansi/plain.ts
 * `plainText` of the stored, already masked text: escape codes gone, `\n` shown as `␊`), one line
 * per `\n`, in UTF-8 (a lone surrogate becomes U+FFFD, one code unit like it, so offsets hold);
 * `<step>.tix` is its sparse line index, the byte offset (u64 LE) of lines 1, 1+EVERY, 1+2·EVERY…
 * (EVERY = 256: a first use checks at most 256 lines of the tail; 8 bytes per 256 lines)
 * Search scans it with `Buffer.indexOf` / a regexp over large blocks (lib/search/sidecar-scan.ts)
 * and turns a byte offset into a line number with one index lookup and fewer than EVERY `\n`.
 *
 * It is derived data, written at ingest without fsync: the lines file stays the truth. So the
 * sidecar is only ever trusted as a prefix of the step: when first used in a process it is cut
 * to the line count the caller knows is committed (a crash may have left lines that the journal
 * never acknowledged, or a torn tail), an append that does not follow its last line leaves it
 * lagging, and a search extends a lagging (or missing: a step written before sidecars existed)
 * sidecar from the lines file before scanning it.
 *
 * Line updates (issue 13): the store rewrites a step's tail (its screen, ≤ SCREEN_ROWS lines) and
 * hands the lines from the first updated one on to `append`, which cuts the sidecar back to before
 * that line and writes them again, so search sees the current text. A rewrite during a catch-up
 * marks the sidecar dirty from that line, and the catch-up re-reads from there. A scan that runs
 * while a rewrite changes the tail may read a mix of old and new text for those last lines (each
 * line is still one `\n`-ended line, so line numbers hold); the next search sees the new text.
 */
export const SIDECAR_INDEX_EVERY = 256;
const ENTRY_BYTES = 8;
/** Read size while counting lines in the sidecar (recovery, locating a line): bounded memory. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Sidecars whose state (a few numbers and ~8 bytes per 1024 lines) a store keeps in memory. */
const MAX_OPEN_SIDECARS = 4096;

/** Lines `from`..`from+count-1` of the step, as stored (the catch-up reads them through the store). */
export type ReadStepLines = (from: number, count: number) => Promise<Line[]>;

/** What a search scans: lines 1..`lines` of a step's sidecar. */
export interface SidecarView {
  path: string;
  /** the same text, ASCII letters lowercased (same offsets) */
  lower: string;
  lines: number;
  /** byte offset just after line `lines` */
  bytes: number;
  /** byte offsets of lines 1, 1+EVERY, … (those ≤ `lines`) */
  index: number[];
}

export function sidecarPaths(linesPath: string): { text: string; index: string; lower: string } {
  const base = linesPath.replace(/\.lines$/, '');
  return { text: `${base}.txt`, index: `${base}.tix`, lower: `${base}.low` };
}

/**
 * `<step>.low` is `<step>.txt` with ASCII letters lowercased, byte for byte (UTF-8 sequences
 * have no byte below 0x80, so they are untouched and every offset is the same): the default,
 * case-insensitive search of an ASCII literal is a `Buffer.indexOf` of the lowercased needle
 * in it, as fast as a case-sensitive one. It always has the length of the checked `.txt`.
 */
export function asciiLower(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] ?? 0;
    out[i] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
  }
  return out;
}

async function appendBytes(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'a');
  try {
    let done = 0;
    while (done < data.length) done += (await handle.write(data, done, data.length - done, null)).bytesWritten;
  } finally {
    await handle.close();
  }
}

/** Makes `.low` as long as the first `bytes` of `.txt`: cut, or extended from `.txt`. */
async function syncLower(paths: { text: string; lower: string }, bytes: number): Promise<void> {
  let size = 0;
  try {
    size = (await stat(paths.lower)).size;
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  if (size > bytes) await truncate(paths.lower, bytes);
  if (size >= bytes) return;
  const handle = await open(paths.text, 'r');
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES * 4);
    for (let position = size; position < bytes; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, bytes - position), position);
      if (bytesRead === 0) break;
      await appendBytes(paths.lower, asciiLower(chunk.subarray(0, bytesRead)));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** The sidecar text of lines (each line's plain text and a `\n`) and where the indexed ones start. */
export function encodeSidecar(lines: readonly Line[], firstLine: number, startByte: number): { data: Buffer; index: number[] } {
  const parts: string[] = [];
  const index: number[] = [];
  let segment = '';
  let position = startByte;
  for (let i = 0; i < lines.length; i++) {
    const n = firstLine + i;
    if ((n - 1) % SIDECAR_INDEX_EVERY === 0) {
      if (segment !== '') {
        position += Buffer.byteLength(segment);
        parts.push(segment);
        segment = '';
      }
      index.push(position);
    }
    segment += `${plainText(lines[i]?.text ?? '')}\n`;
  }
  parts.push(segment);
  return { data: Buffer.from(parts.join('')), index };
}

function encodeIndex(offsets: readonly number[]): Buffer {
  const buffer = Buffer.alloc(offsets.length * ENTRY_BYTES);
  offsets.forEach((offset, i) => buffer.writeBigUInt64LE(BigInt(offset), i * ENTRY_BYTES));
  return buffer;
}

async function readIndex(file: string): Promise<number[]> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  const offsets: number[] = [];
  for (let i = 0; i + ENTRY_BYTES <= raw.length; i += ENTRY_BYTES) offsets.push(Number(raw.readBigUInt64LE(i)));
  return offsets;
}

async function openOrNull(file: string, flags: string): Promise<FileHandle | null> {
  try {
    return await open(file, flags);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/**
 * Walks whole lines from `start` (the start of line `line`) to `size`, stopping after line
 * `maxLine`. Returns the count of lines reached, the byte after the last whole one and the
 * start offsets of the indexed lines walked after `line`.
 */
async function walkLines(
  handle: FileHandle,
  start: number,
  line: number,
  size: number,
  maxLine: number,
): Promise<{ lines: number; bytes: number; index: number[] }> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  const index: number[] = [];
  let lines = line - 1;
  let bytes = start;
  let position = start;
  while (position < size && lines < maxLine) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK_BYTES, size - position), position);
    if (bytesRead === 0) break;
    let from = 0;
    for (let nl = buffer.indexOf(10, from); nl !== -1 && nl < bytesRead && lines < maxLine; nl = buffer.indexOf(10, from)) {
      lines++;
      if (lines > line && (lines - 1) % SIDECAR_INDEX_EVERY === 0) index.push(bytes);
      bytes = position + nl + 1;
      from = nl + 1;
    }
    position += bytesRead;
  }
  return { lines, bytes, index };
}

/** One step's sidecar and the serial queue of everything that changes it. */
class Sidecar {
  private loaded = false;
  private lines = 0;
  private bytes = 0;
  private index: number[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  /** A catch-up is running: appends meanwhile leave the sidecar lagging rather than wait. */
  private catchingUp = false;
  /**
   * The first line a rewrite (a line update, issue 13) changed while a catch-up ran: the catch-up
   * may have copied its old text, so it cuts the sidecar back to before it and reads it again.
   */
  private dirtyFrom = Infinity;

  constructor(private readonly paths: { text: string; index: string; lower: string }) {}

  get idle(): boolean {
    return this.pending === 0;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(fn, fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    void this.tail.then(() => this.pending--);
    return result;
  }

  /**
   * Reads the sidecar's state from disk, keeping at most `committed` lines: index entries that do
   * not start a line are dropped, the lines after the last good entry are counted, a torn or
   * unacknowledged tail is cut.
   */
  private async load(committed: number): Promise<void> {
    const handle = await openOrNull(this.paths.text, 'r');
    let size = 0;
    let onDisk: number[] = [];
    let index: number[] = [];
    let walked = { lines: 0, bytes: 0, index: [] as number[] };
    if (handle) {
      try {
        size = (await handle.stat()).size;
        onDisk = await readIndex(this.paths.index);
        index = onDisk.slice(0, Math.ceil(committed / SIDECAR_INDEX_EVERY));
        const byte = Buffer.alloc(1);
        while (index.length > 0) {
          const offset = index[index.length - 1] ?? 0;
          if (index.length === 1 ? offset === 0 : offset > 0 && offset <= size && (await handle.read(byte, 0, 1, offset - 1)).bytesRead === 1 && byte[0] === 10) break;
          index.pop();
        }
        const start = index[index.length - 1] ?? 0;
        const line = index.length > 0 ? (index.length - 1) * SIDECAR_INDEX_EVERY + 1 : 1;
        walked = await walkLines(handle, start, line, size, committed);
        if (index.length === 0 && walked.lines > 0) index.push(0);
        index.push(...walked.index);
      } finally {
        await handle.close();
      }
    }
    this.lines = walked.lines;
    this.bytes = walked.bytes;
    this.index = index;
    if (size > this.bytes) await truncate(this.paths.text, this.bytes);
    if (index.length !== onDisk.length || index.some((offset, i) => offset !== onDisk[i])) await writeFile(this.paths.index, encodeIndex(index));
    await syncLower(this.paths, this.bytes);
    this.loaded = true;
  }

  /** Cuts the sidecar to its first `lines` lines. */
  private async cut(lines: number): Promise<void> {
    if (lines >= this.lines) return;
    const bytes = await this.offsetOf(lines + 1);
    const entries = this.index.length;
    this.index = this.index.slice(0, Math.ceil(lines / SIDECAR_INDEX_EVERY));
    this.lines = lines;
    this.bytes = bytes;
    await truncate(this.paths.text, bytes);
    await truncate(this.paths.lower, bytes).catch((error: unknown) => {
      if (!isErrno(error, 'ENOENT')) throw error;
    });
    // a line update cuts within the last index block: the index keeps every entry
    if (this.index.length !== entries) await writeFile(this.paths.index, encodeIndex(this.index));
  }

  /** Byte offset where line `n` (1 ≤ n ≤ lines + 1) starts. */
  private async offsetOf(n: number): Promise<number> {
    if (n > this.lines) return this.bytes;
    const k = Math.floor((n - 1) / SIDECAR_INDEX_EVERY);
    const start = this.index[k] ?? 0;
    const first = k * SIDECAR_INDEX_EVERY + 1;
    if (first === n) return start;
    const handle = await open(this.paths.text, 'r');
    try {
      return (await walkLines(handle, start, first, this.bytes, n - 1)).bytes;
    } finally {
      await handle.close();
    }
  }

  private async write(lines: readonly Line[]): Promise<void> {
    const first = this.lines + 1;
    const { data, index } = encodeSidecar(lines, first, this.bytes);
    await appendBytes(this.paths.text, data);
    await appendBytes(this.paths.lower, asciiLower(data));
    if (index.length > 0) await appendBytes(this.paths.index, encodeIndex(index));
    this.index.push(...index);
    this.lines += lines.length;
    this.bytes += data.length;
  }

  /**
   * Ingest: `lines` were just stored (dense, ascending); `rewritten`: they start at a line the
   * step already had (a line update). Never throws: the sidecar is derived.
   */
  append(lines: readonly Line[], rewritten = false): Promise<void> {
    const first = lines[0]?.n;
    if (first === undefined) return Promise.resolve();
    if (this.catchingUp) {
      if (rewritten) this.dirtyFrom = Math.min(this.dirtyFrom, first);
      return Promise.resolve();
    }
    return this.run(async () => {
      if (!this.loaded) await this.load(first - 1);
      if (this.lines > first - 1) await this.cut(first - 1);
      if (this.lines === first - 1) await this.write(lines);
    }).catch(() => {
      this.loaded = false; // reload (and re-verify) on next use
    });
  }

  /**
   * The sidecar covering lines 1..`count` (the step's committed count as the caller read it),
   * extended from the step's lines when it lags, until `deadline` (ms since the epoch). Its
   * `lines` is less than `count` when the deadline came first.
   */
  view(count: number, read: ReadStepLines, deadline: number): Promise<SidecarView> {
    return this.run(async () => {
      if (!this.loaded) await this.load(count);
      if (this.lines < count) {
        this.catchingUp = true;
        try {
          while (this.lines < count && Date.now() < deadline) {
            const lines = await read(this.lines + 1, Math.min(MAX_RANGE_LIMIT, count - this.lines));
            if (lines.length === 0 || lines[0]?.n !== this.lines + 1) break;
            await this.write(lines);
            if (this.dirtyFrom <= this.lines) await this.cut(this.dirtyFrom - 1);
            this.dirtyFrom = Infinity;
          }
        } finally {
          this.catchingUp = false;
          if (this.dirtyFrom <= this.lines) await this.cut(this.dirtyFrom - 1);
          this.dirtyFrom = Infinity;
        }
      }
      const lines = Math.min(count, this.lines);
      return {
        path: this.paths.text,
        lower: this.paths.lower,
        lines,
        bytes: await this.offsetOf(lines + 1),
        index: this.index.slice(0, Math.ceil(lines / SIDECAR_INDEX_EVERY)),
      };
    });
  }
}

/** A file store's sidecars (one store owns its directory, so one writer per sidecar). */
export class Sidecars {
  private readonly open = new Map<string, Sidecar>();

  constructor(private readonly linesPath: (jobId: string, stepId: string) => string) {}

  private get(jobId: string, stepId: string): Sidecar {
    const file = this.linesPath(jobId, stepId);
    let sidecar = this.open.get(file);
    if (sidecar) {
      this.open.delete(file); // Map order is the LRU order
    } else {
      sidecar = new Sidecar(sidecarPaths(file));
      if (this.open.size >= MAX_OPEN_SIDECARS) {
        for (const [key, old] of this.open) {
          if (this.open.size < MAX_OPEN_SIDECARS) break;
          if (old.idle) this.open.delete(key);
        }
      }
    }
    this.open.set(file, sidecar);
    return sidecar;
  }

  /**
   * The file store's append path: `lines` were just written to the step's lines file;
   * `rewritten`: from a line it already had (a line update rewrote the tail from there).
   */
  append(jobId: string, stepId: string, lines: readonly Line[], rewritten = false): Promise<void> {
    return this.get(jobId, stepId).append(lines, rewritten);
  }

  /** Drops the sidecars of files under `dir` (a deleted job's directory). */
  forgetUnder(dir: string): void {
    for (const key of [...this.open.keys()]) if (key.startsWith(dir + path.sep)) this.open.delete(key);
  }

  /** See Sidecar.view. */
  view(jobId: string, stepId: string, count: number, read: ReadStepLines, deadline: number): Promise<SidecarView> {
    return this.get(jobId, stepId).view(count, read, deadline);
  }
}
