/**
 * The terminal screen of a step (issue 13): see lib/ingest/README.md "Screen".
 */

/**
 * Text budget of a step's screen (characters of the stored, canonical text of its rows): rows
 * above it are final, like rows above SCREEN_ROWS. The writer reads the screen with this as the
 * range budget, so a screen of huge rows costs at most this much memory per batch.
 */
export const SCREEN_MAX_CHARS = 1024 * 1024;
