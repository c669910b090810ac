/**
 * The timestamp gutter (Shift+T): how a line's `ts` (ms since the epoch) is shown in each mode,
 * and the gaps between consecutive lines worth marking. Pure: the local time zone is passed in
 * (as the offset from UTC at a given instant), so the tests run the same in every zone.
 */

export const TIMESTAMP_MODES = ['off', 'local', 'utc', 'elapsed'] as const;
export type TimestampMode = (typeof TIMESTAMP_MODES)[number];

/** What the display menu and the shortcuts overlay call each mode. */
export const TIMESTAMP_LABELS: Readonly<Record<TimestampMode, string>> = {
  off: 'Off',
  local: 'Local time',
  utc: 'UTC',
  elapsed: 'Since step start',
};

/**
 * A pause between two consecutive lines longer than this is marked (`+42s` and a rule over the
 * line): long enough that ordinary output never trips it, short enough that a stalled download
 * or a slow test stands out.
 */
export const GAP_THRESHOLD_MS = 10_000;

/** Shift+T: off → local → UTC → since step start → off. */
export function nextTimestampMode(mode: TimestampMode): TimestampMode {
  return TIMESTAMP_MODES[(TIMESTAMP_MODES.indexOf(mode) + 1) % TIMESTAMP_MODES.length]!;
}

/** Minutes east of UTC at `ts`, as the browser's zone says (`Date#getTimezoneOffset` is west). */
export type ZoneOffset = (ts: number) => number;
export const browserZone: ZoneOffset = (ts) => -new Date(ts).getTimezoneOffset();

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `HH:MM:SS.mmm` of the wall clock `offsetMinutes` east of UTC. */
export function formatClock(ts: number, offsetMinutes: number): string {
  const t = (((Math.floor(ts) + offsetMinutes * 60_000) % DAY_MS) + DAY_MS) % DAY_MS;
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}.${pad(t % 1000, 3)}`;
}

/** `+M:SS.mmm`, `+H:MM:SS.mmm` past an hour; `-` for a line stamped before its step started. */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const t = Math.abs(Math.floor(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const rest = `${pad(Math.floor(t / 1000) % 60)}.${pad(t % 1000, 3)}`;
  return h > 0 ? `${sign}${h}:${pad(m)}:${rest}` : `${sign}${m}:${rest}`;
}

/**
 * A line's stamp in `mode` ('' for off, or for elapsed when the step has no start time).
 * `stepStart`: the step's `startedAt`.
 */
export function formatStamp(ts: number, mode: TimestampMode, stepStart: number | null, zone: ZoneOffset = browserZone): string {
  switch (mode) {
    case 'off':
      return '';
    case 'local':
      return formatClock(ts, zone(ts));
    case 'utc':
      return `${formatClock(ts, 0)}Z`;
    case 'elapsed':
      return stepStart === null ? '' : formatElapsed(ts - stepStart);
  }
}

/** The pause before a line (ms), when it is over the threshold; null otherwise or when unknown. */
export function gapBefore(previousTs: number | undefined, ts: number, threshold = GAP_THRESHOLD_MS): number | null {
  if (previousTs === undefined) return null;
  const gap = ts - previousTs;
  return gap > threshold ? gap : null;
}

/** A gap, short: `+42s`, `+3m05s`, `+2h07m`, `+31h`. */
export function formatGap(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `+${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `+${m}m${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  return h < 24 ? `+${h}h${pad(m % 60)}m` : `+${h}h`;
}

/** What the gutter shows for one line: its stamp, and the gap marker before it (if any). */
export interface LineStamp {
  ts: string;
  gap: string | null;
}

/** The gutter of a line (`ts` undefined: not loaded yet, an empty cell keeps the column). */
export function stampLine(ts: number | undefined, previousTs: number | undefined, mode: TimestampMode, stepStart: number | null, zone: ZoneOffset = browserZone): LineStamp {
  if (ts === undefined) return { ts: '', gap: null };
  const gap = gapBefore(previousTs, ts);
  return { ts: formatStamp(ts, mode, stepStart, zone), gap: gap === null ? null : formatGap(gap) };
}
