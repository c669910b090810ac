import { applyCode, applySgr, DEFAULT_COLOR, RGB_BASE, type Sgr } from '../ansi/sgr';

/**
 * One bounded pass over the start of a stored line: what it shows (escapes removed) and
 * whether any of it is shown in red. Stored text is canonical (lib/ansi/sgr.ts: SGR and OSC 8
 * links only, self-contained from the default pen), so this is a small reader, not a terminal:
 * SGR parameters go through the project's pen model (`applySgr`), OSC 8 links are skipped,
 * any other escape drops the ESC and its next character.
 *
 * MAX_CLASSIFY_CHARS bounds the work per line whatever its length (a stored line may hold up
 * to MAX_LINE_BYTES): everything the rules look for sits near the line start. A GitHub
 * download timestamp (29 chars), a logger prefix (~60), a compiler's path (Windows MAX_PATH is
 * 260) and a message's first words fit well inside 2,048 characters, even with a colour escape
 * (5-20 chars) between words. Past it a line is not read; a 1 MB line costs what 2 KB does.
 */
export const MAX_CLASSIFY_CHARS = 2048;

export interface Scanned {
  /** the shown text of the first MAX_CLASSIFY_CHARS characters of the stored line */
  visible: string;
  /** some shown character with a letter or digit in red (foreground, background or inverse) */
  redWord: boolean;
  /** the first non-space shown character is red (a diff's coloured `-`/`+` line, a code frame's `>`) */
  redFirst: boolean;
}

/** The longest SGR or OSC sequence read; a longer one is treated as text (it cannot be canonical). */
const MAX_ESCAPE_CHARS = 2100;

/** True for the reds of the 16, 256 and 24-bit palettes: index 1 and 9, the cube's reds, reddish RGB; not orange or pink. */
export function isRed(color: number): boolean {
  if (color === DEFAULT_COLOR) return false;
  if (color < 16) return color === 1 || color === 9;
  if (color < 232) {
    const i = color - 16;
    const r = Math.floor(i / 36);
    const g = Math.floor(i / 6) % 6;
    const b = i % 6;
    return r >= 1 && g === 0 && b * 3 <= r; // 52, 88, 124, 160, 196 and their faint-blue neighbours; not orange 166/202
  }
  if (color < RGB_BASE) return false; // grey ramp
  const rgb = color - RGB_BASE;
  const r = (rgb >> 16) & 255;
  const g = (rgb >> 8) & 255;
  const b = rgb & 255;
  return r >= 128 && g * 3 <= r && b * 3 <= r; // #ff5555 yes, #d75f00 (orange) no
}

/** Inverse only swaps the colours: a red foreground shown as a background is still red. */
function penIsRed(s: Sgr): boolean {
  return isRed(s.fg) || isRed(s.bg);
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c > 0x7f;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

const NONE = Number.POSITIVE_INFINITY;
const found = (at: number): number => (at < 0 ? NONE : at);

/**
 * Applies the SGR body `text[from, to)` (`31`, `1;38;5;9`, `38:2::255:0:0`) to `pen` through the
 * project's pen model: a single code (what canonical text holds) with `applyCode`, anything
 * else parsed into applySgr's parameter shape without allocating per character.
 */
function applyBody(pen: Sgr, text: string, from: number, to: number): void {
  let code = 0;
  let digits = 0;
  let simple = true;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x30 && c <= 0x39 && digits < 5) {
      code = code * 10 + (c - 0x30);
      digits++;
    } else {
      simple = false;
      break;
    }
  }
  if (simple) {
    if (digits === 0) applySgr(pen, []);
    else if (code !== 38 && code !== 48 && code !== 58) applyCode(pen, code);
    return;
  }
  const params: number[][] = [];
  let current: number[] = [];
  let value = -1;
  for (let k = from; k <= to; k++) {
    const c = k < to ? text.charCodeAt(k) : 0x3b;
    if (c >= 0x30 && c <= 0x39) value = Math.min((value < 0 ? 0 : value) * 10 + (c - 0x30), 65535);
    else if (c === 0x3a || c === 0x3b) {
      current.push(value);
      value = -1;
      if (c === 0x3b) {
        params.push(current);
        current = [];
      }
    }
  }
  applySgr(pen, params);
}

export function scanLine(line: string): Scanned {
  // Every search below runs in this window, so no indexOf reads past it on a huge line.
  const text = line.length > MAX_CLASSIFY_CHARS + MAX_ESCAPE_CHARS ? line.slice(0, MAX_CLASSIFY_CHARS + MAX_ESCAPE_CHARS) : line;
  const end = Math.min(text.length, MAX_CLASSIFY_CHARS);
  let escape = text.indexOf('\x1b');
  if (escape < 0 || escape >= end) {
    return { visible: end === text.length ? text : text.slice(0, end), redWord: false, redFirst: false };
  }
  const pen: Sgr = { flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR };
  let red = false;
  let visible = '';
  let redWord = false;
  let redFirst = false;
  let seenNonSpace = false;
  let close = -1;
  let bel = -1;
  let i = 0;
  while (i < end) {
    const next = escape < 0 || escape >= end ? end : escape;
    if (next > i) {
      visible += text.slice(i, next);
      if (red || !seenNonSpace) {
        for (let k = i; k < next && (!redWord || !seenNonSpace); k++) {
          const c = text.charCodeAt(k);
          if (!seenNonSpace && !isSpace(c)) {
            seenNonSpace = true;
            redFirst = red;
          }
          if (red && isWordChar(c)) redWord = true;
        }
      }
      i = next;
      if (i >= end) break;
    }
    // text[i] is ESC
    const kind = text.charCodeAt(i + 1);
    const limit = Math.min(text.length, i + MAX_ESCAPE_CHARS);
    if (kind === 0x5b) {
      let j = i + 2;
      while (j < limit) {
        const c = text.charCodeAt(j);
        if ((c >= 0x30 && c <= 0x3f) || c === 0x20) j++;
        else break;
      }
      if (j < limit && text.charCodeAt(j) === 0x6d) {
        applyBody(pen, text, i + 2, j);
        red = penIsRed(pen);
      }
      i = j < limit ? j + 1 : i + 2;
    } else if (kind === 0x5d) {
      // The next ST / BEL are cached: each is searched for again only once passed, so many
      // unterminated OSCs in a row stay linear.
      if (close !== NONE && close < i + 2) close = found(text.indexOf('\x1b\\', i + 2));
      if (bel !== NONE && bel < i + 2) bel = found(text.indexOf('\x07', i + 2));
      i = close < limit ? close + 2 : bel < limit ? bel + 1 : i + 2;
    } else {
      i += 2;
    }
    escape = text.indexOf('\x1b', i);
  }
  return { visible, redWord, redFirst };
}

/**
 * The prefilter's view of a line head with escapes (rules.ts classify): when every escape in
 * `head` is a complete SGR (`ESC [ digits ; : m`) and none of them can set a red foreground or
 * background, the head without them, which is what scanLine would show; null otherwise (another
 * escape, an SGR cut by the end of the head, or a possible red: the caller then runs scanLine).
 * A pen only turns red through 31/41/91/101 or an extended colour (38/48): 38/48;5;N with a
 * non-red N is let through, any other extended colour counts as possibly red. A code that is
 * really a colour index (`38;5;31`) also counts as a possible red: wrong only towards the scan.
 * Cheaper than scanLine on the common coloured line (a level and a tag in colour, no red): no
 * pen, no per-character pass, one native replace.
 */
export function sgrOnlyNotRed(head: string): string | null {
  let esc = head.indexOf('\x1b');
  while (esc >= 0) {
    if (head.charCodeAt(esc + 1) !== 0x5b) return null;
    let j = esc + 2;
    // the parameters as tokens: `value` the current one (-1: empty), `prev`/`prev2` the two before
    let value = -1;
    let prev = -1;
    let prev2 = -1;
    let extended = false;
    for (;; j++) {
      const c = head.charCodeAt(j);
      if (c >= 0x30 && c <= 0x39) {
        value = Math.min((value < 0 ? 0 : value) * 10 + (c - 0x30), 65535);
        continue;
      }
      if (c !== 0x3b && c !== 0x3a && c !== 0x6d) return null; // not an SGR, or cut off (NaN)
      // a token ends: `prev2 prev value` may be `38 5 N`
      if (extended) {
        if (prev === 38 || prev === 48) {
          if (value !== 5) return null; // truecolour or malformed: maybe red
        } else if (prev2 === 38 || prev2 === 48) {
          if (value < 0 || value > 255 || isRed(value)) return null;
          extended = false;
        }
      } else if (value === 31 || value === 41 || value === 91 || value === 101) {
        return null;
      } else if (value === 38 || value === 48) {
        extended = true;
      }
      prev2 = prev;
      prev = value;
      value = -1;
      if (c === 0x6d) break;
    }
    // `38` or `38;5` with nothing after it: applySgr reads no colour from it, but stay exact
    if (extended) return null;
    esc = head.indexOf('\x1b', j + 1);
  }
  return head.replace(SGR_ALL, '');
}

/** Every complete SGR sequence (sgrOnlyNotRed has checked that these are the head's only escapes). */
const SGR_ALL = /\x1b\[[0-9;:]*m/g;
