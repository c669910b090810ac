/** OSC 8 hyperlinks: only plain http(s) URLs survive ingest and rendering. */

/** Longer URLs are dropped (the text stays); also bounds the carried state. */
export const MAX_LINK_URL_CHARS = 2048;

// No whitespace or controls: the URL is written inside an escape sequence terminated by
// ESC \ (so no ESC in it) and, escaped, into an HTML attribute by the renderer.
const SAFE_URL = /^https?:\/\/[^\s\x00-\x1f\x7f-\x9f]+$/i;

export function isSafeLinkUrl(url: string): boolean {
  return url.length <= MAX_LINK_URL_CHARS && SAFE_URL.test(url);
}

export function linkOpen(url: string): string {
  return `\x1b]8;;${url}\x1b\\`;
}

export const LINK_CLOSE = '\x1b]8;;\x1b\\';
