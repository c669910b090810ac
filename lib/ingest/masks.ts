import 'server-only';
/**
 * `::add-mask::VALUE` secrets. Values are matched on a line's visible text (after `\r`
 * collapse, without escape codes) and every covered character run becomes `***`; overlapping
 * or adjacent matches merge into one `***`.
 */

/** Shorter values would mask half the log (`::add-mask::a`): ignored, as GitHub does for "". */
export const MIN_MASK_CHARS = 3;
/** Longer values are ignored: bounds the per-line scan. */
export const MAX_MASK_CHARS = 4096;

const ADD_MASK = /^::add-mask::(.*)$/;

/** The value of an `::add-mask::` line (visible text), or null when none or unusable. */
export function parseAddMask(visible: string): string | null {
  const m = ADD_MASK.exec(visible);
  if (!m) return null;
  const value = (m[1] ?? '').trim();
  return isUsableMask(value) ? value : null;
}

export function isUsableMask(value: string): boolean {
  return value.length >= MIN_MASK_CHARS && value.length <= MAX_MASK_CHARS;
}

/** Sorted, merged [from, to) UTF-16 ranges of `text` covered by any mask. */
export function findMaskRanges(text: string, masks: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const mask of masks) {
    if (!isUsableMask(mask)) continue;
    for (let at = text.indexOf(mask); at >= 0; at = text.indexOf(mask, at + 1)) found.push([at, at + mask.length]);
  }
  if (found.length <= 1) return found;
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of found) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** `text` with every mask replaced by `***` (for names and other plain strings). */
export function maskPlain(text: string, masks: readonly string[]): string {
  const ranges = findMaskRanges(text, masks);
  return ranges.length === 0 ? text : replaceRanges(text, ranges);
}

/** `text` with each (sorted, disjoint) range replaced by `***`. */
export function replaceRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  let out = '';
  let at = 0;
  for (const [from, to] of ranges) {
    out += text.slice(at, from) + '***';
    at = to;
  }
  return out + text.slice(at);
}
