/**
 * The SGR ("pen") model shared by ingest and the browser renderer.
 *
 * A pen is a fixed-size value: attribute bits plus two colours, so the state carried from one
 * line to the next (and persisted between requests) is bounded whatever a log throws at it.
 * Colours: -1 = terminal default, 0..255 = palette index (16-colour codes map to 0..15),
 * >= 256 = 24-bit colour (256 + 0xRRGGBB).
 *
 * Canonical form (what ansi-to-html 0.7.2 parses correctly): one attribute per sequence, in a
 * fixed order, and every removal written as `ESC[0m` followed by the full new state. So the
 * only codes stored are 0, 1, 2, 3, 4, 7, 9, 30-37, 90-97, 40-47, 100-107, 38;5;n, 48;5;n,
 * 38;2;r;g;b and 48;2;r;g;b. ansi-to-html ignores 2 (dim) and 7 (inverse); the renderer
 * here handles them itself.
 */

export const BOLD = 1;
export const DIM = 2;
export const ITALIC = 4;
export const UNDERLINE = 8;
export const INVERSE = 16;
export const STRIKE = 32;
/** SGR 8: text written while set is not stored at all (Jenkins hides console notes this way). */
export const CONCEAL = 64;
export const ALL_FLAGS = 127;

export const DEFAULT_COLOR = -1;
export const RGB_BASE = 256;
export const MAX_COLOR = RGB_BASE + 0xffffff;

export interface Sgr {
  flags: number;
  fg: number;
  bg: number;
}

export const DEFAULT_SGR: Readonly<Sgr> = Object.freeze({ flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR });

/** Order in which flags are written; CONCEAL is never written (concealed text is dropped). */
const FLAG_CODES: ReadonlyArray<readonly [number, number]> = [
  [BOLD, 1],
  [DIM, 2],
  [ITALIC, 3],
  [UNDERLINE, 4],
  [INVERSE, 7],
  [STRIKE, 9],
];

export function isDefaultSgr(s: Sgr): boolean {
  return (s.flags & ~CONCEAL) === 0 && s.fg === DEFAULT_COLOR && s.bg === DEFAULT_COLOR;
}

export function sameSgr(a: Sgr, b: Sgr): boolean {
  return a.flags === b.flags && a.fg === b.fg && a.bg === b.bg;
}

function colorCode(color: number, background: boolean): string {
  if (color < 8) return `\x1b[${(background ? 40 : 30) + color}m`;
  if (color < 16) return `\x1b[${(background ? 100 : 90) + color - 8}m`;
  if (color < RGB_BASE) return `\x1b[${background ? 48 : 38};5;${color}m`;
  const rgb = color - RGB_BASE;
  return `\x1b[${background ? 48 : 38};2;${(rgb >> 16) & 255};${(rgb >> 8) & 255};${rgb & 255}m`;
}

/** The canonical sequences that set `s` starting from the default state. */
export function sgrFromDefault(s: Sgr): string {
  let out = '';
  for (const [flag, code] of FLAG_CODES) if (s.flags & flag) out += `\x1b[${code}m`;
  if (s.fg !== DEFAULT_COLOR) out += colorCode(s.fg, false);
  if (s.bg !== DEFAULT_COLOR) out += colorCode(s.bg, true);
  return out;
}

/**
 * Canonical sequences that turn `from` into `to`: additions only when nothing is removed
 * or recoloured (keeps ansi-to-html's tag stack shallow), else a reset plus the full state.
 */
export function sgrTransition(from: Sgr, to: Sgr): string {
  const visibleFrom = from.flags & ~CONCEAL;
  const visibleTo = to.flags & ~CONCEAL;
  const additive =
    (visibleFrom & ~visibleTo) === 0 &&
    (from.fg === to.fg || from.fg === DEFAULT_COLOR) &&
    (from.bg === to.bg || from.bg === DEFAULT_COLOR);
  if (!additive) return (isDefaultSgr(from) ? '' : '\x1b[0m') + sgrFromDefault(to);
  let out = '';
  for (const [flag, code] of FLAG_CODES) if (visibleTo & flag && !(visibleFrom & flag)) out += `\x1b[${code}m`;
  if (to.fg !== from.fg) out += colorCode(to.fg, false);
  if (to.bg !== from.bg) out += colorCode(to.bg, true);
  return out;
}

function byte(n: number | undefined): number | null {
  return n !== undefined && n >= 0 && n <= 255 ? n : null;
}

/**
 * Reads an extended colour (`38;5;n`, `38;2;r;g;b`, or the colon forms `38:5:n`,
 * `38:2::r:g:b`, `38:2:r:g:b`) from `args` (the values after 38/48).
 * Returns the colour (or null when malformed) and how many values it used.
 */
export function extendedColor(args: readonly number[], colon: boolean): { color: number | null; used: number } {
  const mode = args[0];
  if (mode === 5) return { color: byte(args[1]), used: 2 };
  if (mode === 2) {
    const offset = colon && args.length >= 5 ? 2 : 1;
    const r = byte(args[offset]);
    const g = byte(args[offset + 1]);
    const b = byte(args[offset + 2]);
    const color = r === null || g === null || b === null ? null : RGB_BASE + ((r << 16) | (g << 8) | b);
    return { color, used: offset + 3 };
  }
  return { color: null, used: args.length > 0 ? 1 : 0 };
}

/**
 * Applies one SGR sequence to `s` (mutated). `params` holds one array per `;`-separated
 * parameter, with its `:` sub-parameters; a missing value is -1. Unknown codes are ignored.
 */
export function applySgr(s: Sgr, params: ReadonlyArray<readonly number[]>): void {
  if (params.length === 0) {
    s.flags = 0;
    s.fg = DEFAULT_COLOR;
    s.bg = DEFAULT_COLOR;
    return;
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? [];
    const code = p[0] === undefined || p[0] < 0 ? 0 : p[0];
    if (p.length > 1) {
      // Colon sub-parameters: the whole extended colour lives in this one parameter.
      if (code === 38 || code === 48 || code === 58) {
        const { color } = extendedColor(p.slice(1), true);
        if (code === 58) continue; // underline colour: not rendered
        if (color !== null) {
          if (code === 38) s.fg = color;
          else s.bg = color;
        }
      } else if (code === 4) {
        s.flags = (p[1] ?? 0) > 0 ? s.flags | UNDERLINE : s.flags & ~UNDERLINE;
      }
      continue;
    }
    if (code === 38 || code === 48 || code === 58) {
      const rest: number[] = [];
      for (let j = i + 1; j < params.length && j <= i + 5; j++) rest.push(params[j]?.[0] ?? -1);
      const { color, used } = extendedColor(rest, false);
      if (color !== null && code !== 58) {
        if (code === 38) s.fg = color;
        else s.bg = color;
      }
      i += used;
      continue;
    }
    applyCode(s, code);
  }
}

/** One plain SGR code (not 38/48/58) applied to `s`: applySgr's per-code step, also used by ingest's fast path. */
export function applyCode(s: Sgr, code: number): void {
  if (code >= 30 && code <= 37) s.fg = code - 30;
  else if (code >= 90 && code <= 97) s.fg = code - 90 + 8;
  else if (code >= 40 && code <= 47) s.bg = code - 40;
  else if (code >= 100 && code <= 107) s.bg = code - 100 + 8;
  else {
    switch (code) {
      case 0:
        s.flags = 0;
        s.fg = DEFAULT_COLOR;
        s.bg = DEFAULT_COLOR;
        break;
      case 1: s.flags |= BOLD; break;
      case 2: s.flags |= DIM; break;
      case 3: s.flags |= ITALIC; break;
      case 4: case 21: s.flags |= UNDERLINE; break;
      case 7: s.flags |= INVERSE; break;
      case 8: s.flags |= CONCEAL; break;
      case 9: s.flags |= STRIKE; break;
      case 22: s.flags &= ~(BOLD | DIM); break;
      case 23: s.flags &= ~ITALIC; break;
      case 24: s.flags &= ~UNDERLINE; break;
      case 27: s.flags &= ~INVERSE; break;
      case 28: s.flags &= ~CONCEAL; break;
      case 29: s.flags &= ~STRIKE; break;
      case 39: s.fg = DEFAULT_COLOR; break;
      case 49: s.bg = DEFAULT_COLOR; break;
      default: break; // blink, fonts, overline, underline colour…: not rendered
    }
  }
}
