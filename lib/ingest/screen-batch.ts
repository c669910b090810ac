import 'server-only';
import { SCREEN_ROWS, type Line, type Stream } from '../contracts/lines';
import { cellsOfCanonical, SCREEN_MAX_CHARS, TerminalScreen, type SavedCursor } from '../ansi/screen';
import { PenTable, type Cells } from '../ansi/terminal';
import { createErrorIndex, errorSummary } from '../triage';
import { DialectRouter } from './dialects';
import { GroupTracker } from './groups';
import type { IngestOptions, IngestOutput, RawLine } from './index';
import { canonicalRow, maskPen, withValue } from './line';
import { findLineMarker, findSectionMarkers } from './markers';
import { maskMatcher } from './mask-matcher';
import { isUsableMask, parseAddMask, replaceRanges } from './masks';
import { penFromState, penToState, type IngestState } from './state';

/**
 * A batch that reads or changes rows already stored (index.ts `needsScreen`): the producer
 * lines go through the step's terminal screen (lib/ansi/screen.ts), loaded from
 * `options.screen`. Per producer line: the screen is fed the line and its LF; `::add-mask::` is
 * looked for in the visible text of the row the LF leaves; GitLab sections in the raw text and
 * line markers in that row's masked visible text, when the row is new (a marker drawn on a
 * rewritten row opens nothing). At the batch end every row the batch touched is serialized
 * with the masks known then (a secret completed by a later rewrite is masked too): rows above
 * `rows` are the new lines, rows at or below whose text changed the updates; the error index
 * classifies the new rows in order and re-classifies the updated ones. A line without LF
 * (`eol: false`, no GitLab section in it) that leaves the cursor on the fresh row with nothing
 * written there gets no LF (TerminalScreen.skipUnwrittenRow): no row, no marker, no `lastTs`.
 */
export function ingestWithScreen(st: IngestState, lines: readonly RawLine[], masks: readonly string[], options: IngestOptions, rows: number): IngestOutput {
  const tracker = new GroupTracker(st);
  const dialects = new DialectRouter(st, tracker, options.markers ?? 'auto');
  const active = masks.filter(isUsableMask);
  let matcher = maskMatcher(active);
  const newMasks: string[] = [];
  const errors = createErrorIndex(st.errors);
  const errorsBefore = errors.count();

  const { screen, old } = loadScreen(st, options.screen ?? [], rows);
  /**
   * ts and stream of the rows touched: a stored row keeps its own, a new row has those of the
   * producer line that created it (so the result does not depend on how lines were batched)
   */
  const meta = new Map<number, { ts: number; stream: Stream }>();
  /** a row's own `::add-mask::` value (hidden on it even when too long to register) */
  const ownValue = new Map<number, string>();
  let markerRow = rows;
  for (const raw of lines) {
    const stamp = screen.feed(raw.text);
    // no LF after it (RawLine.eol): nothing written on the fresh row creates no row
    const noRow = raw.eol === false && findSectionMarkers(raw.text).length === 0 && screen.skipUnwrittenRow();
    const left = noRow ? null : screen.lineFeed();
    const ts = stamp ?? raw.ts;
    for (const n of screen.takeTouched()) {
      if (n > screen.last || meta.has(n)) continue;
      const before = old.get(n);
      meta.set(n, before ? { ts: before.ts, stream: before.stream } : { ts, stream: raw.stream });
    }
    if (left === null) continue;
    const cells = screen.cellsOf(left) as Cells;
    const visible = cells.chars.join('');
    const value = parseAddMask(visible);
    if (value !== null) {
      ownValue.set(left, value);
      if (!active.includes(value) && !newMasks.includes(value)) {
        newMasks.push(value);
        if (isUsableMask(value)) {
          active.push(value);
          matcher = maskMatcher(active);
        }
      }
    }
    if (left > markerRow) {
      markerRow = left;
      const ranges = withValue(matcher.ranges(visible), visible, value);
      const maskedVisible = ranges.length === 0 ? visible : replaceRanges(visible, ranges);
      let sections = findSectionMarkers(raw.text);
      if (sections.length > 0) {
        sections = sections.map((m) => {
          const r = matcher.ranges(m.name);
          return r.length === 0 ? m : { ...m, name: replaceRanges(m.name, r) };
        });
      }
      dialects.line(left, ts, raw.text, maskedVisible, stamp !== null, sections, findLineMarker(maskedVisible));
    }
    st.lastTs = ts;
  }

  const penTable = screen.table.pens.map((p) => maskPen(p, matcher));
  const text = (n: number): string => {
    const cells = screen.cellsOf(n) as Cells;
    return canonicalRow(cells.chars, cells.pens, penTable, matcher, ownValue.get(n) ?? null).text;
  };
  const last = lines[lines.length - 1] as RawLine;
  const updates: Line[] = [];
  const firstBefore = errors.first()?.n ?? null;
  for (const n of [...meta.keys()].filter((k) => k <= rows).sort((a, b) => a - b)) {
    const before = old.get(n);
    const after = text(n);
    if (before === undefined || before.text === after) continue;
    const m = meta.get(n) as { ts: number; stream: Stream };
    updates.push({ n, ts: m.ts, stream: m.stream, text: after });
    errors.replace(n, before.text, after, m.stream);
  }
  const out: Line[] = [];
  for (let n = rows + 1; n <= screen.last; n++) {
    const m = meta.get(n) ?? { ts: last.ts, stream: last.stream };
    const line: Line = { n, ts: m.ts, stream: m.stream, text: text(n) };
    errors.add(n, line.text, line.stream);
    out.push(line);
  }

  const errorsChanged = (errors.first()?.n ?? null) !== firstBefore;
  st.pen = penToState(maskPen(screen.cursor.pen, matcher));
  st.errors = errors.toJSON();
  st.rows = screen.last;
  if (last.n !== screen.last) st.produced = last.n;
  else delete st.produced;
  if (screen.row <= screen.last) st.cur = screen.row;
  else delete st.cur;
  if (screen.top > Math.max(1, screen.last - SCREEN_ROWS + 1)) st.top = screen.top;
  else delete st.top;
  if (screen.saved) st.saved = { row: screen.saved.row, col: screen.saved.col, pen: penToState(maskPen(screen.saved.pen, matcher)) };
  else delete st.saved;
  return {
    lines: out,
    updates,
    produced: last.n,
    groups: tracker.changed ? st.groups.map((g) => ({ ...g })) : null,
    // a rewrite may take the count back to 0: then the summary says so (StepMeta.errors replaced)
    errors: errors.count() !== errorsBefore || errorsChanged ? (errorSummary(errors) ?? { count: 0, first: null, truncated: false }) : null,
    newMasks,
    state: st,
  };
}

/**
 * The screen as the state and the stored rows give it: rows `top`…`rows`, where `top` is the
 * highest of the state's top and `rows - SCREEN_ROWS + 1`, moved down past any row missing from
 * `given` (a range reply cut by its byte budget) and past SCREEN_MAX_CHARS of text, counted from
 * the last row up. Rows above it are final.
 */
function loadScreen(st: IngestState, given: readonly Line[], rows: number): { screen: TerminalScreen; old: Map<number, Line> } {
  const lowest = Math.max(1, st.top ?? 1, rows - SCREEN_ROWS + 1);
  const byRow = new Map<number, Line>();
  for (const line of given) if (line.n >= lowest && line.n <= rows) byRow.set(line.n, line);
  let top = rows + 1;
  let chars = 0;
  for (let n = rows; n >= lowest; n--) {
    const line = byRow.get(n);
    if (!line) break;
    chars += line.text.length;
    if (chars > SCREEN_MAX_CHARS) break;
    top = n;
  }
  const table = new PenTable();
  const old = new Map<number, Line>();
  const cells: Cells[] = [];
  for (let n = top; n <= rows; n++) {
    const line = byRow.get(n) as Line;
    old.set(n, line);
    cells.push(cellsOfCanonical(line.text, table));
  }
  const saved: SavedCursor | null = st.saved ? { row: st.saved.row, col: st.saved.col, pen: penFromState({ ...st, pen: st.saved.pen }) } : null;
  const screen = new TerminalScreen({ top, rows: cells, row: st.cur ?? rows + 1, pen: penFromState(st), saved, table });
  return { screen, old };
}
