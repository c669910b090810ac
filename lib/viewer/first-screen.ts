import type { JobMeta, Line, StepStatus } from '@/lib/contracts';
import { headerErrorRuns } from './error-nav';
import type { JobLink } from './hash';
import { chooseLanding } from './landing';
import { pageFirstLine, pagesForRuns, type PageRef } from './pages';
import { buildRowModel, lineRunsIn, rowAt, type RowModel } from './rows';
import { buildSections, rememberStatuses, type StepSection } from './sections';
import { initViewerState, reduce, windowOf, type ViewerState } from './viewer-state';

/*
 * The server-rendered first screen (README "First paint"). Pure: the server (app/_first-screen/data.ts)
 * uses it to decide which pages to read, the client (components/log-viewer/first-screen.tsx, job-log.tsx) to render
 * the same rows from the same data, so hydration matches and finds every page it needs cached.
 *
 * The URL's hash never reaches the server, so the page carries one screen per link it can
 * predict — a "variant": '' for no hash, and a step id for `#{step}` — each hidden; a tiny
 * inline script (app/_first-screen/script.tsx) shows the one the hash names before any bundle
 * runs. A link to a line (`#{step}:{n}`) has no variant: its window is fetched by the client.
 */

/** Rows a variant renders: more than a tall viewport holds (1440 px / 20 px rows = 72). */
export const FIRST_SCREEN_ROWS = 80;

/** One aligned page of a step's lines (see lib/viewer/pages.ts), as the range API returns it. */
export interface FirstScreenPage extends PageRef {
  lines: Line[];
}

/** What the server read for the first screen: handed to LogViewer as its `initial` prop. */
export interface FirstScreenData {
  job: JobMeta;
  /**
   * seeded into React Query under viewerKeys.page (as pageArray), so hydration fetches none of
   * them again: each the lines of its page that the screens show, ascending, not necessarily
   * contiguous
   */
  pages: FirstScreenPage[];
  /** the variants rendered ('' = no hash, else a step id), within FIRST_SCREEN_BYTES */
  variants: string[];
  /** the server's clock when it rendered: live durations show this until hydrated */
  renderedAt: number;
}

export interface FirstScreenOptions {
  onlyStep?: string;
  /** the viewer's `follow` prop */
  follow?: boolean;
}

/** The sections as the viewer builds them from its first metadata (no live lines yet). */
export function firstSections(job: JobMeta): StepSection[] {
  const firstSeen = new Map<string, StepStatus>();
  rememberStatuses(firstSeen, job.steps);
  return buildSections(job.steps, new Map(), firstSeen);
}

/**
 * The viewer's state right after its first metadata, had the URL named `link`; without one, at
 * the job's landing (lib/viewer/landing.ts) as the server knows it: no remembered step (the
 * page's script shows the remembered step's screen instead, app/_first-screen/script.tsx).
 */
export function loadedState(sections: readonly StepSection[], job: JobMeta, link: JobLink | null, opts: FirstScreenOptions): ViewerState {
  const running = job.status === 'running';
  const landing = link ? null : chooseLanding(job.status, job.steps, opts.onlyStep !== undefined ? { onlyStep: opts.onlyStep } : {});
  return reduce(initViewerState(opts.onlyStep), { type: 'load', link, landing, follow: opts.follow ?? running, running, sections });
}

export function variantLink(variant: string): JobLink | null {
  return variant === '' ? null : { step: variant };
}

/** Rows `first..last` of `model` a variant shows, top-aligned or (following) bottom-aligned. */
export interface ScreenPlan {
  model: RowModel;
  first: number;
  last: number;
  align: 'start' | 'end';
  /** the lines the screen shows (group titles included), per page */
  needs: PageNeed[];
}

/** The lines of one page a screen shows: ascending runs `from..to`, disjoint and not adjacent. */
export interface PageNeed extends PageRef {
  runs: { from: number; to: number }[];
}

function modelOf(sections: readonly StepSection[], state: ViewerState, onlyStep: string | undefined): RowModel {
  return buildRowModel(sections, state.view, onlyStep !== undefined ? { onlyStep } : {});
}

/** Sorted runs with overlapping and adjacent ones joined. */
function joinRuns(runs: { from: number; to: number }[]): { from: number; to: number }[] {
  const sorted = [...runs].sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  for (const run of sorted) {
    const last = out[out.length - 1];
    if (last && run.from <= last.to + 1) last.to = Math.max(last.to, run.to);
    else out.push({ ...run });
  }
  return out;
}

/**
 * The lines rows `first..last` show: the lines themselves and each group header's marker line
 * (its title) and each failed step header's first error, per page. Only those are read: a
 * screen whose groups are collapsed shows 80 rows over thousands of lines, and the lines inside
 * the groups stay on the server. Pages are seeded with holes (pageArray); the viewer fetches
 * the rest of a page from its first gap as it needs it (use-line-pages.ts).
 */
function linesNeeded(model: RowModel, first: number, last: number): PageNeed[] {
  const runs = [...lineRunsIn(model, first, last), ...headerErrorRuns(model, first, last)];
  for (let i = first; i <= last; i++) {
    const row = rowAt(model, i);
    if (row?.kind === 'group') runs.push({ step: row.section.step.id, from: row.group.start, to: row.group.start });
  }
  const needs = new Map<string, PageNeed>();
  for (const run of runs) {
    for (const ref of pagesForRuns([run])) {
      const from = Math.max(run.from, pageFirstLine(ref.page));
      const to = Math.min(run.to, pageFirstLine(ref.page + 1) - 1);
      const id = `${ref.step}\u0000${ref.page}`;
      const had = needs.get(id);
      if (had) had.runs.push({ from, to });
      else needs.set(id, { ...ref, runs: [{ from, to }] });
    }
  }
  return [...needs.values()].map((need) => ({ ...need, runs: joinRuns(need.runs) }));
}

/** The screen of one variant; null if the link leads nowhere (the client then shows its own). */
export function screenPlan(job: JobMeta, variant: string, opts: FirstScreenOptions, sections = firstSections(job)): ScreenPlan | null {
  const link = variantLink(variant);
  const state = loadedState(sections, job, link, opts);
  if (link && !state.scrollRequest) return null;
  const model = modelOf(sections, state, opts.onlyStep);
  const win = windowOf(state, model.total);
  const end = win.start + win.size - 1;
  let first: number;
  let last: number;
  let align: ScreenPlan['align'] = 'start';
  if (state.scrollRequest) {
    first = state.scrollRequest.index;
    last = Math.min(end, first + FIRST_SCREEN_ROWS - 1);
  } else if (state.following) {
    last = end;
    first = Math.max(win.start, last - FIRST_SCREEN_ROWS + 1);
    align = 'end';
  } else {
    first = win.start;
    last = Math.min(end, first + FIRST_SCREEN_ROWS - 1);
  }
  return { model, first, last, align, needs: linesNeeded(model, first, last) };
}

/** The variants worth rendering, most likely first: no hash, then each step shown in order. */
export function candidateVariants(job: JobMeta, opts: FirstScreenOptions): string[] {
  if (opts.onlyStep !== undefined) return [''];
  return ['', ...job.steps.map((s) => s.id)];
}
