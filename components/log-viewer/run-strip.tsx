'use client';
import { createContext, memo, useContext } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { JobStatus, RunsAnswer, RunSummary, StepMeta } from '@/lib/contracts';
import { fetchDiffSteps, fetchRuns } from '@/lib/client/api';
import { StatusIcon, statusLabel } from '@/components/ui/status-icon';
import { useApiAuth } from './api-auth';

/** Runs shown on each side of the job (the API's `limit`). */
export const RUN_STRIP_EACH_WAY = 20;

const jobPath = (id: string) => `/jobs/${encodeURIComponent(id)}`;

/** Where "Compare with last green" goes: the diff view of this job against `base`. */
export function compareHref(job: string, base: string): string {
  return `${jobPath(job)}/diff?base=${encodeURIComponent(base)}`;
}

/**
 * The runs of the job's pipeline (`GET …/runs`), fetched once per job status (one query for the
 * strip and the step headers' links); undefined while loading, on an error, or with no status yet.
 */
export function useRuns(apiBase: string, jobId: string, status: JobStatus | undefined): RunsAnswer | undefined {
  const auth = useApiAuth();
  const query = useQuery({
    queryKey: ['logscope', apiBase, 'runs', jobId, status],
    queryFn: ({ signal }) => fetchRuns(apiBase, jobId, RUN_STRIP_EACH_WAY, signal, auth),
    enabled: status !== undefined,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });
  return query.data;
}

/** The job and its last green run, for the failed steps' "Compare" links (provided by job-log.tsx on the job page only). */
export const CompareContext = createContext<{ jobId: string; lastGreen: string } | null>(null);

/** A failed step's link to its diff against the same step of the last green run (rows.tsx); nothing without one. */
export function StepCompareLink({ step }: { step: StepMeta }) {
  const compare = useContext(CompareContext);
  if (!compare || step.status !== 'failure') return null;
  return (
    <a className="ls-header-link" href={`${compareHref(compare.jobId, compare.lastGreen)}&step=${encodeURIComponent(step.id)}`} title="Compare with the last green run" data-testid="step-compare-last-green">
      <span aria-hidden="true">±</span>
      <span className="sr-only">Compare step {step.name || step.id} with the last green run</span>
    </a>
  );
}

/** `YYYY-MM-DD HH:MM UTC`, or nothing for a time no Date holds. */
function when(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : ` · ${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

function runTitle(run: RunSummary, tag: string | null): string {
  return `${run.title || run.id} · ${statusLabel(run.status)}${when(run.createdAt)}${tag ? ` · ${tag}` : ''}`;
}

/**
 * The runs of the job's pipeline (docs/runs.md) as a strip, oldest left: one status mark per run
 * linking to its page, the current run outlined, "last green" and "first red" labelled; on a
 * failed job with a last green run, a "Compare with last green" link. Nothing while loading, on
 * an error, or when the job is its pipeline's only run. `status` refetches when the job ends.
 */
export const RunStrip = memo(function RunStrip({ apiBase, jobId, status }: { apiBase: string; jobId: string; status: JobStatus }) {
  const data = useRuns(apiBase, jobId, status);
  if (!data || data.runs.length < 2) return null;
  const { lastGreen, firstRedSinceGreen } = data;
  const tagOf = (id: string) => (id === lastGreen ? 'last green' : id === firstRedSinceGreen ? 'first red' : null);
  const oldestFirst = [...data.runs].reverse();
  return (
    <nav className="flex flex-wrap items-end gap-x-3 gap-y-1 border-b border-[var(--ls-border)] px-3 py-1 text-[11px]" aria-label="Runs of this pipeline" data-testid="run-strip">
      <span className="text-[var(--ls-muted)]">Runs</span>
      <ol className="flex min-w-0 flex-wrap items-end gap-0.5">
        {oldestFirst.map((run) => {
          const tag = tagOf(run.id);
          return (
            <li key={run.id} className="flex flex-col items-center">
              {tag && (
                <span className="whitespace-nowrap text-[10px] leading-none text-[var(--ls-muted)]" data-testid={tag === 'last green' ? 'run-last-green' : 'run-first-red'}>
                  {tag}
                </span>
              )}
              <a
                href={jobPath(run.id)}
                className={`inline-flex rounded px-0.5 py-0.5 ${run.current ? 'ring-1 ring-[var(--ls-fg-strong)]' : ''}`}
                title={runTitle(run, tag)}
                aria-current={run.current ? 'page' : undefined}
                data-run={run.id}
                data-status={run.status}
              >
                <StatusIcon status={run.status} />
                <span className="sr-only">
                  {run.title || run.id}
                  {tag ? ` (${tag})` : ''}
                </span>
              </a>
            </li>
          );
        })}
      </ol>
      {status === 'failure' && lastGreen && (
        <a href={compareHref(jobId, lastGreen)} className="ml-auto text-[var(--ls-accent)] underline" data-testid="compare-last-green">
          Compare with last green
        </a>
      )}
      {status === 'failure' && lastGreen && <ChangedSteps apiBase={apiBase} jobId={jobId} base={lastGreen} />}
    </nav>
  );
});

/** How often the per-step diff summary is asked again while the server is still comparing (the API answers from its cache once done). */
const CHANGED_POLL_MS = 3000;
/** Changed steps named in the strip; the rest are counted ("and 3 more"). */
const CHANGED_SHOWN = 5;

/**
 * On a failed job: the steps whose logs differ from the last green run (`GET …/diff` without a
 * step, which lists them first), each with its added and removed lines and new error lines, a
 * link to its diff. Nothing until the server has compared at least one step; "comparing…" while
 * some are still being compared.
 */
function ChangedSteps({ apiBase, jobId, base }: { apiBase: string; jobId: string; base: string }) {
  const auth = useApiAuth();
  const query = useQuery({
    queryKey: ['logscope', apiBase, 'diff-steps', jobId, base],
    queryFn: ({ signal }) => fetchDiffSteps(apiBase, jobId, { base }, signal, auth),
    retry: false,
    refetchOnWindowFocus: false,
    refetchInterval: (q) => (q.state.status === 'error' || q.state.data?.complete ? false : CHANGED_POLL_MS),
  });
  const rows = query.data?.steps ?? [];
  const changed = rows.filter((r) => r.step !== null && r.status === 'differs');
  const comparing = rows.some((r) => r.status === 'computing' || r.status === 'pending');
  if (changed.length === 0 && !comparing) return null;
  return (
    <p className="basis-full text-[var(--ls-muted)]" data-testid="changed-steps">
      {changed.length > 0 ? 'Changed since last green: ' : 'Comparing with last green…'}
      {changed.slice(0, CHANGED_SHOWN).map((r, i) => (
        <span key={r.step}>
          {i > 0 && ', '}
          <a className="text-[var(--ls-accent)] underline" href={`${compareHref(jobId, base)}&step=${encodeURIComponent(r.step ?? '')}`} data-changed-step={r.step}>
            {r.name || r.step} +{r.added ?? 0} −{r.removed ?? 0}
            {r.addedErrors ? `, ${r.addedErrors} new error line${r.addedErrors === 1 ? '' : 's'}` : ''}
          </a>
        </span>
      ))}
      {changed.length > CHANGED_SHOWN && ` and ${changed.length - CHANGED_SHOWN} more`}
      {changed.length > 0 && comparing && ' (still comparing)'}
    </p>
  );
}
