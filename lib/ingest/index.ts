import type { Group, Line, MarkerDialect, StepErrors } from '../contracts';
import { createErrorIndex, errorSummary, parseErrorIndex, type ErrorIndexJson } from '../triage';
import { DialectRouter } from './dialects';
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
   * The step's error summary (StepMeta.errors) if this batch added error lines, else null. Its
   * index is in `state` (lib/triage), fed every stored line's masked text in order.
   */
  errors: StepErrors | null;
  /**
   * `::add-mask::` values found in this batch that `masks` did not hold (already applied to
   * their own line and the batch's later lines): the caller registers them with the store.
   */
  newMasks: string[];
  /** JSON-serialisable step state for the next call */
  state: unknown;
}

export interface IngestOptions {
  /** the step's declared marker dialect (StepMeta.markers); default `auto` */
  markers?: MarkerDialect;
}

/**
 * Raw lines of one step → stored lines. Per line, in order: `\r`/escape collapse with the
 * carried pen (lib/ansi/terminal.ts); `::add-mask::` on the visible text; masks and their
 * encoded forms applied to the visible text and link URLs (the marker line too); GitLab sections
 * from the raw text, then GitHub/Buildkite markers from the masked visible text, counted as the
 * step's dialect says (dialects.ts); group names masked. Marker lines are stored like any
 * other line (GitHub/Buildkite markers keep their text; a GitLab marker is erased by its own
 * `\r ESC[0K`). Each stored (masked, canonical) text goes through the step's error index
 * (lib/triage): a line at or below the index's last line is not counted again.
 */
export function ingestLines(state: unknown | null, lines: RawLine[], masks: readonly string[], options: IngestOptions = {}): IngestOutput {
  const st = parseState(state);
  const tracker = new GroupTracker(st);
  const dialects = new DialectRouter(st, tracker, options.markers ?? 'auto');
  const active = masks.filter(isUsableMask);
  let matcher = maskMatcher(active);
  const newMasks: string[] = [];
  let pen = penFromState(st);
  const out: Line[] = [];
  const errors = createErrorIndex(st.errors);
  const errorsBefore = errors.count();

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
    let sections = findSectionMarkers(raw.text);
    if (sections.length > 0) {
      sections = sections.map((m) => {
        const ranges = matcher.ranges(m.name);
        return ranges.length === 0 ? m : { ...m, name: replaceRanges(m.name, ranges) };
      });
    }
    dialects.line(n, ts, raw.text, line.maskedVisible, line.ts !== null, sections, findLineMarker(line.maskedVisible));
    st.lastTs = ts;
    errors.add(n, line.text, raw.stream);
    out.push({ n, ts, stream: raw.stream, text: line.text });
  }

  st.pen = penToState(pen);
  st.errors = errors.toJSON();
  return {
    lines: out,
    groups: tracker.changed ? cloneGroups(st.groups) : null,
    errors: errors.count() !== errorsBefore ? errorSummary(errors) : null,
    newMasks,
    state: st,
  };
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

/**
 * The error index kept in a step's stored ingest state (LogStore.getStepState), validated; null
 * when there is none (no state yet, a step stored before error lines were recognised, or an
 * index that fails validation).
 */
export function stepErrorIndex(state: unknown): ErrorIndexJson | null {
  if (typeof state !== 'object' || state === null || !('errors' in state)) return null;
  return parseErrorIndex(state.errors);
}

function cloneGroups(groups: readonly Group[]): Group[] {
  return groups.map((g) => ({ ...g }));
}
