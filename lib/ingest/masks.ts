import 'server-only';
import { maskMatcher, type MaskRanges } from './mask-matcher';

/**
 * `::add-mask::VALUE` secrets. Values are matched on a line's visible text (after `\r`
 * collapse, without escape codes), in OSC 8 link URLs, and in group, step and job names, with
 * their encoded forms (mask-encodings.ts); every covered character run becomes `***`;
 * overlapping or adjacent matches merge into one `***`. The ordering guarantee across steps
 * and servers is the write path's (README "Masks").
 */

/** Shorter values would mask half the log (`::add-mask::a`): ignored, as GitHub does for "". */
export const MIN_MASK_CHARS = 3;
/** Longer values are not registered (refused by the store): bounds the matcher's memory. */
export const MAX_MASK_CHARS = 4096;

const DEFAULT_MAX_MASKS_PER_JOB = 100;

/**
 * Mask values one job may register. Each brings ~15 search patterns to every line of the
 * job; past the cap a new value is refused (409 quota_exceeded, `limit: "masks_per_job"`), and
 * nothing of the batch carrying it is stored. `LOGSCOPE_MAX_MASKS_PER_JOB` overrides it.
 */
export const MAX_MASKS_PER_JOB = positiveInt(process.env.LOGSCOPE_MAX_MASKS_PER_JOB) ?? DEFAULT_MAX_MASKS_PER_JOB;

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n > 0 ? n : null;
}

const ADD_MASK = /^::add-mask::(.*)$/;

/**
 * The value of an `::add-mask::` line (visible text), or null when none or too short. A value
 * longer than MAX_MASK_CHARS is returned too: the line still hides it, and the store refuses it.
 */
export function parseAddMask(visible: string): string | null {
  if (!visible.startsWith('::add-mask::')) return null;
  const m = ADD_MASK.exec(visible);
  if (!m) return null;
  const value = (m[1] ?? '').trim();
  return value.length >= MIN_MASK_CHARS ? value : null;
}

export function isUsableMask(value: string): boolean {
  return value.length >= MIN_MASK_CHARS && value.length <= MAX_MASK_CHARS;
}

/** Sorted, merged [from, to) UTF-16 ranges of `text` covered by any mask or its encoded forms. */
export function findMaskRanges(text: string, masks: readonly string[]): MaskRanges {
  return maskMatcher(masks.filter(isUsableMask)).ranges(text);
}

/** `text` with every mask replaced by `***` (for names and other plain strings). */
export function maskPlain(text: string, masks: readonly string[]): string {
  if (masks.length === 0 || text === '') return text;
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
