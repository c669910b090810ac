import type { StepMeta } from '@/lib/contracts';
import { formatCount } from './format';
import type { JobLink } from './hash';
import { rowAt, type RowModel } from './rows';
import type { StepSection } from './sections';

/*
 * Next / previous error (`e` / `E`, the toolbar's buttons): which error line comes after or
 * before a position, across steps and groups, from the job's error index (docs/triage.md).
 *
 * What the viewer knows of a step's errors comes in two sizes:
 * - always, from the step's metadata (`StepMeta.errors`): how many, and the first one;
 * - once fetched (GET …/steps/{step}/errors, fetched when a move needs it): the kept error lines
 *   themselves (the first MAX_ERRORS_PER_STEP of them; a `truncated` step has more, counted only).
 * So going forward into another step never needs a fetch (its first error is known); going
 * forward within a step, or backward into a step with several errors, needs that step's list,
 * and the answer then says which step to fetch. The caller fetches and asks again.
 *
 * Order: steps in the job's order, lines ascending; past the last error it wraps to the first,
 * before the first to the last.
 */

/** The error lines of a step fetched so far: ascending, from its first kept error. */
export interface StepErrorList {
  lines: readonly number[];
  /** every kept error line is in `lines` (the last page said `next: null`) */
  complete: boolean;
}

export interface ErrorStep {
  step: string;
  /** error lines seen in the step */
  count: number;
  first: number | null;
  truncated: boolean;
  /** the fetched list, if any */
  list?: StepErrorList;
}

/**
 * Where a move starts: a selected line (`on`: the move goes strictly after or before it), or
 * the row at the top of the screen (not `on`: the next error may be that very line). `n` is 0
 * on a step's header.
 */
export interface ErrorPosition {
  step: string;
  n: number;
  on: boolean;
}

export type ErrorMove = { kind: 'go'; step: string; n: number } | { kind: 'fetch'; step: string } | { kind: 'none' };

/** The ids of the steps a row model shows (a step the user hid holds no error to go to). */
export function shownSteps(model: RowModel): Set<string> {
  const out = new Set<string>();
  for (const s of model.segments) if (s.kind === 'step') out.add(s.section.step.id);
  return out;
}

/** The steps the viewer shows (`shown`, default all), in order, with what their metadata says of their errors. */
export function errorSteps(sections: readonly StepSection[], lists: ReadonlyMap<string, StepErrorList>, onlyStep?: string, shown?: ReadonlySet<string>): ErrorStep[] {
  const out: ErrorStep[] = [];
  for (const s of sections) {
    if (onlyStep !== undefined && s.step.id !== onlyStep) continue;
    if (shown && !shown.has(s.step.id)) continue;
    const e = s.step.errors;
    const list = lists.get(s.step.id);
    out.push({ step: s.step.id, count: e?.count ?? 0, first: e?.first ?? null, truncated: e?.truncated ?? false, ...(list ? { list } : {}) });
  }
  return out;
}

/** Has errors we can go to. */
function hasErrors(s: ErrorStep): boolean {
  return s.count > 0 && s.first !== null;
}

/** The first error of `s` after `n` (at or after, unless `strict`), or whether its list is needed. */
function forwardIn(s: ErrorStep, n: number, strict: boolean): ErrorMove {
  if (!hasErrors(s)) return { kind: 'none' };
  const after = (x: number) => (strict ? x > n : x >= n);
  if (after(s.first!)) return { kind: 'go', step: s.step, n: s.first! };
  if (s.count === 1) return { kind: 'none' };
  if (!s.list) return { kind: 'fetch', step: s.step };
  const hit = s.list.lines.find(after);
  if (hit !== undefined) return { kind: 'go', step: s.step, n: hit };
  return s.list.complete ? { kind: 'none' } : { kind: 'fetch', step: s.step };
}

/** The last error of `s` before line `n` (Infinity: its last error), or whether its list is needed. */
function backwardIn(s: ErrorStep, n: number): ErrorMove {
  if (!hasErrors(s) || s.first! >= n) return { kind: 'none' };
  if (s.count === 1) return { kind: 'go', step: s.step, n: s.first! };
  if (!s.list) return { kind: 'fetch', step: s.step };
  const lines = s.list.lines;
  const last = lines[lines.length - 1];
  // more kept errors may lie between the last fetched one and n
  if (!s.list.complete && (last === undefined || last < n)) return { kind: 'fetch', step: s.step };
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]! < n) return { kind: 'go', step: s.step, n: lines[i]! };
  return { kind: 'go', step: s.step, n: s.first! };
}

/**
 * The error after (`direction` 1) or before (-1) `pos`, wrapping around the job; `pos` null
 * (or on a step not shown) starts before the first step (forward) or after the last (backward).
 */
export function errorMove(steps: readonly ErrorStep[], pos: ErrorPosition | null, direction: 1 | -1): ErrorMove {
  const at = pos ? steps.findIndex((s) => s.step === pos.step) : -1;
  const count = steps.length;
  if (direction === 1) {
    const start = at < 0 ? 0 : at;
    // the step itself from the position, then the following ones from their start, wrapping
    // back to the position's step from its start
    for (let k = 0; k <= count; k++) {
      const i = (start + k) % count;
      const s = steps[i];
      if (!s) break;
      const fromPos = k === 0 && at >= 0 && pos;
      const move = fromPos ? forwardIn(s, pos.n, pos.on) : forwardIn(s, 0, true);
      if (move.kind !== 'none') return move;
    }
    return { kind: 'none' };
  }
  const start = at < 0 ? count - 1 : at;
  for (let k = 0; k <= count; k++) {
    const i = (((start - k) % count) + count) % count;
    const s = steps[i];
    if (!s) break;
    const fromPos = k === 0 && at >= 0 && pos;
    const move = backwardIn(s, fromPos ? pos.n : Infinity);
    if (move.kind !== 'none') return move;
  }
  return { kind: 'none' };
}

/** Errors in the job as the steps shown count them (`truncated`: some are counted, not listed). */
export function errorTotal(steps: readonly ErrorStep[]): { count: number; truncated: boolean } {
  let count = 0;
  let truncated = false;
  for (const s of steps) {
    count += s.count;
    truncated ||= s.truncated;
  }
  return { count, truncated };
}

/** 1-based rank of error line `n` of `step` among all the job's errors; null if unknown (its list not fetched) or not an error. */
export function errorOrdinal(steps: readonly ErrorStep[], step: string, n: number): number | null {
  let before = 0;
  for (const s of steps) {
    if (s.step !== step) {
      before += s.count;
      continue;
    }
    if (s.first === n) return before + 1;
    const i = s.list ? s.list.lines.indexOf(n) : -1;
    return i < 0 ? null : before + i + 1;
  }
  return null;
}

/** The count a narrow toolbar shows: "12", or "3/12" on one. */
export function errorCountShort(total: number, ordinal: number | null): string {
  return ordinal !== null ? `${formatCount(ordinal)}/${formatCount(total)}` : formatCount(total);
}

/** The count the toolbar shows: "12 errors", or "3 of 12 errors" on one. */
export function errorCountLabel(total: number, ordinal: number | null): string {
  const noun = total === 1 ? 'error' : 'errors';
  return ordinal !== null ? `${formatCount(ordinal)} of ${formatCount(total)} ${noun}` : `${formatCount(total)} ${noun}`;
}

/**
 * Where a move starts: the selection (its last line going forward, its first going back), else
 * the row at the top of the screen (`topRow`, a model index).
 */
export function errorPosition(selection: JobLink | null, model: RowModel, topRow: number, direction: 1 | -1): ErrorPosition | null {
  if (selection?.lines) return { step: selection.step, n: direction === 1 ? selection.lines.to : selection.lines.from, on: true };
  const row = rowAt(model, Math.max(0, Math.min(model.total - 1, topRow)));
  if (!row) return null;
  if (row.kind === 'step') return { step: row.section.step.id, n: 0, on: false };
  return { step: row.section.step.id, n: row.kind === 'group' ? row.group.start : row.n, on: false };
}

/**
 * The first error lines the step headers in rows `first..last` show (failed steps): runs for
 * the pages to fetch (or, on the server, to read), one line each.
 */
export function headerErrorRuns(model: RowModel, first: number, last: number): { step: string; from: number; to: number }[] {
  const out: { step: string; from: number; to: number }[] = [];
  for (const s of model.segments) {
    if (s.kind !== 'step' || s.first < first) continue;
    if (s.first > last) break;
    const n = failedStepFirstError(s.section.step);
    if (n !== null && n <= s.section.lines) out.push({ step: s.section.step.id, from: n, to: n });
  }
  return out;
}

/** The line a failed step's header shows: its first error's, null for any other step. */
export function failedStepFirstError(step: StepMeta): number | null {
  if (step.status !== 'failure' && step.status !== 'cancelled') return null;
  return step.errors && step.errors.count > 0 ? step.errors.first : null;
}
