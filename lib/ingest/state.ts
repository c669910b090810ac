import 'server-only';
import { z } from 'zod';
import { groupSchema, MAX_GROUP_DEPTH, type Group } from '../contracts/job';
import { ALL_FLAGS, DEFAULT_COLOR, MAX_COLOR } from '../ansi/sgr';
import { isSafeLinkUrl, MAX_LINK_URL_CHARS } from '../ansi/links';
import { DEFAULT_PEN, MAX_CURSOR_COLUMN, type Pen } from '../ansi/terminal';
import { parseErrorIndex, type ErrorIndexJson } from '../triage';

/**
 * A step's ingest state between calls, persisted by the store as JSON. Bounded: a pen is a
 * few numbers and a capped URL, at most MAX_GROUPS groups with capped names, at most
 * MAX_GROUP_DEPTH open groups. Anything that fails validation is treated as the initial state.
 */

/** Later markers are ignored: bounds the state and the step metadata. */
export const MAX_GROUPS = 1000;

export type OpenKind = 'github' | 'section' | 'buildkite';

/** The dialects a step can be locked to (lib/ingest/dialects.ts). */
export const DIALECTS = ['github', 'gitlab', 'travis', 'buildkite'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** Lines a hunk header may announce on each side: bounds the state, far beyond any diff. */
const MAX_HUNK_LINES = 1e9;

export interface IngestState {
  v: 1;
  pen: { flags: number; fg: number; bg: number; link: string | null };
  groups: Group[];
  /** open groups, outermost first: index into `groups`, dialect, section name */
  open: Array<{ index: number; kind: OpenKind; name: string }>;
  /** GitHub groups opened beyond MAX_GROUP_DEPTH and not yet ended */
  overflow: number;
  /** ts of the last line seen: endedAt of groups ended implicitly */
  lastTs: number | null;
  /** the dialect the step is locked to once one was recognised in it (absent: none yet) */
  dialect?: Dialect;
  /** old/new lines still due in the unified-diff hunk being printed (absent: not in a hunk) */
  hunk?: [number, number];
  /** the previous line was a diff's file header (`diff --git`, `index …`, a diff's `---`) */
  diffHead?: boolean;
  /**
   * A Buildkite `---` header opened a group on line `n` (ending the group at index `reopen`):
   * if `+++` and a hunk header `@@ -` follow, it was a diff and both groups are withdrawn.
   */
  pair?: { n: number; reopen: number | null };
  /**
   * The step's error index (lib/triage createErrorIndex, bounded by MAX_ERRORS_PER_STEP).
   * Absent: a step stored before error lines were recognised, or an index that failed
   * validation; a new one then starts with the next line (docs/triage.md "Stored with the step").
   */
  errors?: ErrorIndexJson;
  /**
   * The terminal screen (issue 13, lib/ansi/screen.ts), kept small: no row text. `rows`: rows
   * this state's ingest created (the step's stored line count); `produced`: the producer's last
   * line number, when it differs from `rows`; `cur`: the cursor's row when it is not the fresh
   * row below the last (`rows + 1`; the column is 0 after every producer line's LF); `top`: the
   * screen's first row when the char budget made rows below `rows - SCREEN_ROWS + 1` final;
   * `saved`: the cursor saved by `ESC 7` / `CSI s` (row, column, pen).
   */
  rows?: number;
  produced?: number;
  cur?: number;
  top?: number;
  saved?: { row: number; col: number; pen: { flags: number; fg: number; bg: number; link: string | null } };
}

/** a saved cursor column: at most the one-line model's bound on a line of MAX_LINE_BYTES */
const MAX_SCREEN_COLUMN = Math.max(MAX_CURSOR_COLUMN, 1024 * 1024);

const color = z.number().int().min(DEFAULT_COLOR).max(MAX_COLOR);

const penSchema = z.object({
  flags: z.number().int().min(0).max(ALL_FLAGS),
  fg: color,
  bg: color,
  link: z.string().max(MAX_LINK_URL_CHARS).refine(isSafeLinkUrl).nullable(),
});
/** a row or producer line number (the stores' line numbers fit well under it) */
const rowNumber = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const stateSchema = z.object({
  v: z.literal(1),
  pen: penSchema,
  groups: z.array(groupSchema).max(MAX_GROUPS),
  open: z
    .array(z.object({ index: z.number().int().nonnegative(), kind: z.enum(['github', 'section', 'buildkite']), name: z.string().max(200) }))
    .max(MAX_GROUP_DEPTH),
  overflow: z.number().int().nonnegative().max(1e9),
  lastTs: z.number().nullable(),
  dialect: z.enum(DIALECTS).optional(),
  hunk: z.tuple([z.number().int().min(0).max(MAX_HUNK_LINES), z.number().int().min(0).max(MAX_HUNK_LINES)]).optional(),
  diffHead: z.boolean().optional(),
  pair: z.object({ n: z.number().int().positive(), reopen: z.number().int().nonnegative().nullable() }).optional(),
  // validated by lib/triage parseErrorIndex (its own bounds) below
  errors: z.unknown().optional(),
  rows: rowNumber.optional(),
  produced: rowNumber.optional(),
  cur: rowNumber.min(1).optional(),
  top: rowNumber.min(1).optional(),
  saved: z.object({ row: rowNumber.min(1), col: z.number().int().min(0).max(MAX_SCREEN_COLUMN), pen: penSchema }).optional(),
});

export function initialState(): IngestState {
  return { v: 1, pen: { flags: 0, fg: DEFAULT_COLOR, bg: DEFAULT_COLOR, link: null }, groups: [], open: [], overflow: 0, lastTs: null };
}

export function parseState(state: unknown): IngestState {
  if (state === null || state === undefined) return initialState();
  const parsed = stateSchema.safeParse(state);
  if (!parsed.success) return initialState();
  const { errors, ...value }: Omit<IngestState, 'errors'> & { errors?: unknown } = parsed.data;
  if (value.open.some((o) => o.index >= value.groups.length)) return initialState();
  if (value.pair && value.pair.reopen !== null && value.pair.reopen >= value.groups.length) delete value.pair;
  const index = errors === undefined ? null : parseErrorIndex(errors);
  return index ? { ...value, errors: index } : value;
}

export function penFromState(state: IngestState): Pen {
  const { flags, fg, bg, link } = state.pen;
  if (flags === 0 && fg === DEFAULT_COLOR && bg === DEFAULT_COLOR && link === null) return { ...DEFAULT_PEN, sgr: { ...DEFAULT_PEN.sgr } };
  return { sgr: { flags, fg, bg }, link };
}

export function penToState(pen: Pen): IngestState['pen'] {
  return { flags: pen.sgr.flags, fg: pen.sgr.fg, bg: pen.sgr.bg, link: pen.link };
}
