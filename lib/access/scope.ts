import 'server-only';
/**
 * What a credential may reach, and the one rule that says whether a job is inside it. Pure: no
 * I/O, used by the server (lib/access/principal.ts) and by tests.
 */

/** A credential's reach: every job, the jobs carrying all these labels, or a list of job ids. */
export type Scope =
  | { readonly all: true }
  | { readonly labels: Readonly<Record<string, string>> }
  | { readonly jobs: readonly string[] }
  /** A signed link: one job, or one step of it. */
  | { readonly job: string; readonly step?: string };

/** Just enough of a job to decide: its id and labels. */
export interface ScopedJob {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether `scope` covers `job` (every label of a label scope must match exactly). */
export function scopeCoversJob(scope: Scope, job: ScopedJob): boolean {
  if ('all' in scope) return true;
  if ('labels' in scope) {
    for (const [key, value] of Object.entries(scope.labels)) {
      if (!Object.hasOwn(job.labels, key) || job.labels[key] !== value) return false;
    }
    return true;
  }
  if ('jobs' in scope) return scope.jobs.includes(job.id);
  return scope.job === job.id;
}

/**
 * Whether `scope` covers one step of `job`: a step link covers only its step; every other scope
 * covers all steps of a job it covers.
 */
export function scopeCoversStep(scope: Scope, job: ScopedJob, step: string): boolean {
  if (!scopeCoversJob(scope, job)) return false;
  return !('job' in scope) || scope.step === undefined || scope.step === step;
}

/**
 * Labels a job created under `scope` must carry: a label scope's own labels (a new job may add
 * more, never leave one out or change it). Other scopes impose none.
 */
export function requiredLabels(scope: Scope): Readonly<Record<string, string>> {
  return 'labels' in scope ? scope.labels : {};
}

/** A short human description for logs and error messages. */
export function describeScope(scope: Scope): string {
  if ('all' in scope) return 'all jobs';
  if ('labels' in scope) return Object.entries(scope.labels).map(([k, v]) => `${k}=${v}`).join(',') || 'all jobs';
  if ('jobs' in scope) return `jobs ${scope.jobs.join(',')}`;
  return scope.step === undefined ? `job ${scope.job}` : `job ${scope.job} step ${scope.step}`;
}
