import 'server-only';
import type { JobVisibility } from './types';

/**
 * Whether a job is inside a listing's visibility (types.ts JobVisibility), for the backends that
 * filter in memory (file, NATS); PostgreSQL applies the same rule in SQL (postgres/jobs.ts).
 * Every label must match exactly, by own property (a label named `toString` is just a label).
 */
export function isVisible(visible: JobVisibility | undefined, job: { id: string; labels: Readonly<Record<string, string>> }): boolean {
  if (visible === undefined) return true;
  if (visible.jobs !== undefined && !visible.jobs.includes(job.id)) return false;
  for (const [key, value] of Object.entries(visible.labels ?? {})) {
    if (!Object.hasOwn(job.labels, key) || job.labels[key] !== value) return false;
  }
  return true;
}
