import { parseLine } from './terminal';

/** Only SGR (colour) sequences: by far the most common escapes in CI logs. */
const SGR = /\x1b\[[0-9;:]*m/g;
/** SGR 8 (conceal) hides characters; any `8` parameter (even a colour index) takes the slow path. */
const CONCEAL = /\x1b\[(?:[0-9:]*;)*0*8[;:m]/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * What a line shows, without any escape codes: the one plain-text rule, used by `format=text`
 * downloads, search (the offsets of its ranges) and group titles. Works on stored (canonical)
 * text and on raw text alike; linear time.
 *
 * Fast path: a line whose only escapes are SGR colour codes (except conceal) and that has no
 * other control is its text with those codes removed; anything else (cursor moves, OSC, `\r`,
 * `\b`) goes through the terminal model. plain.test.ts checks both paths agree over the corpus.
 * Measured: the terminal model costs ~4.7 µs per coloured line, most of a search's time.
 */
export function plainText(text: string): string {
  if (!text.includes('\x1b')) return CONTROL.test(text) ? viaTerminal(text) : text;
  if (!CONCEAL.test(text)) {
    const stripped = text.replace(SGR, '');
    if (!CONTROL.test(stripped)) return stripped;
  }
  return viaTerminal(text);
}

function viaTerminal(text: string): string {
  return parseLine(text).chars.join('');
}
