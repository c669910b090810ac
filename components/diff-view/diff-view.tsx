'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Virtuoso, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import type { DiffStepRow } from '@/lib/contracts/diff';
import { fetchDiffSteps, fetchRuns } from '@/lib/client/api';
import { buildDiffRows, diffRowAt, FOLD_EXPAND_LINES, nextChange, type DiffLayout, type DiffRow } from '@/lib/viewer/diff-rows';
import { formatJobHash } from '@/lib/viewer/hash';
import { formatCount } from '@/lib/viewer/format';
import { isTypingTarget } from '@/lib/viewer/shortcuts';
import { LineHtml, LineHtmlCache } from '@/components/log-viewer';
import { useDiffLines, type DiffLines, type DiffSide } from './diff-lines';
import { MAX_LOADED_HUNKS, useStepDiff, type StepDiffState } from './use-step-diff';
import './diff-view.css';

const API = '/api/v1';
/**
 * How often the per-step summary is asked again while it is not `complete`: a live job (the API
 * says complete only once both jobs have ended), or steps still being compared. A finished,
 * compared diff is never asked again. Asking is cheap: the server caches diffs by both steps'
 * line counts and recomputes one only when a step grew.
 */
export const DIFF_POLL_MS = 3000;

const jobPath = (job: string) => `/jobs/${encodeURIComponent(job)}`;

/** A line's deep link into its own run: `/jobs/{run}#{step}:{n}`. */
export function lineLink(job: string, step: string, n: number): string {
  return `${jobPath(job)}${formatJobHash({ step, lines: { from: n, to: n } })}`;
}

/** The view's URL: `?base=&step=&view=split` (unified is the default, left out). */
function viewUrl(job: string, base: string | null, step: string | null, layout: DiffLayout): string {
  const query = new URLSearchParams();
  if (base !== null) query.set('base', base);
  if (step !== null) query.set('step', step);
  if (layout === 'split') query.set('view', 'split');
  return `${jobPath(job)}/diff?${query}`;
}

export interface DiffViewProps {
  jobId: string;
  /** the run to compare with; null: the job's last green run */
  base: string | null;
  step: string | null;
  layout: DiffLayout;
}

/**
 * The diff view (README "Log diff"): the job's steps compared with the same steps of `base`,
 * the ones that differ first; the chosen step's diff, unified or side by side, its real lines
 * rendered as the viewer renders them, unchanged runs folded, virtualized.
 */
export function DiffView(props: DiffViewProps) {
  const { jobId } = props;
  const [layout, setLayout] = useState<DiffLayout>(props.layout);
  const [picked, setPicked] = useState<string | null>(props.step);

  const runs = useQuery({
    queryKey: ['logscope', API, 'diff-last-green', jobId],
    queryFn: ({ signal }) => fetchRuns(API, jobId, 1, signal),
    enabled: props.base === null,
    staleTime: Infinity,
    retry: false,
  });
  const base = props.base ?? runs.data?.lastGreen ?? null;

  const summary = useQuery({
    queryKey: ['logscope', API, 'diff-steps', jobId, base],
    queryFn: ({ signal }) => fetchDiffSteps(API, jobId, { base: base ?? '' }, signal),
    enabled: base !== null,
    retry: false,
    refetchInterval: (query) => (query.state.status === 'error' || query.state.data?.complete ? false : DIFF_POLL_MS),
  });
  const rows = summary.data?.steps ?? [];
  const step = picked ?? rows.find((r) => r.step !== null && r.status === 'differs')?.step ?? rows.find((r) => r.step !== null)?.step ?? null;
  const row = rows.find((r) => r.step === step);
  // a live job's diff grows: the step's counts change, its diff is asked again
  // (and once more when the job ends: the diff is then complete)
  const reload = useReloadKey(step, row ? `${row.status}:${row.added}:${row.removed}:${row.unchanged}:${summary.data?.complete === true}` : '');
  const { state, loadMore } = useStepDiff(API, jobId, base, step, reload);

  useEffect(() => {
    if (base === null) return;
    window.history.replaceState(window.history.state, '', viewUrl(jobId, props.base, step, layout));
  }, [jobId, base, props.base, step, layout]);

  return (
    <div className="ls-diff flex min-h-0 flex-1 flex-col" data-testid="diff-view">
      <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-[var(--ls-border)] bg-[var(--ls-header)] px-3 py-2 text-sm">
        <h1 className="font-semibold text-[var(--ls-fg-strong)]">
          Diff of <a href={jobPath(jobId)}>{jobId}</a>
          {base !== null && (
            <>
              {' '}against <a href={jobPath(base)}>{base}</a>
              {props.base === null && <span className="font-normal text-[var(--ls-muted)]"> (last green)</span>}
            </>
          )}
        </h1>
        {summary.data && <Rules rules={summary.data.rules} />}
      </header>
      {props.base === null && runs.isSuccess && base === null && <p className="p-3 text-sm">No earlier green run of this pipeline to compare with.</p>}
      {(runs.isError || summary.isError) && (
        <p className="p-3 text-sm text-[var(--ls-err)]" role="alert">
          The diff could not be loaded: {(summary.error ?? runs.error)?.message ?? 'unknown error'}
        </p>
      )}
      {base !== null && !summary.isError && (
        <div className="flex min-h-0 flex-1">
          {summary.data ? (
            <StepPicker rows={rows} selected={step} onPick={setPicked} />
          ) : (
            <p className="w-64 shrink-0 border-r border-[var(--ls-border)] p-3 text-sm" role="status">
              Comparing the steps…
            </p>
          )}
          <section className="flex min-w-0 flex-1 flex-col" aria-label="Step diff">
            {step !== null && <StepDiffPanel jobId={jobId} base={base} state={state} layout={layout} onLayout={setLayout} loadMore={loadMore} />}
          </section>
        </div>
      )}
    </div>
  );
}

/**
 * A number that changes when the step's summary row changes after it was first seen (a live
 * job's diff grew, or the job ended), not when it first arrives: the step's diff, already being
 * asked for, is not asked again for that.
 */
function useReloadKey(step: string | null, key: string): string {
  const seen = useRef<{ step: string | null; key: string }>({ step, key });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const before = seen.current;
    if (before.step === step && before.key !== '' && key !== '' && before.key !== key) setGeneration((g) => g + 1);
    if (before.step !== step || key !== '') seen.current = { step, key };
  }, [step, key]);
  return String(generation);
}

function Rules({ rules }: { rules: readonly { id: string; title: string }[] }) {
  return (
    <details className="ls-diff-rules text-xs" data-testid="diff-rules">
      <summary className="cursor-pointer text-[var(--ls-muted)]">Normalisation rules ({rules.length})</summary>
      {rules.length === 0 ? (
        <p>None: lines are compared as they are.</p>
      ) : (
        <ul className="mt-1 list-disc pl-5">
          {rules.map((rule) => (
            <li key={rule.id}>{rule.title}</li>
          ))}
        </ul>
      )}
      <p className="mt-1 text-[var(--ls-muted)]">Lines are compared after these rules; the diff shows the real lines.</p>
    </details>
  );
}

function stepCounts(row: DiffStepRow): string {
  if (row.status === 'computing' || row.status === 'pending') return 'comparing…';
  if (row.status === 'unmatched') return row.step === null ? 'only in the base run' : 'only in this run';
  if (row.status === 'equal') return 'no difference';
  return `+${formatCount(row.added ?? 0)} −${formatCount(row.removed ?? 0)}`;
}

function StepPicker({ rows, selected, onPick }: { rows: readonly DiffStepRow[]; selected: string | null; onPick: (step: string) => void }) {
  return (
    <nav className="ls-diff-steps w-64 shrink-0 overflow-y-auto border-r border-[var(--ls-border)]" aria-label="Steps">
      <ol data-testid="diff-steps">
        {rows.map((row, i) => {
          const step = row.step;
          const errors = row.addedErrors !== null && row.addedErrors > 0 ? `${formatCount(row.addedErrors)} new error line${row.addedErrors === 1 ? '' : 's'}` : null;
          const body = (
            <>
              <span className="block truncate font-medium">{row.name}</span>
              <span className="block text-xs text-[var(--ls-muted)]">
                {stepCounts(row)}
                {errors && <span className="ls-diff-errors"> · {errors}</span>}
              </span>
            </>
          );
          return (
            <li key={`${row.step ?? ''}\n${row.baseStep ?? ''}\n${i}`} data-status={row.status} data-testid="diff-step">
              {step === null ? (
                <div className="px-3 py-1.5 opacity-80">{body}</div>
              ) : (
                <button type="button" className="ls-diff-step w-full px-3 py-1.5 text-left" aria-current={step === selected ? 'true' : undefined} onClick={() => onPick(step)}>
                  {body}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

interface PanelProps {
  jobId: string;
  base: string;
  state: StepDiffState;
  layout: DiffLayout;
  onLayout: (layout: DiffLayout) => void;
  loadMore: () => void;
}

function StepDiffPanel(props: PanelProps) {
  const { state, layout, onLayout } = props;
  return (
    <>
      <div className="flex flex-wrap items-center gap-2 border-b border-[var(--ls-border)] px-3 py-1 text-xs">
        <div role="group" aria-label="Layout" className="flex">
          {(['unified', 'split'] as const).map((l) => (
            <button key={l} type="button" className="ls-diff-toggle" aria-pressed={layout === l} onClick={() => onLayout(l)} data-testid={`diff-layout-${l}`}>
              {l === 'unified' ? 'Unified' : 'Side by side'}
            </button>
          ))}
        </div>
        {state.status === 'ready' && (
          <span className="text-[var(--ls-muted)]" data-testid="diff-counts">
            +{formatCount(state.diff.summary.counts.added)} −{formatCount(state.diff.summary.counts.removed)} · {formatCount(state.diff.summary.counts.unchanged)} unchanged
            {!state.diff.complete && ' · live: the diff grows'}
            {state.diff.summary.truncated.base || state.diff.summary.truncated.head ? ' · compared on the first lines only' : ''}
          </span>
        )}
      </div>
      {state.status === 'computing' && (
        <p className="p-3 text-sm" role="status" data-testid="diff-computing">
          Comparing… ({state.progress.phase}
          {state.progress.total > 0 ? `, ${formatCount(state.progress.lines)} of ${formatCount(state.progress.total)} lines` : ''})
        </p>
      )}
      {state.status === 'error' && (
        <p className="p-3 text-sm text-[var(--ls-err)]" role="alert">
          The step diff could not be loaded: {state.message}
        </p>
      )}
      {state.status === 'ready' && <DiffRows {...props} state={state} />}
    </>
  );
}

function DiffRows(props: PanelProps & { state: Extract<StepDiffState, { status: 'ready' }> }) {
  const { jobId, state, layout, loadMore } = props;
  const { diff, hunks, next } = state;
  const [expanded, setExpanded] = useState<Map<number, number>>(() => new Map());
  const [current, setCurrent] = useState<number | null>(null);
  const [range, setRange] = useState<ListRange>({ startIndex: 0, endIndex: 0 });
  const ref = useRef<VirtuosoHandle>(null);
  const cache = useMemo(() => new LineHtmlCache(), []);
  const [shown, setShown] = useState<ReadonlySet<string>>(() => new Set());

  const identity = `${diff.job}\n${diff.base}\n${diff.step.head}\n${diff.step.base}`;
  useEffect(() => {
    setExpanded(new Map());
    setCurrent(null);
  }, [identity]);

  const model = useMemo(() => buildDiffRows(hunks, layout, expanded, { atStart: true, atEnd: next === null }), [hunks, layout, expanded, next]);
  const sources = useMemo(() => ({ head: { job: diff.job, step: diff.step.head }, base: { job: diff.base, step: diff.step.base } }), [diff.job, diff.base, diff.step.head, diff.step.base]);
  const lines = useDiffLines(API, sources);

  // the lines of the rows on screen (and a few around), fetched a page at a time
  const { want } = lines;
  useEffect(() => {
    const wanted: { side: DiffSide; n: number }[] = [];
    for (let i = Math.max(0, range.startIndex - 20); i <= Math.min(model.count - 1, range.endIndex + 20); i++) {
      const row = diffRowAt(model, i);
      if (row?.type !== 'line') continue;
      if (row.base !== null) wanted.push({ side: 'base', n: row.base });
      if (row.head !== null) wanted.push({ side: 'head', n: row.head });
    }
    want(wanted);
  }, [model, range, want]);

  const go = useCallback(
    (dir: 1 | -1) => {
      const from = current !== null ? (model.changes[current] ?? range.startIndex - 1) : dir === 1 ? range.startIndex - 1 : range.endIndex + 1;
      const found = nextChange(model, from, dir);
      if (found === null) {
        if (dir === 1 && next !== null) loadMore();
        return;
      }
      setCurrent(found);
      const index = model.changes[found];
      if (index !== undefined) ref.current?.scrollToIndex({ index, align: 'center' });
    },
    [current, model, range, next, loadMore],
  );

  // `n` / `p`: next and previous change (the viewer's shortcut table has no such keys; local to this page)
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey || isTypingTarget(event.target)) return;
      if (event.key === 'n') go(1);
      else if (event.key === 'p') go(-1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const expand = useCallback((hunk: number) => setExpanded((now) => new Map(now).set(hunk, (now.get(hunk) ?? 0) + FOLD_EXPAND_LINES)), []);
  const showAll = useCallback((key: string) => setShown((now) => new Set(now).add(key)), []);
  const currentRow = current !== null ? model.changes[current] : null;

  const itemContent = useCallback(
    (index: number) => {
      const row = diffRowAt(model, index);
      if (!row) return <div className="ls-diff-row" />;
      if (row.type === 'fold') return <Fold row={row} onExpand={expand} />;
      return (
        <DiffLine row={row} layout={layout} lines={lines} jobId={jobId} base={diff.base} steps={diff.step} cache={cache} shown={shown} onShowAll={showAll} current={index === currentRow} />
      );
    },
    // `lines` is new when a page arrives: rows that waited for it render their text
    [model, layout, lines, jobId, diff.base, diff.step, cache, shown, showAll, expand, currentRow],
  );

  if (model.count === 0) return <p className="p-3 text-sm" data-testid="diff-empty">The step&apos;s logs are the same{diff.rules.length ? ' after normalisation' : ''}.</p>;
  return (
    <>
      <div className="flex items-center gap-2 border-b border-[var(--ls-border)] px-3 py-1 text-xs">
        <button type="button" className="ls-diff-toggle" onClick={() => go(-1)} aria-keyshortcuts="p">
          Previous change
        </button>
        <button type="button" className="ls-diff-toggle" onClick={() => go(1)} aria-keyshortcuts="n">
          Next change
        </button>
        <span role="status" data-testid="diff-change-pos" className="text-[var(--ls-muted)]">
          {current !== null ? `change ${current + 1} of ${model.changes.length}${next !== null ? '+' : ''}` : `${model.changes.length}${next !== null ? '+' : ''} change${model.changes.length === 1 ? '' : 's'} (n / p)`}
        </span>
        {lines.failed > 0 && <span className="text-[var(--ls-err)]">some lines could not be loaded</span>}
        {next !== null && hunks.length >= MAX_LOADED_HUNKS && <span>the first {formatCount(hunks.length)} of {formatCount(diff.total)} hunks are shown</span>}
      </div>
      <div className="ls-diff-list min-h-0 flex-1 font-mono text-xs" data-layout={layout} data-testid="diff-rows">
        <Virtuoso
          ref={ref}
          style={{ height: '100%' }}
          totalCount={model.count}
          itemContent={itemContent}
          rangeChanged={setRange}
          endReached={() => {
            if (next !== null) loadMore();
          }}
          increaseViewportBy={200}
        />
      </div>
    </>
  );
}

function Fold({ row, onExpand }: { row: Extract<DiffRow, { type: 'fold' }>; onExpand: (hunk: number) => void }) {
  const more = Math.min(row.hidden, FOLD_EXPAND_LINES);
  return (
    <div className="ls-diff-row ls-diff-fold" data-testid="diff-fold">
      <button type="button" onClick={() => onExpand(row.hunk)}>
        {formatCount(row.hidden)} identical line{row.hidden === 1 ? '' : 's'}
        <span className="ls-diff-fold-more"> · show {more === row.hidden ? 'them' : `${formatCount(more)} more`}</span>
      </button>
    </div>
  );
}

const MARK: Record<'del' | 'add' | 'same', string> = { del: '−', add: '+', same: ' ' };
const SPOKEN: Record<'del' | 'add' | 'same', string> = { del: 'removed', add: 'added', same: '' };

interface LineProps {
  row: Extract<DiffRow, { type: 'line' }>;
  layout: DiffLayout;
  lines: DiffLines;
  jobId: string;
  base: string;
  steps: { head: string; base: string };
  cache: LineHtmlCache;
  shown: ReadonlySet<string>;
  onShowAll: (key: string) => void;
  current: boolean;
}

function DiffLine(props: LineProps) {
  const { row, layout } = props;
  if (layout === 'unified') {
    const op = row.op === 'pair' ? (row.head !== null ? 'add' : 'del') : row.op;
    return (
      <div className="ls-diff-row" data-op={op} data-current={props.current || undefined} data-testid="diff-line">
        <Num {...props} side="base" n={row.base} />
        <Num {...props} side="head" n={row.head} />
        <Cell {...props} op={op} side={op === 'del' ? 'base' : 'head'} n={op === 'del' ? row.base : row.head} />
      </div>
    );
  }
  const left = row.op === 'same' ? 'same' : 'del';
  const right = row.op === 'same' ? 'same' : 'add';
  return (
    <div className="ls-diff-row ls-diff-split" data-current={props.current || undefined} data-testid="diff-line">
      <div className="ls-diff-half" data-op={row.base === null ? 'none' : left} data-testid="diff-half-base">
        <Num {...props} side="base" n={row.base} />
        {row.base !== null && <Cell {...props} op={left} side="base" n={row.base} />}
      </div>
      <div className="ls-diff-half" data-op={row.head === null ? 'none' : right} data-testid="diff-half-head">
        <Num {...props} side="head" n={row.head} />
        {row.head !== null && <Cell {...props} op={right} side="head" n={row.head} />}
      </div>
    </div>
  );
}

function Num(props: LineProps & { side: DiffSide; n: number | null }) {
  const { side, n } = props;
  if (n === null) return <span className="ls-diff-n" />;
  const run = side === 'base' ? props.base : props.jobId;
  const step = side === 'base' ? props.steps.base : props.steps.head;
  return (
    <a className="ls-diff-n" href={lineLink(run, step, n)} aria-label={`${side === 'base' ? 'base run' : 'this run'} line ${n}`} data-testid={`diff-n-${side}`}>
      {n}
    </a>
  );
}

function Cell(props: LineProps & { op: 'del' | 'add' | 'same'; side: DiffSide; n: number | null }) {
  const { op, side, n, lines, cache, shown, onShowAll } = props;
  const line = n !== null ? lines.get(side, n) : undefined;
  const key = `${side}:${n ?? 0}`;
  return (
    <>
      <span className="ls-diff-mark" aria-hidden="true">
        {MARK[op]}
      </span>
      {SPOKEN[op] && <span className="sr-only">{SPOKEN[op]}: </span>}
      <span className="ls-diff-text">
        {line ? <LineHtml line={line} cache={cache} expanded={shown.has(key)} onExpand={() => onShowAll(key)} /> : <><span className="ls-skeleton" /><span className="sr-only">loading</span></>}
      </span>
    </>
  );
}
