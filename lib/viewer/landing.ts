import type { JobStatus, StepMeta } from '@/lib/contracts';
import { firstJobError } from '@/lib/triage/summary';
import type { JobLink } from './hash';

/*
 * Where a job page opens when the URL names no place (README "Finding the failure"): an empty
 * page of collapsed headers is never the first thing a user sees.
 * - a running job: nowhere (the viewer follows the tail, as before);
 * - a failed job: the first error of its first failed step, else of the first step with errors
 *   (the job list's `JobSummary.firstError`, one rule: lib/triage/summary.ts); without any error line, the top
 *   of the page, where its failed steps stand open (as before);
 * - any other finished job: the step the user opened last time in this browser (remembered by
 *   name, so it carries over to the next run of the same pipeline), else its last step.
 * A step page opens its step at the step's first error, if it failed with one.
 */

/** The localStorage key of the step name this browser opened last (remembered-step.ts, the page's script). */
export const REMEMBERED_STEP_KEY = 'logscope:last-step';

export interface LandingOptions {
  onlyStep?: string;
  /** the step name this browser remembers (remembered-step.ts); null when none */
  remembered?: string | null;
}

function failed(status: StepMeta['status'] | JobStatus): boolean {
  return status === 'failure' || status === 'cancelled';
}

function firstErrorLine(step: StepMeta): number | null {
  return step.errors && step.errors.count > 0 ? step.errors.first : null;
}

function lineLink(step: string, n: number): JobLink {
  return { step, lines: { from: n, to: n } };
}

/** Whether the job page opens by remembering a step (a finished job without a failure). */
export function landsOnRememberedStep(status: JobStatus, steps: readonly StepMeta[]): boolean {
  if (status === 'running') return false;
  if (!failed(status)) return true;
  return firstJobError(status, steps) === null && !steps.some((s) => failed(s.status));
}

/**
 * Step name → id of the steps a remembered name may land on (the first step of each name), for
 * the page's script to show the remembered step's first screen; null when the job does not land
 * on a remembered step.
 */
export function rememberableSteps(status: JobStatus, steps: readonly StepMeta[]): Record<string, string> | null {
  if (!landsOnRememberedStep(status, steps)) return null;
  const byName = new Map<string, string>();
  for (const s of steps) if (!s.internal && !byName.has(s.name)) byName.set(s.name, s.id);
  return Object.fromEntries(byName);
}

/** The place to open at without a link; null: the viewer's default (follow a running job, else the top). */
export function chooseLanding(status: JobStatus, steps: readonly StepMeta[], opts: LandingOptions = {}): JobLink | null {
  if (status === 'running') return null;
  if (opts.onlyStep !== undefined) {
    const only = steps.find((s) => s.id === opts.onlyStep);
    const n = only && failed(only.status) ? firstErrorLine(only) : null;
    return only && n !== null ? lineLink(only.id, n) : null;
  }
  if (failed(status)) {
    const first = firstJobError(status, steps);
    if (first) return lineLink(first.step, first.n);
    // failed steps start open: the top of the page shows them
    if (steps.some((s) => failed(s.status))) return null;
  }
  const shown = steps.filter((s) => !s.internal);
  const remembered = opts.remembered ? shown.find((s) => s.name === opts.remembered) : undefined;
  if (remembered) return { step: remembered.id };
  const last = shown[shown.length - 1];
  return last ? { step: last.id } : null;
}
