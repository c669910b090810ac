import 'server-only';
import { plainText } from '../ansi/plain';
import { MAX_LINE_BYTES } from '../contracts';
import { findMaskRanges, maskPlain } from '../ingest/masks';

/**
 * The producer's raw text (LogStore.readRaw: lines as sent, each ended by `\n` unless a body's
 * last line came without one, before the terminal screen, escapes and masks) made safe to
 * serve: the job's masks (JobPrivate.masks, read when the download starts, so a value
 * registered after a line was written hides it too) are applied to every line, as the stored
 * text has them applied to what the line shows.
 *
 * Per line: the masks and their encoded forms are replaced by `***` in the raw text. A secret
 * the raw text does not hold in one piece but the line shows (split by escape codes, `\b`, or
 * rewritten by `\r`) is then still in its escape-stripped or shown text: such a line is served
 * as its shown text (lib/ansi/plain.ts), masked, without its escape codes. What only a cursor
 * moving across lines assembles is not detected here (the stored text, `ansi`/`text`, masks it).
 *
 * Chunks from the store may end mid-line: text is held until its line ends, at most
 * MAX_RAW_PENDING_CHARS (a stored raw line is at most MAX_LINE_BYTES); past that the held text
 * is served as a line of its own (bounded memory whatever the store returns).
 */
export const MAX_RAW_PENDING_CHARS = 2 * MAX_LINE_BYTES;

/** ESC sequences (CSI, OSC/DCS/APC strings, two-byte ESC x) and C0/C1 controls other than TAB. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[\s\S]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function maskRawLine(line: string, masks: readonly string[]): string {
  if (masks.length === 0 || line === '') return line;
  const masked = maskPlain(line, masks);
  const stripped = masked.replace(ESCAPES, '');
  if (findMaskRanges(stripped, masks).length === 0 && findMaskRanges(plainText(masked), masks).length === 0) return masked;
  return maskPlain(plainText(line), masks);
}

/** `chunks` of raw text, re-cut at line ends, each line masked (maskRawLine). */
export async function* maskedRawChunks(chunks: AsyncIterable<string>, masks: readonly string[]): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk;
    const end = pending.lastIndexOf('\n');
    if (end < 0) {
      if (pending.length < MAX_RAW_PENDING_CHARS) continue;
      yield maskRawLine(pending, masks);
      pending = '';
      continue;
    }
    const complete = pending.slice(0, end);
    pending = pending.slice(end + 1);
    let out = '';
    for (const line of complete.split('\n')) out += `${maskRawLine(line, masks)}\n`;
    yield out;
  }
  if (pending !== '') yield maskRawLine(pending, masks);
}
