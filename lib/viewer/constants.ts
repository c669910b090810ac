/**
 * Lines per range request. Pages are aligned (page p holds lines p*PAGE_SIZE+1 ..
 * (p+1)*PAGE_SIZE) so React Query caches and dedupes them by key.
 */
export const PAGE_SIZE = 500;

/**
 * Most rows one virtual list holds. Chromium caps an element's height at ~33.5M px (about
 * 1.6M rows of 20 px); 500k rows stay well inside that even when some rows wrap.
 */
export const MAX_WINDOW_ROWS = 500_000;

/**
 * The viewer's "show all" cut-off: a line longer than this many characters (code points) is
 * rendered up to here with a "show all" control that renders the whole line (up to
 * MAX_LINE_BYTES). Keeps a row's markup small; unrelated to renderLineHtml's own default.
 */
export const DISPLAY_LINE_CHARS = 1_000;

/** Live lines kept per step in memory; older ones are served again by range requests. */
export const LIVE_KEEP_LINES = 5_000;

/** Highest line number a deep link may name (API line numbers are far below this). */
export const MAX_LINK_LINE = 1_000_000_000;
