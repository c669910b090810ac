'use client';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { fetchStepErrors } from '@/lib/client/api';
import type { JobLink } from '@/lib/viewer/hash';
import { errorCountLabel, errorCountShort, errorMove, errorOrdinal, errorPosition, errorSteps, errorTotal, shownSteps, type StepErrorList } from '@/lib/viewer/error-nav';
import type { RowModel } from '@/lib/viewer/rows';
import type { StepSection } from '@/lib/viewer/sections';
import { useApiAuth } from './api-auth';
import { viewerKeys } from './query-keys';

/**
 * Pages of one step's error list fetched at most: the server keeps MAX_ERRORS_PER_STEP (1,000)
 * lines per step and answers up to 1,000 a page, so one page is the rule; this bounds a server
 * that keeps answering `next`.
 */
const MAX_ERROR_PAGES = 4;
/** Lists one move may fetch before it gives up (a move needs at most two: its own step's and one more). */
const MAX_FETCHES_PER_MOVE = 3;

export interface ErrorNav {
  /** error lines in the steps shown */
  total: number;
  /** some steps have more errors than their list holds (counted, not visited) */
  truncated: boolean;
  /** "12 errors", "3 of 12 errors" */
  label: string;
  /** the same on a narrow toolbar: "12", "3/12" */
  short: string;
  /** go to the next (1) or previous (-1) error; resolves when there (or when there is none) */
  go: (direction: 1 | -1) => Promise<void>;
  /** a list fetch failed: the message, else null */
  error: string | null;
}

/**
 * Next / previous error (lib/viewer/error-nav.ts): the steps' error lists are fetched as a move
 * needs them (React Query, keyed by the step's error count), and a move lands like a deep link
 * (`goTo`: the step and groups open, the line is selected and put in the address bar).
 */
export function useErrorNav(opts: {
  apiBase: string;
  jobId: string;
  onlyStep?: string;
  sections: readonly StepSection[];
  selection: JobLink | null;
  model: RowModel;
  /** the model index of the top row on screen */
  topRow: number;
  goTo: (link: JobLink) => boolean;
}): ErrorNav {
  const { apiBase, jobId, onlyStep, sections, selection } = opts;
  const auth = useApiAuth();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  const withErrors = useMemo(() => sections.filter((s) => (s.step.errors?.count ?? 0) > 0 && (onlyStep === undefined || s.step.id === onlyStep)), [sections, onlyStep]);
  const queryFor = useCallback(
    (step: string, count: number) => ({
      queryKey: viewerKeys.errors(apiBase, jobId, step, count),
      queryFn: async ({ signal }: { signal: AbortSignal }): Promise<StepErrorList> => {
        const lines: number[] = [];
        let after = 0;
        for (let page = 0; page < MAX_ERROR_PAGES; page++) {
          const got = await fetchStepErrors(apiBase, jobId, step, after, signal, auth);
          for (const e of got.errors) if (lines.length === 0 || e.n > lines[lines.length - 1]!) lines.push(e.n);
          if (got.next === null || got.next <= after) return { lines, complete: true };
          after = got.next;
        }
        return { lines, complete: false };
      },
      staleTime: Infinity,
    }),
    [apiBase, jobId, auth],
  );
  // Subscribed to, never fetched from here (enabled: false): a move fetches what it needs.
  const results = useQueries({ queries: withErrors.map((s) => ({ ...queryFor(s.step.id, s.step.errors!.count), enabled: false })) });
  // (useQueries answers a new array on every render: the previous map is kept while it holds the
  // same lists, so `go` and the returned object stay the same across live flushes)
  const lastLists = useRef<ReadonlyMap<string, StepErrorList>>(new Map());
  const lists = useMemo(() => {
    const map = new Map<string, StepErrorList>();
    withErrors.forEach((s, i) => {
      const data = results[i]?.data;
      if (data) map.set(s.step.id, data);
    });
    const prev = lastLists.current;
    if (map.size === prev.size && [...map].every(([k, v]) => prev.get(k) === v)) return prev;
    lastLists.current = map;
    return map;
  }, [withErrors, results]);
  const shown = useMemo(() => shownSteps(opts.model), [opts.model]);
  const steps = useMemo(() => errorSteps(sections, lists, onlyStep, shown), [sections, lists, onlyStep, shown]);
  const { count: total, truncated } = errorTotal(steps);
  const sel = selection?.lines && selection.lines.from === selection.lines.to ? selection : null;
  const ordinal = sel ? errorOrdinal(steps, sel.step, sel.lines!.from) : null;

  // A move reads the latest of everything (it may span fetches and renders).
  const latest = useRef(opts);
  latest.current = opts;
  const generation = useRef(0);
  const go = useCallback(
    async (direction: 1 | -1) => {
      const gen = ++generation.current;
      setError(null);
      const fetched = new Map<string, StepErrorList>();
      for (let round = 0; round <= MAX_FETCHES_PER_MOVE; round++) {
        const cur = latest.current;
        const known = new Map(lists);
        for (const [k, v] of fetched) known.set(k, v);
        const move = errorMove(errorSteps(cur.sections, known, cur.onlyStep, shownSteps(cur.model)), errorPosition(cur.selection, cur.model, cur.topRow, direction), direction);
        if (move.kind === 'none') return;
        if (move.kind === 'go') {
          cur.goTo({ step: move.step, lines: { from: move.n, to: move.n } });
          return;
        }
        const section = cur.sections.find((s) => s.step.id === move.step);
        if (!section || round === MAX_FETCHES_PER_MOVE) return;
        try {
          const q = queryFor(move.step, section.step.errors?.count ?? 0);
          fetched.set(move.step, await queryClient.fetchQuery(q));
        } catch (err) {
          if (gen === generation.current) setError(`Could not load the errors of ${section.step.name || section.step.id}: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        // a newer move took over
        if (gen !== generation.current) return;
      }
    },
    [lists, queryFor, queryClient],
  );

  // One object while nothing it holds changed: a live flush re-renders the job page, and the
  // toolbar's error controls (error-nav.tsx, memo) then skip their render.
  return useMemo(
    () => ({ total, truncated, label: total > 0 ? errorCountLabel(total, ordinal) : '', short: total > 0 ? errorCountShort(total, ordinal) : '', go, error }),
    [total, truncated, ordinal, go, error],
  );
}
