import 'server-only';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { lineSchema, type Line } from '../../contracts';
import { lineBytes } from '../../limits';
import type { ReadHandles } from './read-handles';
import { appendDurable, fsyncDir, isErrno, readRecords, truncateDurable, writeFileAtomic } from './fs-util';

/**
 * One step's lines: `<step>.lines` is append-only NDJSON of {n, ts, stream, text}, lines 1..N
 * in order; `<step>.idx` is a sparse index, the byte offset (u64 LE) of lines 1, 1+EVERY,
 * 1+2·EVERY, … So line n is found by one index lookup and a scan of fewer than EVERY lines.
 * The index is kept in memory too (8 bytes per EVERY lines: ~8 KB for a million lines).
 *
 * Line updates (issue 13, AppendBatch.updates) rewrite the file's tail in place: updates only
 * name lines within the step's screen (its last SCREEN_ROWS lines), so `rewrite` reads the lines
 * from the first updated one to the end (≤ SCREEN_ROWS records), writes them back with the new
 * text (and the batch's new lines after them) and fixes the index entries past that point. Reads
 * stay one index lookup, the file holds each line once (no overlay, no growth per redraw), and a
 * rewrite costs O(bytes of the screen's tail), at most SCREEN_ROWS × the largest line.
 * - Concurrent readers: a rewrite waits for the reads in flight and holds new ones back
 *   (ScreenLock, in-process: one process owns the directory) while the tail changes.
 * - Crash safety: before touching the tail, the old bytes go to `<step>.undo` (synced), tagged
 *   with the rewrite's number (`rev`, per step) and where the batch's journal records start. The
 *   journal record that acknowledges the batch carries the same `rev`; a store that finds an undo
 *   whose rev the journal never acknowledged puts the old bytes back (rollbackUndo) and cuts the
 *   batch's records off the journal, so an unacknowledged redraw leaves no trace.
 */
export const INDEX_EVERY = 1024;
const INDEX_ENTRY_BYTES = 8;

/** Bytes read at once by a range read: a 200-line range at an index point is one read. */
const READ_BLOCK_BYTES = 256 * 1024;
/** A stored record longer than this means the file is corrupt (a 1 MiB line escaped is < 7 MiB). */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** A record we wrote (encodeLine), checked by shape without the schema: the hot path of reads. */
function decodeLine(text: string): Line | null {
  try {
    const v = JSON.parse(text) as Partial<Line> | null;
    if (v === null || typeof v !== 'object') return null;
    const { n, ts, stream, text: t } = v;
    if (typeof n !== 'number' || typeof ts !== 'number' || (stream !== 'out' && stream !== 'err') || typeof t !== 'string') return null;
    return { n, ts, stream, text: t };
  } catch {
    return null;
  }
}

function parseLine(text: string): Line | null {
  try {
    const parsed = lineSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function encodeIndex(offsets: number[]): Buffer {
  const buffer = Buffer.alloc(offsets.length * INDEX_ENTRY_BYTES);
  offsets.forEach((offset, i) => buffer.writeBigUInt64LE(BigInt(offset), i * INDEX_ENTRY_BYTES));
  return buffer;
}

/**
 * A line's record: the bytes `JSON.stringify({n, ts, stream, text})` gives, written without
 * building the object (the keys are ours and fixed; `stream` is `out` or `err`).
 */
export function encodeLine(line: Line): string {
  const ts = Number.isFinite(line.ts) ? String(line.ts) : 'null';
  return `{"n":${line.n},"ts":${ts},"stream":${JSON.stringify(line.stream)},"text":${JSON.stringify(line.text)}}\n`;
}

async function openOrNull(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

async function readIndexFile(file: string): Promise<number[]> {
  const handle = await openOrNull(file);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const count = Math.floor(size / INDEX_ENTRY_BYTES);
    const buffer = Buffer.alloc(count * INDEX_ENTRY_BYTES);
    if (count > 0) await handle.read(buffer, 0, buffer.length, 0);
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) offsets.push(Number(buffer.readBigUInt64LE(i * INDEX_ENTRY_BYTES)));
    return offsets;
  } finally {
    await handle.close();
  }
}

async function lineAt(handle: FileHandle, offset: number, size: number): Promise<Line | null> {
  for await (const record of readRecords(handle, offset, size)) return parseLine(record.text);
  return null;
}

/** `<step>.undo`: one JSON header line, then the tail bytes a rewrite replaced. */
interface UndoHeader {
  /** the rewrite's number: the journal acknowledged it when the step's committed rev reaches it */
  rev: number;
  /** journal offset where the batch's records start (cut there when rolled back) */
  journal: number;
  /** byte offset in the lines file where the replaced tail starts */
  offset: number;
  /** bytes of the replaced tail (the rest of the undo file) */
  bytes: number;
}

export function undoPath(linesPath: string): string {
  return linesPath.replace(/\.lines$/, '.undo');
}

/** The undo a crash left for a rewrite numbered above `committedRev`, or null. */
export async function pendingUndo(linesPath: string, committedRev: number): Promise<(UndoHeader & { data: Buffer }) | null> {
  let raw: Buffer;
  try {
    raw = await readFile(undoPath(linesPath));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
  const nl = raw.indexOf(10);
  if (nl < 0) return null;
  let header: UndoHeader;
  try {
    header = JSON.parse(raw.subarray(0, nl).toString('utf8')) as UndoHeader;
  } catch {
    return null; // torn before it was synced: the rewrite never started
  }
  const { rev, journal, offset, bytes } = header;
  if (![rev, journal, offset, bytes].every((v) => Number.isSafeInteger(v) && v >= 0)) return null;
  if (raw.length - nl - 1 !== bytes) return null; // torn: the rewrite never started
  if (rev <= committedRev) return null;
  return { rev, journal, offset, bytes, data: raw.subarray(nl + 1) };
}

/** Puts back the tail an unacknowledged rewrite replaced (the caller truncates to the committed count after). */
export async function rollbackUndo(linesPath: string, undo: UndoHeader & { data: Buffer }): Promise<void> {
  const handle = await open(linesPath, 'r+');
  try {
    let done = 0;
    while (done < undo.data.length) done += (await handle.write(undo.data, done, undo.data.length - done, undo.offset + done)).bytesWritten;
    await handle.truncate(undo.offset + undo.data.length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Empties the undo file durably (its entry stays): a rolled-back rewrite is never rolled back twice. */
export async function clearUndo(linesPath: string): Promise<void> {
  await writeDurable(undoPath(linesPath), Buffer.alloc(0));
}

/**
 * Readers share, a tail rewrite is exclusive: it waits for the reads in flight, and reads that
 * start meanwhile wait for it. Plain appends need no lock (a reader never reads past the size
 * it saw).
 */
class ScreenLock {
  private readers = 0;
  private writer: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) this.drained?.();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    let release = (): void => undefined;
    this.writer = new Promise((resolve) => (release = resolve));
    try {
      if (this.readers > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = null;
      return await fn();
    } finally {
      this.writer = null;
      release();
    }
  }
}

export class StepFile {
  private readonly lock = new ScreenLock();
  /** `<step>.undo` exists (its directory entry is durable): later rewrites overwrite it in place */
  private undoReady = false;

  private constructor(
    private readonly linesPath: string,
    private readonly indexPath: string,
    /** lines on disk (1..lines) */
    public lines: number,
    private bytes: number,
    private readonly index: number[],
    private readonly handles: ReadHandles | null,
  ) {}

  /**
   * Opens the step, recovering from a crash: the step has exactly `committed` lines (what the
   * journal acknowledged). A torn partial line, or whole lines written but never journaled (so
   * never acknowledged, and their ingest state lost), are cut off; the producer resends them.
   * The index tail is verified against the data and rebuilt when short or wrong.
   */
  static async open(linesPath: string, indexPath: string, committed: number, handles: ReadHandles | null = null): Promise<StepFile> {
    const handle = await openOrNull(linesPath);
    if (!handle) return new StepFile(linesPath, indexPath, 0, 0, [], handles);
    let index: number[];
    let lines = 0;
    let end = 0;
    let size: number;
    let indexOnDisk: number[];
    try {
      size = (await handle.stat()).size;
      indexOnDisk = await readIndexFile(indexPath);
      index = indexOnDisk.slice(0, Math.ceil(committed / INDEX_EVERY));
      // Drop index entries that do not point at the line they claim (unsynced or torn index).
      while (index.length > 0) {
        const k = index.length - 1;
        const offset = index[k] ?? 0;
        const line = offset < size ? await lineAt(handle, offset, size) : null;
        if (line?.n === k * INDEX_EVERY + 1) break;
        index.pop();
      }
      const start = index.length > 0 ? (index[index.length - 1] ?? 0) : 0;
      lines = index.length > 0 ? (index.length - 1) * INDEX_EVERY : 0;
      end = start;
      if (committed > lines) {
        for await (const record of readRecords(handle, start, size)) {
          const line = parseLine(record.text);
          if (!line || line.n !== lines + 1) break;
          if ((line.n - 1) % INDEX_EVERY === 0 && index.length === (line.n - 1) / INDEX_EVERY) index.push(record.offset);
          lines = line.n;
          end = record.next;
          if (lines === committed) break;
        }
      }
    } finally {
      await handle.close();
    }
    if (size > end) await truncateDurable(linesPath, end);
    const indexChanged = index.length !== indexOnDisk.length || index.some((offset, i) => offset !== indexOnDisk[i]);
    if (indexChanged) await writeFileAtomic(indexPath, encodeIndex(index));
    return new StepFile(linesPath, indexPath, lines, end, index, handles);
  }

  /**
   * Appends lines `this.lines + 1 …` (the caller checked density); durable when it resolves.
   * The batch is encoded as one string (one UTF-8 encode, one write, one datasync); byte
   * offsets are only needed at index points, so only the runs between them are measured.
   */
  async append(lines: Line[]): Promise<void> {
    if (lines.length === 0) return;
    const newIndex: number[] = [];
    let position = this.bytes;
    let n = this.lines;
    let data = '';
    let run = '';
    for (const line of lines) {
      n += 1;
      if (line.n !== n) throw new Error(`file store: append out of order (${line.n} after ${n - 1})`);
      if ((n - 1) % INDEX_EVERY === 0) {
        position += Buffer.byteLength(run);
        data += run;
        run = '';
        newIndex.push(position);
      }
      run += encodeLine(line);
    }
    position += Buffer.byteLength(run);
    data += run;
    const creating = this.bytes === 0;
    const written = Buffer.from(data);
    if (written.length !== position - this.bytes) throw new Error('file store: encoded batch length mismatch');
    // The index is checked against the data when the step is opened (open): both files are
    // synced together, the journal record that acknowledges the lines comes after both.
    await Promise.all([
      appendDurable(this.linesPath, written),
      newIndex.length > 0 ? appendDurable(this.indexPath, encodeIndex(newIndex)) : undefined,
    ]);
    // A new file's directory entry is durable only once its directory is synced.
    if (creating) await fsyncDir(path.dirname(this.linesPath));
    this.index.push(...newIndex);
    this.bytes = position;
    this.lines = n;
  }

  /**
   * Lines from..to (clamped to what exists): one index lookup, then the bytes from that index
   * point read in large blocks (no more than the blocks holding the range), records before
   * `from` skipped by counting newlines, only the wanted ones parsed. Lines are dense and in
   * order from the index point, so the count says each record's number (checked on the ones
   * returned). Stops before the line that would take the range past `maxBytes`
   * (lib/limits.ts lineBytes).
   */
  read(from: number, to: number, maxBytes = Infinity): Promise<Line[]> {
    return this.lock.read(() => this.readUnlocked(from, to, maxBytes));
  }

  private async readUnlocked(from: number, to: number, maxBytes: number): Promise<Line[]> {
    const first = Math.max(1, from);
    const last = Math.min(to, this.lines);
    if (first > last) return [];
    const block = Math.floor((first - 1) / INDEX_EVERY);
    const start = this.index[block] ?? 0;
    // the start of the block after the one holding `last` bounds what is read
    const end = Math.min(this.index[Math.floor((last - 1) / INDEX_EVERY) + 1] ?? this.bytes, this.bytes);
    const n0 = this.index[block] === undefined ? 0 : block * INDEX_EVERY;
    if (this.handles) return this.handles.with(this.linesPath, (handle) => readSpan(handle, start, end, n0, first, last, maxBytes));
    const handle = await open(this.linesPath, 'r');
    try {
      return await readSpan(handle, start, end, n0, first, last, maxBytes);
    } finally {
      await handle.close();
    }
  }

  /**
   * Replaces lines `updates` (ascending, each ≤ this.lines, the caller checked the screen) and
   * appends `fresh` (this.lines + 1 …) in one write; durable when it resolves. Returns the lines
   * from the first updated one to the end as they now are (for the sidecar) and the UTF-8 bytes
   * of text the updates added (negative when they shrank it). The old tail goes to the undo file
   * first (see the header): `rev` numbers this rewrite, `journal` is where its records will go.
   */
  async rewrite(updates: readonly Line[], fresh: readonly Line[], rev: number, journal: number): Promise<{ tail: Line[]; delta: number }> {
    const from = updates[0]?.n;
    if (from === undefined) {
      await this.append([...fresh]);
      return { tail: [...fresh], delta: 0 };
    }
    if (from < 1 || (updates[updates.length - 1]?.n ?? 0) > this.lines) throw new Error('file store: rewrite outside the step');
    return this.lock.write(async () => {
      const offset = await this.offsetOf(from);
      const handle = await open(this.linesPath, 'r+');
      try {
        const old = Buffer.alloc(this.bytes - offset);
        let got = 0;
        while (got < old.length) {
          const { bytesRead } = await handle.read(old, got, old.length - got, offset + got);
          if (bytesRead === 0) throw new Error('file store: lines file shorter than its count');
          got += bytesRead;
        }
        const current: Line[] = [];
        for (const record of old.toString('utf8').split('\n')) {
          if (record === '') continue;
          const line = decodeLine(record);
          if (!line || line.n !== from + current.length) throw new Error('file store: corrupt line record');
          current.push(line);
        }
        if (current.length !== this.lines - from + 1) throw new Error('file store: tail count mismatch');
        let delta = 0;
        const byN = new Map(updates.map((u) => [u.n, u]));
        const tail = current.map((line) => {
          const update = byN.get(line.n);
          if (!update) return line;
          delta += Buffer.byteLength(update.text) - Buffer.byteLength(line.text);
          return update;
        });
        for (const line of fresh) {
          if (line.n !== from + tail.length) throw new Error(`file store: append out of order (${line.n} after ${from + tail.length - 1})`);
          tail.push(line);
        }
        // the undo first, synced: the old tail can always be put back until the journal acknowledges
        const undo = undoPath(this.linesPath);
        const header: UndoHeader = { rev, journal, offset, bytes: old.length };
        await writeDurable(undo, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), old]));
        if (!this.undoReady) {
          await fsyncDir(path.dirname(undo));
          this.undoReady = true;
        }
        // the new tail and its index points
        const keep = Math.ceil((from - 1) / INDEX_EVERY);
        const newIndex: number[] = [];
        let position = offset;
        let data = '';
        let run = '';
        for (const line of tail) {
          if ((line.n - 1) % INDEX_EVERY === 0) {
            position += Buffer.byteLength(run);
            data += run;
            run = '';
            newIndex.push(position);
          }
          run += encodeLine(line);
        }
        position += Buffer.byteLength(run);
        data += run;
        const written = Buffer.from(data);
        let done = 0;
        while (done < written.length) done += (await handle.write(written, done, written.length - done, offset + done)).bytesWritten;
        await handle.truncate(offset + written.length);
        await handle.datasync();
        const index = [...this.index.slice(0, keep), ...newIndex];
        if (index.length !== this.index.length || index.some((v, i) => v !== this.index[i])) await rewriteIndexTail(this.indexPath, keep, newIndex);
        this.index.length = 0;
        this.index.push(...index);
        this.bytes = position;
        this.lines = from + tail.length - 1;
        return { tail, delta };
      } finally {
        await handle.close();
      }
    });
  }

  /** Byte offset where line `n` (1 ≤ n ≤ lines) starts: one index lookup and a count of newlines. */
  private async offsetOf(n: number): Promise<number> {
    const block = Math.floor((n - 1) / INDEX_EVERY);
    const start = this.index[block] ?? 0;
    let line = this.index[block] === undefined ? 1 : block * INDEX_EVERY + 1;
    if (line === n) return start;
    const handle = await open(this.linesPath, 'r');
    try {
      for await (const record of readRecords(handle, start, this.bytes)) {
        if (line === n) return record.offset;
        line++;
      }
    } finally {
      await handle.close();
    }
    throw new Error(`file store: line ${n} not found`);
  }
}

/** Overwrites `file` with `data` and syncs it (its directory entry may still be new). */
async function writeDurable(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let done = 0;
    while (done < data.length) done += (await handle.write(data, done, data.length - done, done)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The index file with its first `keep` entries and `entries` after them (open re-checks it). */
async function rewriteIndexTail(file: string, keep: number, entries: number[]): Promise<void> {
  const handle = await open(file, 'a+');
  try {
    await handle.truncate(keep * INDEX_ENTRY_BYTES);
    const data = encodeIndex(entries);
    let done = 0;
    while (done < data.length) done += (await handle.write(data, done, data.length - done, null)).bytesWritten;
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Lines first..last of the records in [start, end), the record at `start` being line n0 + 1. */
async function readSpan(handle: FileHandle, start: number, end: number, n0: number, first: number, last: number, maxBytes: number): Promise<Line[]> {
  const out: Line[] = [];
  let n = n0;
  let bytes = 0;
  let carry: Buffer | null = null;
  let position = start;
  while (position < end) {
    const size = Math.min(READ_BLOCK_BYTES, end - position);
    const fresh = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(fresh, 0, size, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const chunk: Buffer = carry ? Buffer.concat([carry, fresh.subarray(0, bytesRead)]) : fresh.subarray(0, bytesRead);
    carry = null;
    let at = 0;
    for (let nl = chunk.indexOf(10, at); nl >= 0; nl = chunk.indexOf(10, at)) {
      n += 1;
      const record = chunk.subarray(at, nl);
      at = nl + 1;
      if (n < first) continue;
      const line = decodeLine(record.toString('utf8'));
      if (!line || line.n !== n) throw new Error('file store: corrupt line record');
      bytes += lineBytes(line.text);
      if (out.length > 0 && bytes > maxBytes) return out;
      out.push(line);
      if (n >= last) return out;
    }
    if (at < chunk.length) {
      carry = chunk.subarray(at);
      if (carry.length > MAX_RECORD_BYTES) throw new Error('file store: record too long (corrupt file?)');
    }
  }
  return out;
}
