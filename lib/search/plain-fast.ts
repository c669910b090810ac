import 'server-only';
import { plainText } from '../ansi/plain';

/** Only SGR (colour) sequences: by far the most common escapes in CI logs. */
const SGR = /\x1b\[[0-9;:]*m/g;
/** SGR 8 (conceal) hides characters; any `8` parameter (even a colour index) takes the slow path. */
const CONCEAL = /\x1b\[(?:[0-9:]*;)*0*8[;:m]/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * plainText, faster for the common line whose only escapes are SGR colour codes: they change no
 * character (except conceal), so removing them is the plain text (search.test.ts checks equality with plainText
 * over the corpus). Anything else (cursor moves, OSC, \r, \b) goes through the terminal model.
 * Measured: the terminal model costs ~4.7 µs per coloured line, most of a search's time.
 */
export function searchPlainText(text: string): string {
  if (!text.includes('\x1b') || CONCEAL.test(text)) return plainText(text);
  const stripped = text.replace(SGR, '');
  return CONTROL.test(stripped) ? plainText(text) : stripped;
}
