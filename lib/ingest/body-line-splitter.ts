import 'server-only';
import { MAX_LINE_BYTES } from '../contracts/lines';
import { AppError } from '../errors';

export interface BodyLineSplitter {
  /** Complete lines so far (`\n` and `\r\n` end a line), decoded as UTF-8. */
  push(chunk: Uint8Array): string[];
  /**
   * The last unterminated line, if it has any bytes: no LF follows it (the writer marks it
   * RawLine `eol: false`, so a tail that writes nothing creates no row).
   */
  end(): string[];
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The server's splitter for a `POST lines` body: bytes → raw lines for ingest, refusing a line
 * over the cap (the producer side, which cuts such lines instead, is lib/sdk's
 * OutputLineSplitter). A line's bytes are collected until its `\n`, then decoded at once, so a
 * multibyte character split across chunks decodes right (UTF-8 never uses 0x0A inside a
 * character). Invalid UTF-8 becomes U+FFFD. A line longer than `maxLineBytes` throws
 * `too_large` as soon as its bytes exceed the cap, without buffering more of it. A UTF-8 BOM
 * at the very start of the stream is dropped; anywhere else it is kept as text.
 */
export function createBodyLineSplitter(opts: { maxLineBytes?: number } = {}): BodyLineSplitter {
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let first = true;

  const tooLarge = (): AppError =>
    new AppError('too_large', `a line is longer than ${max} bytes`, { maxLineBytes: max });

  const finish = (tail: Uint8Array, stripCr: boolean): string => {
    let bytes: Uint8Array;
    if (pending.length === 0) bytes = tail;
    else {
      bytes = new Uint8Array(pendingBytes + tail.length);
      let at = 0;
      for (const part of pending) {
        bytes.set(part, at);
        at += part.length;
      }
      bytes.set(tail, at);
    }
    pending = [];
    pendingBytes = 0;
    let length = bytes.length;
    if (stripCr && length > 0 && bytes[length - 1] === CR) length--;
    if (length > max) throw tooLarge();
    let text = decoder.decode(bytes.subarray(0, length));
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  };

  return {
    push(chunk) {
      const lines: string[] = [];
      let from = 0;
      let lf = chunk.indexOf(LF);
      if (lf >= 0 && pendingBytes > 0) {
        // the line begun in an earlier chunk
        if (pendingBytes + lf > max + 1) throw tooLarge();
        lines.push(finish(chunk.subarray(0, lf), true));
        from = lf + 1;
        lf = chunk.indexOf(LF, from);
      }
      if (lf >= 0) {
        // Each complete line decoded on its own (one-byte strings for ASCII lines, whatever the
        // rest of the chunk holds), straight from the chunk without copying its bytes.
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (; lf >= 0; lf = chunk.indexOf(LF, from)) {
          let end = lf;
          if (end > from && chunk[end - 1] === CR) end--;
          if (end - from > max) throw tooLarge();
          let text = bytes.toString('utf8', from, end);
          if (first) {
            first = false;
            if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          }
          lines.push(text);
          from = lf + 1;
        }
      }
      if (from < chunk.length) {
        // +1: a trailing \r may still turn out to be half of a \r\n
        if (pendingBytes + (chunk.length - from) > max + 1) throw tooLarge();
        pending.push(chunk.slice(from));
        pendingBytes += chunk.length - from;
      }
      return lines;
    },
    end() {
      if (pendingBytes === 0) return [];
      if (pendingBytes > max) throw tooLarge();
      return [finish(new Uint8Array(0), false)];
    },
  };
}
