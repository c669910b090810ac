import { isGroupOpen, isStepHidden, isStepOpen, type ViewState } from './collapse';
import type { GroupNode, StepSection } from './sections';

/**
 * The visible-row model: what a virtual list shows, headers included, without ever holding
 * one object per line (a step may have millions). Rows are stored as segments — a header, or
 * a run of consecutive lines at one depth — with the index of each segment's first row, so
 * "which row is index i" and "which index is line n" are binary searches.
 */
export type Segment =
  | { kind: 'step'; first: number; section: StepSection; open: boolean }
  | { kind: 'group'; first: number; section: StepSection; group: GroupNode; open: boolean }
  | { kind: 'lines'; first: number; section: StepSection; from: number; to: number; depth: number };

export type Row =
  | { kind: 'step'; section: StepSection; open: boolean }
  | { kind: 'group'; section: StepSection; group: GroupNode; open: boolean }
  | { kind: 'line'; section: StepSection; n: number; depth: number };

export interface RowModel {
  total: number;
  segments: Segment[];
}

function segmentSize(s: Segment): number {
  return s.kind === 'lines' ? s.to - s.from + 1 : 1;
}

export interface RowModelOptions {
  /** Show only this step (the `/jobs/{job}/steps/{step}` page); hidden flags are ignored. */
  onlyStep?: string;
}

export function buildRowModel(sections: readonly StepSection[], state: ViewState, options: RowModelOptions = {}): RowModel {
  const segments: Segment[] = [];
  let next = 0;
  const push = (s: Segment) => {
    segments.push(s);
    next += segmentSize(s);
  };
  const emitLines = (section: StepSection, from: number, to: number, depth: number) => {
    if (from <= to) push({ kind: 'lines', first: next, section, from, to, depth });
  };
  const emitRange = (section: StepSection, from: number, to: number, groups: readonly GroupNode[], depth: number) => {
    let cur = from;
    for (const group of groups) {
      emitLines(section, cur, group.start - 1, depth);
      const open = isGroupOpen(state, section, group);
      push({ kind: 'group', first: next, section, group, open });
      if (open) emitRange(section, group.start + 1, group.end, group.children, depth + 1);
      cur = group.end + 1;
    }
    emitLines(section, cur, to, depth);
  };
  for (const section of sections) {
    if (options.onlyStep !== undefined ? section.step.id !== options.onlyStep : isStepHidden(state, section.step)) continue;
    const open = isStepOpen(state, section);
    push({ kind: 'step', first: next, section, open });
    if (open) emitRange(section, 1, section.lines, section.groups, 0);
  }
  return { total: next, segments };
}

function segmentIndexAt(model: RowModel, index: number): number {
  let lo = 0;
  let hi = model.segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (model.segments[mid]!.first <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function rowAt(model: RowModel, index: number): Row | null {
  if (!Number.isInteger(index) || index < 0 || index >= model.total) return null;
  const s = model.segments[segmentIndexAt(model, index)];
  if (!s) return null;
  if (s.kind === 'lines') return { kind: 'line', section: s.section, n: s.from + (index - s.first), depth: s.depth };
  if (s.kind === 'step') return { kind: 'step', section: s.section, open: s.open };
  return { kind: 'group', section: s.section, group: s.group, open: s.open };
}

/**
 * The row showing line `n` of `step`: the line itself or the header of the group it opens.
 * Null when the step is hidden or the line is inside a closed section (reveal it first).
 */
export function indexOfLine(model: RowModel, step: string, n: number): number | null {
  for (const s of model.segments) {
    if (s.section.step.id !== step) continue;
    if (s.kind === 'lines' && s.from <= n && n <= s.to) return s.first + (n - s.from);
    if (s.kind === 'group' && s.group.start === n) return s.first;
  }
  return null;
}

/** The row of a step's header, or null when the step is not shown. */
export function indexOfStep(model: RowModel, step: string): number | null {
  const s = model.segments.find((seg) => seg.kind === 'step' && seg.section.step.id === step);
  return s ? s.first : null;
}

/** Visits the line rows in [start, end] (inclusive) as runs: used to decide which pages to fetch. */
export function lineRunsIn(model: RowModel, start: number, end: number): { step: string; from: number; to: number }[] {
  const out: { step: string; from: number; to: number }[] = [];
  if (model.total === 0 || end < start) return out;
  const lo = Math.max(0, start);
  const hi = Math.min(model.total - 1, end);
  for (let i = segmentIndexAt(model, lo); i < model.segments.length; i++) {
    const s = model.segments[i]!;
    if (s.first > hi) break;
    if (s.kind !== 'lines') continue;
    const from = s.from + Math.max(0, lo - s.first);
    const to = s.from + Math.min(s.to - s.from, hi - s.first);
    if (from <= to) out.push({ step: s.section.step.id, from, to });
  }
  return out;
}

/** A laid-out row of the virtual list: its index in the list and its box (px from the list's top). */
export interface PlacedRow {
  index: number;
  offset: number;
  size: number;
}

/**
 * The step (and line) of the row at `y` px from the top of the list, from the rows the list has
 * laid out (no DOM reads): `n` is the line, or the line a group header opens, and null on a
 * step's own header. Null when no laid-out row is there. `winStart` is the model index of the
 * list's first row.
 */
export function rowAtOffset(model: RowModel, winStart: number, placed: readonly PlacedRow[], y: number): { step: string; n: number | null } | null {
  const hit = placed.find((p) => p.offset <= y && y < p.offset + p.size) ?? (placed.length > 0 && y >= placed[placed.length - 1]!.offset ? placed[placed.length - 1] : undefined);
  if (!hit) return null;
  const row = rowAt(model, winStart + hit.index);
  if (!row) return null;
  if (row.kind === 'step') return { step: row.section.step.id, n: null };
  return { step: row.section.step.id, n: row.kind === 'group' ? row.group.start : row.n };
}
