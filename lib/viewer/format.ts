/** Durations the way a build log reader wants them: short, stable width per unit. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** The duration between two epoch-ms stamps; a missing end means "still running" (`now`). */
export function elapsed(startedAt: number | null, endedAt: number | null, now: number): number | null {
  if (startedAt === null) return null;
  return Math.max(0, (endedAt ?? now) - startedAt);
}

/**
 * One formatter for every count: `Number.prototype.toLocaleString` builds a new
 * Intl.NumberFormat per call (about a tenth of a millisecond), and counts are formatted in
 * rows and bars that re-render while scrolling.
 */
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}
