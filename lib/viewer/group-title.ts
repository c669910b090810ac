import { plainText } from '@/lib/ansi/plain';

/**
 * Marker lines that ingest keeps verbatim (GitHub, Buildkite, older GitLab traces that write
 * `\e[0Ksection_start:TS:NAME` on a line of its own, Travis folds): their text is not a title.
 */
const RAW_MARKER = /^(?:::group::|##\[group\]|(?:---|\+\+\+|~~~) +\S|section_start:\d+:|travis_fold:start:)/;
/** Group headers are one row; a title longer than this is cut. */
const MAX_TITLE_CHARS = 300;

/**
 * What a group header shows in place of its marker line: the line's own text when it is a
 * title (GitLab keeps the text after `section_start…\e[0K`), else the group's name (GitHub
 * and Buildkite marker lines read `::group::NAME`, `--- NAME`). Plain text: the header is
 * React text, never HTML.
 */
export function groupTitle(name: string, markerText: string | undefined): string {
  if (markerText === undefined) return name;
  const text = plainText(markerText).trim();
  if (text === '' || RAW_MARKER.test(text)) return name;
  return text.length > MAX_TITLE_CHARS ? `${text.slice(0, MAX_TITLE_CHARS)}…` : text;
}

/** Closing marker lines (GitHub, GitLab): kept with their numbers, shown muted. */
const CLOSING_MARKER = /^(?:::endgroup::|##\[endgroup\]|section_end:\d+:|travis_fold:end:)/;

/** A marker sits at the start of its line: only a bounded head is looked at (lines can be 1 MiB). */
const MARKER_HEAD_CHARS = 512;

export function isClosingMarker(text: string): boolean {
  return CLOSING_MARKER.test(plainText(text.slice(0, MARKER_HEAD_CHARS)).trim());
}
