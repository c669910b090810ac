import { MAX_LINE_BYTES } from '../contracts/lines';

/**
 * A process's raw output → lines, on the producer side (the server's own splitter of a
 * request body, which refuses over-long lines, is lib/ingest's BodyLineSplitter). Splits on
 * `\n` (a `\r\n` pair loses its `\r`; a lone `\r` stays in the text: the server's ingest
 * collapses progress bars). Bytes are decoded as streaming UTF-8, so a character cut between
 * two chunks is not mangled. The trailing partial line is kept until its `\n` arrives or
 * `end()` is called.
 *
 * Lines longer than `maxLineBytes` (1 MiB of UTF-8, the server's cap) are SPLIT into several
 * lines of at most that size, cut on character boundaries. We split rather than refuse: a
 * producer must never lose a build's output because one line was absurd, and the pieces
 * still read in order. The pending partial line is split as soon as it passes the cap, so
 * memory stays bounded even for a stream without any newline.
 */
export class OutputLineSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxLineBytes: number;

  constructor(maxLineBytes: number = MAX_LINE_BYTES) {
    // at least one 4-byte character must fit, or splitting could never make progress
    this.maxLineBytes = Math.max(4, maxLineBytes);
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: string | Uint8Array): string[] {
    const text = typeof chunk === 'string' ? this.flushDecoder() + chunk : this.decoder.decode(chunk, { stream: true });
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = this.pending + text.slice(start, nl);
      this.pending = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.emit(line, out);
      start = nl + 1;
    }
    this.pending += text.slice(start);
    if (this.pending.length * 3 > this.maxLineBytes) this.spillOversized(out);
    return out;
  }

  /** Ends the input: the partial line, if any, becomes a line. */
  end(): string[] {
    const rest = this.pending + this.flushDecoder();
    this.pending = '';
    const out: string[] = [];
    if (rest !== '') this.emit(rest, out);
    return out;
  }

  private flushDecoder(): string {
    return this.decoder.decode();
  }

  private emit(line: string, out: string[]): void {
    // fast path: a UTF-16 code unit is at most 3 UTF-8 bytes
    if (line.length * 3 <= this.maxLineBytes) {
      out.push(line);
      return;
    }
    out.push(...splitUtf8(line, this.maxLineBytes));
  }

  /** Emits all but the tail of an over-long partial line, keeping the tail pending. */
  private spillOversized(out: string[]): void {
    const pieces = splitUtf8(this.pending, this.maxLineBytes);
    const tail = pieces.pop() ?? '';
    // a tail ending in `\r` might be half of a `\r\n`: it stays pending with it
    out.push(...pieces);
    this.pending = tail;
  }
}

/** Cuts `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) ?? 0;
    const units = code > 0xffff ? 2 : 1;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    i += units;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Complete text → its lines (`\n` or `\r\n` separated, a final `\n` optional), each capped. */
export function wholeLines(text: string, maxLineBytes: number = MAX_LINE_BYTES): string[] {
  const splitter = new OutputLineSplitter(maxLineBytes);
  return [...splitter.push(text.endsWith('\n') ? text : `${text}\n`), ...splitter.end()];
}
