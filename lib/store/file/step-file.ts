import 'server-only';
import { open, type FileHandle } from 'node:fs/promises';
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

export class StepFile {
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
  async read(from: number, to: number, maxBytes = Infinity): Promise<Line[]> {
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
