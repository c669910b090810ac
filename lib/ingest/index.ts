import type { Group, Line, MarkerDialect, StepErrors } from '../contracts';
import { createErrorIndex, errorSummary, parseErrorIndex, type ErrorIndexJson } from '../triage';
import { DialectRouter } from './dialects';
import { GroupTracker } from './groups';
import { canonicalLine } from './line';
import { findLineMarker, findSectionMarkers } from './markers';
import { maskMatcher } from './mask-matcher';
import { isUsableMask, parseAddMask, replaceRanges } from './masks';
import { ingestWithScreen } from './screen-batch';
import { parseState, penFromState, penToState, type IngestState } from './state';

export { createBodyLineSplitter, type BodyLineSplitter } from './body-line-splitter';
export { MAX_GROUPS } from './state';
export { SCREEN_MAX_CHARS } from '../ansi/screen';
export { MAX_MASK_CHARS, MAX_MASKS_PER_JOB, MIN_MASK_CHARS, maskPlain } from './masks';

/** One decoded line, no trailing `\n`; may contain `\r` and escapes. */
export interface RawLine {
  n: number;
  ts: number;
  stream: 'out' | 'err';
  text: string;
  /**
   * `false`: no LF followed the line (a text/plain body's last bytes; the writer's `toRaw`). If it
   * leaves the cursor on the fresh row below the last with nothing written there (only SGR,
   * moves, erases), it creates no row (README "Screen": a terminal creates a row once something
   * is written to it or an LF passes through it); its pen, moves and `produced` still apply.
   * Absent (NDJSON records, lines followed by LF): the line's implicit LF creates its row.
   */
  eol?: false;
}

export interface IngestOutput {
  /**
   * The rows this batch created, numbered `rows + 1`… (dense), with their text as of the batch
   * end (canonical, masked); ts/stream of the producer line that last wrote them (ts replaced by
   * a Buildkite timestamp). Without cursor-up-like controls, producer line k is row k: the same
   * n/ts/stream as the input.
   */
  lines: Line[];
  /**
   * Rows at or below `rows` (the step's rows before this batch, all within the screen: `rows -
   * SCREEN_ROWS < n`) whose text this batch changed (AppendBatch.updates), ascending.
   */
  updates: Line[];
  /** the producer's last line number after this batch (the last input `n`; AppendBatch.produced) */
  produced: number;
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
  /**
   * The step's stored line count before this batch (StepMeta.lines). Default: the first input
   * line's `n - 1`, less the producer's lead over the rows recorded in the state (a producer
   * line number is the row number while no screen merged lines).
   */
  rows?: number;
  /**
   * The step's last stored lines (`readLines(max(1, rows - SCREEN_ROWS + 1), SCREEN_ROWS,
   * SCREEN_MAX_CHARS)`), needed when `needsScreen` says so (else ignored). A reply cut short by
   * the byte budget is fine: rows of the screen that are not given (or past SCREEN_MAX_CHARS of
   * text) become final, and the screen starts below them.
   */
  screen?: readonly Line[];
}

/** CSI finals that move the cursor to another row or change other rows (A B E F H f d J L M u), ESC 8, ESC M. */
const SCREEN_CONTROL = /\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[ABEFHJLMdfu]|[8M])/;

/**
 * True when ingesting `lines` may read or change rows already stored, so the writer must pass
 * the step's screen (`options.screen`): a line has a cursor move to another row, an erase in
 * display, an insert/delete line or a cursor restore, or the state's cursor is not on the fresh
 * row below the last (`rows`: the step's stored line count, as `options.rows`). Plain logs never
 * need it (the write path then reads nothing more than today).
 */
export function needsScreen(state: unknown | null, lines: readonly RawLine[], rows?: number): boolean {
  // called for every batch: the state's three numbers are read without validating it all
  // (ingestLines does; a state it refuses only costs a screen read here)
  const loose: Pick<IngestState, 'cur' | 'rows' | 'produced'> = {};
  if (typeof state === 'object' && state !== null) {
    const { cur, rows: stRows, produced } = state as Record<string, unknown>;
    if (typeof cur === 'number') loose.cur = cur;
    if (typeof stRows === 'number') loose.rows = stRows;
    if (typeof produced === 'number') loose.produced = produced;
  }
  return screenNeeded(loose, lines, rowsBefore(loose, lines, rows));
}

function screenNeeded(st: Pick<IngestState, 'cur'>, lines: readonly RawLine[], rows: number): boolean {
  if (lines.length === 0) return false;
  if (st.cur !== undefined && st.cur <= rows) return true;
  for (const raw of lines) if (raw.text.includes('\x1b') && SCREEN_CONTROL.test(raw.text)) return true;
  return false;
}

/**
 * The caller's `rows`, else the row before the first input line: its producer number less the
 * producer's lead over the rows that the state recorded (0 while no screen merged lines).
 */
function rowsBefore(st: Pick<IngestState, 'rows' | 'produced'>, lines: readonly RawLine[], rows: number | undefined): number {
  if (rows !== undefined) return rows;
  const lead = st.produced !== undefined && st.rows !== undefined ? st.produced - st.rows : 0;
  return Math.max(0, (lines[0]?.n ?? (st.produced ?? st.rows ?? 0) + 1) - 1 - lead);
}

/**
 * Raw lines of one step → stored lines. Per line, in order: `\r`/escape collapse with the
 * carried pen (lib/ansi/terminal.ts); `::add-mask::` on the visible text; masks and their
 * encoded forms applied to the visible text and link URLs (the marker line too); GitLab sections
 * from the raw text, then GitHub/Buildkite markers from the masked visible text, counted as the
 * step's dialect says (dialects.ts); group names masked. Marker lines are stored like any
 * other line (GitHub/Buildkite markers keep their text; a GitLab marker is erased by its own
 * `\r ESC[0K`). Each stored (masked, canonical) text goes through the step's error index
 * (lib/triage): a line at or below the index's last line is not counted again. A line without
 * LF (`eol: false`) that writes nothing and holds no GitLab section creates no row (nor marker,
 * error or `lastTs`): its pen carries and `produced` counts it.
 */
export function ingestLines(state: unknown | null, lines: RawLine[], masks: readonly string[], options: IngestOptions = {}): IngestOutput {
  const st = parseState(state);
  const rows = rowsBefore(st, lines, options.rows);
  if (screenNeeded(st, lines, rows)) return ingestWithScreen(st, lines, masks, options, rows);
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
    let sections = findSectionMarkers(raw.text);
    // no LF after it and nothing written (RawLine.eol): no row; the pen carries
    if (raw.eol === false && line.visible === '' && sections.length === 0) continue;
    const n = rows + out.length + 1;
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
  const produced = lines.length > 0 ? (lines[lines.length - 1] as RawLine).n : (st.produced ?? rows);
  setCounts(st, rows + out.length, produced);
  // no row control: the cursor is on the fresh row below the last
  delete st.cur;
  return {
    lines: out,
    updates: [],
    produced,
    groups: tracker.changed ? cloneGroups(st.groups) : null,
    errors: errors.count() !== errorsBefore ? errorSummary(errors) : null,
    newMasks,
    state: st,
  };
}

/** Records the row count and the producer's number (kept only while they differ). */
export function setCounts(st: IngestState, rows: number, produced: number): void {
  st.rows = rows;
  if (produced !== rows) st.produced = produced;
  else delete st.produced;
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
