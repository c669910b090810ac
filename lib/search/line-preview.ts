import 'server-only';
import type { Line } from '../contracts';
import type { Range } from './matcher';

/** Characters of a line's stored text returned by the global search: a result list, not the log. */
export const LINE_PREVIEW_CHARS = 2000;
/** An escape sequence longer than this is not waited for: the cut falls before its ESC anyway. */
const MAX_ESCAPE_SCAN = 4096;

/**
 * Where an escape sequence starting at `esc` (an ESC) ends (exclusive), or -1 when it does not end
 * within the text / the scan window. CSI: ESC [ params final(0x40-0x7e); OSC/DCS/APC/PM/SOS: up to
 * BEL or ESC \; otherwise a two-character escape.
 */
function escapeEnd(text: string, esc: number): number {
  const kind = text[esc + 1];
  if (kind === undefined) return -1;
  const limit = Math.min(text.length, esc + MAX_ESCAPE_SCAN);
  if (kind === '[') {
    for (let i = esc + 2; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x40 && c <= 0x7e) return i + 1;
    }
    return -1;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^' || kind === 'X') {
    for (let i = esc + 2; i < limit; i++) {
      if (text[i] === '\x07') return i + 1;
      if (text[i] === '\x1b' && text[i + 1] === '\\') return i + 2;
    }
    return -1;
  }
  return esc + 2;
}

/** `text` cut to at most `max` characters, never inside an escape sequence or a surrogate pair. */
export function cutText(text: string, max = LINE_PREVIEW_CHARS): string {
  if (text.length <= max) return text;
  let cut = max;
  // Only the last ESC before the cut can straddle it.
  const esc = text.lastIndexOf('\x1b', cut - 1);
  if (esc >= 0) {
    const end = escapeEnd(text, esc);
    if (end < 0 || end > cut) {
      // A cut between the ESC and the `\` of a string terminator falls inside the OSC it ends.
      cut = text[esc + 1] === '\\' ? Math.max(0, text.lastIndexOf('\x1b', esc - 1)) : esc;
    }
  }
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && before >= 0xd800 && before <= 0xdbff) cut--;
  return text.slice(0, cut);
}

/** The line as returned by the global search, with the ranges that fall inside its cut text. */
export function previewLine(line: Line, ranges: Range[], plainLength: (text: string) => number): { line: Line; ranges: Range[] } {
  const text = cutText(line.text);
  if (text === line.text) return { line, ranges };
  const visible = plainLength(text);
  const kept: Range[] = [];
  for (const [from, to] of ranges) if (from < visible) kept.push([from, Math.min(to, visible)]);
  return { line: { ...line, text }, ranges: kept };
}
