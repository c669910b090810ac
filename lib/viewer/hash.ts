import { isStepId } from '@/lib/contracts';
import { MAX_LINK_LINE } from './constants';

/**
 * Deep links (docs/api.md "Pages"). On a job page: `#{step}`, `#{step}:{n}`, `#{step}:{a}-{b}`.
 * On a step page: `#L{n}`, `#L{a}-L{b}`. The hash is user input: anything that does not
 * parse exactly (bad step id, zero, huge or non-decimal numbers, extra text) is ignored,
 * never echoed into the page.
 */
export interface LineRange {
  from: number;
  to: number;
}

export interface JobLink {
  step: string;
  /** absent for a link to the whole step */
  lines?: LineRange;
}

/** Longer hashes are not links we produce; refuse before running any regex on them. */
const MAX_HASH_LENGTH = 200;

function parseLineNumber(text: string): number | null {
  if (!/^[0-9]{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= MAX_LINK_LINE ? n : null;
}

function ordered(a: number, b: number): LineRange {
  return a <= b ? { from: a, to: b } : { from: b, to: a };
}

function stripHash(hash: string): string | null {
  if (hash.length > MAX_HASH_LENGTH) return null;
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export function parseJobHash(hash: string): JobLink | null {
  const body = stripHash(hash);
  if (!body) return null;
  const m = /^([^:]+)(?::([0-9]+)(?:-([0-9]+))?)?$/.exec(body);
  if (!m) return null;
  const step = m[1]!;
  if (!isStepId(step)) return null;
  if (m[2] === undefined) return { step };
  const a = parseLineNumber(m[2]);
  if (a === null) return null;
  if (m[3] === undefined) return { step, lines: { from: a, to: a } };
  const b = parseLineNumber(m[3]);
  return b === null ? null : { step, lines: ordered(a, b) };
}

export function formatJobHash(link: JobLink): string {
  if (!link.lines) return `#${link.step}`;
  const { from, to } = link.lines;
  return from === to ? `#${link.step}:${from}` : `#${link.step}:${from}-${to}`;
}

export function parseStepHash(hash: string): LineRange | null {
  const body = stripHash(hash);
  if (!body) return null;
  const m = /^L([0-9]+)(?:-L?([0-9]+))?$/.exec(body);
  if (!m) return null;
  const a = parseLineNumber(m[1]!);
  if (a === null) return null;
  if (m[2] === undefined) return { from: a, to: a };
  const b = parseLineNumber(m[2]);
  return b === null ? null : ordered(a, b);
}

export function formatStepHash(lines: LineRange): string {
  return lines.from === lines.to ? `#L${lines.from}` : `#L${lines.from}-L${lines.to}`;
}

/**
 * A click on line `n` selects it; a shift-click extends the current selection of the same
 * step from its first line (its anchor) to `n`.
 */
export function selectLine(current: JobLink | null, step: string, n: number, extend: boolean): JobLink {
  if (extend && current?.lines && current.step === step) return { step, lines: ordered(current.lines.from, n) };
  return { step, lines: { from: n, to: n } };
}

export function inRange(range: LineRange | undefined, n: number): boolean {
  return range !== undefined && range.from <= n && n <= range.to;
}
