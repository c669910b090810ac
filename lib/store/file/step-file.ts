import 'server-only';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { lineSchema, type Line } from '../../contracts';
import { lineBytes } from '../../limits';
import { appendDurable, fsyncDir, isErrno, readRecords, truncateDurable, writeFileAtomic } from './fs-util';

/**
 * One step's lines: `<step>.lines` is append-only NDJSON of {n, ts, stream, text}, lines 1..N
 * in order; `<step>.idx` is a sparse index, the byte offset (u64 LE) of lines 1, 1+EVERY,
 * 1+2·EVERY, … So line n is found by one index lookup and a scan of fewer than EVERY lines.
 * The index is kept in memory too (8 bytes per EVERY lines: ~8 KB for a million lines).
 */
export const INDEX_EVERY = 1024;
const INDEX_ENTRY_BYTES = 8;

function parseLine(text: string): Line | null {
  try {
    const parsed = lineSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The line number of a record we wrote (`{"n":…,` first), without parsing the whole line. */
function lineNumberOf(text: string): number | null {
  const match = /^\{"n":(\d{1,15}),/.exec(text.slice(0, 24));
  return match ? Number(match[1]) : null;
}

function encodeIndex(offsets: number[]): Buffer {
  const buffer = Buffer.alloc(offsets.length * INDEX_ENTRY_BYTES);
  offsets.forEach((offset, i) => buffer.writeBigUInt64LE(BigInt(offset), i * INDEX_ENTRY_BYTES));
  return buffer;
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
  ) {}

  /**
   * Opens the step, recovering from a crash: the step has exactly `committed` lines (what the
   * journal acknowledged). A torn partial line, or whole lines written but never journaled (so
   * never acknowledged, and their ingest state lost), are cut off; the producer resends them.
   * The index tail is verified against the data and rebuilt when short or wrong.
   */
  static async open(linesPath: string, indexPath: string, committed: number): Promise<StepFile> {
    const handle = await openOrNull(linesPath);
    if (!handle) return new StepFile(linesPath, indexPath, 0, 0, []);
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
    return new StepFile(linesPath, indexPath, lines, end, index);
  }

  /** Appends lines `this.lines + 1 …` (the caller checked density); durable when it resolves. */
  async append(lines: Line[]): Promise<void> {
    if (lines.length === 0) return;
    const parts: Buffer[] = [];
    const newIndex: number[] = [];
    let position = this.bytes;
    let n = this.lines;
    for (const line of lines) {
      n += 1;
      if (line.n !== n) throw new Error(`file store: append out of order (${line.n} after ${n - 1})`);
      const encoded = Buffer.from(`${JSON.stringify({ n: line.n, ts: line.ts, stream: line.stream, text: line.text })}\n`);
      if ((n - 1) % INDEX_EVERY === 0) newIndex.push(position);
      parts.push(encoded);
      position += encoded.length;
    }
    const creating = this.bytes === 0;
    await appendDurable(this.linesPath, Buffer.concat(parts));
    if (newIndex.length > 0) await appendDurable(this.indexPath, encodeIndex(newIndex));
    // A new file's directory entry is durable only once its directory is synced.
    if (creating) await fsyncDir(path.dirname(this.linesPath));
    this.index.push(...newIndex);
    this.bytes = position;
    this.lines = n;
  }

  /**
   * Lines from..to (clamped to what exists): one index lookup, then a bounded scan. Stops
   * before the line that would take the range past `maxBytes` (lib/limits.ts lineBytes).
   */
  async read(from: number, to: number, maxBytes = Infinity): Promise<Line[]> {
    const first = Math.max(1, from);
    const last = Math.min(to, this.lines);
    if (first > last) return [];
    const start = this.index[Math.floor((first - 1) / INDEX_EVERY)] ?? 0;
    const end = this.bytes;
    const handle = await open(this.linesPath, 'r');
    const out: Line[] = [];
    let bytes = 0;
    try {
      for await (const record of readRecords(handle, start, end)) {
        const n = lineNumberOf(record.text);
        if (n !== null && n < first) continue;
        const line = parseLine(record.text);
        if (!line) throw new Error('file store: corrupt line record');
        bytes += lineBytes(line.text);
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(line);
        if (line.n >= last) break;
      }
    } finally {
      await handle.close();
    }
    return out;
  }
}
