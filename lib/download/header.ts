import 'server-only';
/**
 * Names written into a download's header lines (`=== NAME (status)`) are producer text printed
 * raw into a file meant to be `cat`-ed: they must not be able to drive the reader's terminal.
 * So the text is one line of printable characters:
 * - C0 controls (TAB, LF and CR included) and DEL become their Control Pictures (U+2400…,
 *   U+2421): ESC shows as `␛`, never starts a sequence;
 * - C1 controls (U+0080–U+009F, e.g. the 8-bit CSI U+009B), line/paragraph separators
 *   (U+2028/U+2029), bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069,
 *   which reorder what the terminal shows) and lone surrogates become `?`;
 * - at most MAX_HEADER_NAME_CHARS characters, cut with `…` (never half a surrogate pair).
 */
export const MAX_HEADER_NAME_CHARS = 200;

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function safeHeaderText(text: string, max = MAX_HEADER_NAME_CHARS): string {
  let cut = text;
  if (cut.length > max) {
    cut = cut.slice(0, max - 1);
    const last = cut.charCodeAt(cut.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
    cut += '…';
  }
  return cut.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '?';
  });
}
