import type { Group, Line } from '../contracts';
import { GroupTracker } from './groups';
import { canonicalLine } from './line';
import { findLineMarker, findSectionMarkers } from './markers';
import { maskMatcher } from './mask-matcher';
import { isUsableMask, parseAddMask, replaceRanges } from './masks';
import { parseState, penFromState, penToState } from './state';

export { createBodyLineSplitter, type BodyLineSplitter } from './body-line-splitter';
export { MAX_GROUPS } from './state';
export { MAX_MASK_CHARS, MAX_MASKS_PER_JOB, MIN_MASK_CHARS, maskPlain } from './masks';

/** One decoded line, no trailing `\n`; may contain `\r` and escapes. */
export interface RawLine {
  n: number;
  ts: number;
  stream: 'out' | 'err';
  text: string;
}

export interface IngestOutput {
  /** same n/ts/stream as the input (ts replaced by a Buildkite timestamp), text canonical */
  lines: Line[];
  /** the step's full group list if it changed in this batch, else null */
  groups: Group[] | null;
  /**
   * `::add-mask::` values found in this batch that `masks` did not hold (already applied to
   * their own line and the batch's later lines): the caller registers them with the store.
   */
  newMasks: string[];
  /** JSON-serialisable step state for the next call */
  state: unknown;
}

/**
 * Raw lines of one step → stored lines. Per line, in order: `\r`/escape collapse with the
 * carried pen (lib/ansi/terminal.ts); `::add-mask::` on the visible text; masks and their
 * encoded forms applied to the visible text and link URLs (the marker line too); GitLab sections from the raw text, then GitHub/Buildkite markers from the
 * masked visible text; group names masked. Marker lines are stored like any other line
 * (GitHub/Buildkite markers keep their text; a GitLab marker is erased by its own `\r ESC[0K`).
 */
export function ingestLines(state: unknown | null, lines: RawLine[], masks: readonly string[]): IngestOutput {
  const st = parseState(state);
  const tracker = new GroupTracker(st);
  const active = masks.filter(isUsableMask);
  let matcher = maskMatcher(active);
  const newMasks: string[] = [];
  let pen = penFromState(st);
  const out: Line[] = [];

  for (const raw of lines) {
    const line = canonicalLine(raw.text, pen, () => matcher, (visible) => {
      const value = parseAddMask(visible);
      if (value === null) return null;
      if (!active.includes(value) && !newMasks.includes(value)) {
        newMasks.push(value);
        if (isUsableMask(value)) {
          active.push(value);
          matcher = maskMatcher(active);
        }
      }
      return value;
    });
    pen = line.end;
    const ts = line.ts ?? raw.ts;
    const n = raw.n;
    for (const m of findSectionMarkers(raw.text)) {
      const ranges = matcher.ranges(m.name);
      const name = ranges.length === 0 ? m.name : replaceRanges(m.name, ranges);
      if (m.kind === 'section-start') tracker.sectionStart(n, name, m.ts ?? ts, m.collapsed);
      else tracker.sectionEnd(n, name, m.ts ?? ts);
    }
    const marker = findLineMarker(line.maskedVisible);
    if (marker?.kind === 'github-start') tracker.githubStart(n, marker.name, ts);
    else if (marker?.kind === 'github-end') tracker.githubEnd(n, ts);
    else if (marker?.kind === 'buildkite-start') tracker.buildkiteStart(n, marker.name, marker.collapsed, ts);
    else if (marker?.kind === 'buildkite-expand') tracker.buildkiteExpand();
    st.lastTs = ts;
    out.push({ n, ts, stream: raw.stream, text: line.text });
  }

  st.pen = penToState(pen);
  return { lines: out, groups: tracker.changed ? cloneGroups(st.groups) : null, newMasks, state: st };
}

/** Closes the groups still open at step end (their end = lastLine); null if none was open. */
export function finishStep(state: unknown | null, lastLine: number, ts: number): Group[] | null {
  const st = parseState(state);
  const tracker = new GroupTracker(st);
  // An implicitly ended group ends with the step's last line: its time, when known, not the
  // moment the step was marked done (replayed or late-reported logs would get huge durations).
  tracker.finish(lastLine, st.lastTs ?? ts);
  return tracker.changed ? cloneGroups(st.groups) : null;
}

function cloneGroups(groups: readonly Group[]): Group[] {
  return groups.map((g) => ({ ...g }));
}
