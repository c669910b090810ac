import { z } from 'zod';
import { labelsSchema } from '../contracts';

/**
 * Retention policy (README "Retention"): rules by label scope, each with a maximum age and/or a
 * maximum total size. Pure: parsing and planning one sweep; lib/retention/sweeper.ts runs it.
 *
 *   LOGSCOPE_RETENTION='[{"labels":{"repo":"acme/api"},"maxAgeDays":30,"maxBytes":10737418240},
 *                        {"labels":{},"maxAgeDays":90}]'
 *
 * - `labels`: the jobs carrying all of these labels (`{}`: every job).
 * - `maxAgeDays`: a completed job is deleted this many days after it ended.
 * - `maxBytes`: while the scope's jobs (running ones included) hold more line text than this,
 *   its oldest completed jobs are deleted. Bytes are the UTF-8 bytes of stored line text (what
 *   the job_bytes quota counts), not the backend's disk use.
 * A job in several scopes is deleted when any of their rules says so. Running jobs are never
 * deleted. Each sweep deletes at most MAX_DELETES_PER_SWEEP jobs, oldest first.
 */

export const RETENTION_ENV = 'LOGSCOPE_RETENTION';
/** Rules at most in LOGSCOPE_RETENTION. */
export const MAX_RETENTION_RULES = 100;
/** Jobs one sweep deletes at most (the rest waits for the next sweep). */
export const MAX_DELETES_PER_SWEEP = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

const ruleSchema = z
  .object({
    labels: labelsSchema,
    maxAgeDays: z.number().positive().max(100_000).optional(),
    maxBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .refine((rule) => rule.maxAgeDays !== undefined || rule.maxBytes !== undefined, { message: 'a rule needs maxAgeDays or maxBytes' });

export type RetentionRule = z.infer<typeof ruleSchema>;

/** What the sweep needs of a job (LogStore.listSizes). */
export interface SizedJob {
  id: string;
  labels: Readonly<Record<string, string>>;
  status: string;
  createdAt: number;
  endedAt: number | null;
  bytes: number;
}

export interface Deletion {
  id: string;
  /** which rule and limit decided it, for the log */
  reason: string;
  bytes: number;
}

/** Parses LOGSCOPE_RETENTION; a bad value keeps no rules and says why (nothing is deleted by a typo). */
export function parseRetention(raw: string | undefined): { rules: RetentionRule[]; problem: string | null } {
  if (raw === undefined || raw.trim() === '') return { rules: [], problem: null };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { rules: [], problem: `${RETENTION_ENV} is not JSON; retention is off` };
  }
  const parsed = z.array(ruleSchema).max(MAX_RETENTION_RULES).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { rules: [], problem: `${RETENTION_ENV}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; retention is off` };
  }
  return { rules: parsed.data, problem: null };
}

function inScope(rule: RetentionRule, job: SizedJob): boolean {
  for (const [name, value] of Object.entries(rule.labels)) if (!Object.hasOwn(job.labels, name) || job.labels[name] !== value) return false;
  return true;
}

const endOf = (job: SizedJob): number => job.endedAt ?? job.createdAt;
const oldestFirst = (a: SizedJob, b: SizedJob): number => endOf(a) - endOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function describeRule(rule: RetentionRule): string {
  const scope = Object.entries(rule.labels).map(([k, v]) => `${k}=${v}`).join(',') || 'all jobs';
  const limits = [rule.maxAgeDays !== undefined ? `${rule.maxAgeDays} days` : null, rule.maxBytes !== undefined ? `${rule.maxBytes} bytes` : null].filter(Boolean);
  return `${scope}: ${limits.join(', ')}`;
}

/** The jobs one sweep deletes, oldest first, at most `max`. */
export function planSweep(rules: readonly RetentionRule[], jobs: readonly SizedJob[], now: number, max = MAX_DELETES_PER_SWEEP): Deletion[] {
  const chosen = new Map<string, Deletion>();
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const rule of rules) {
    const scoped = jobs.filter((job) => inScope(rule, job));
    const completed = scoped.filter((job) => job.status !== 'running').sort(oldestFirst);
    if (rule.maxAgeDays !== undefined) {
      const cutoff = now - rule.maxAgeDays * DAY_MS;
      for (const job of completed) {
        if (endOf(job) < cutoff && !chosen.has(job.id)) chosen.set(job.id, { id: job.id, reason: `older than ${rule.maxAgeDays} days (${describeRule(rule)})`, bytes: job.bytes });
      }
    }
    if (rule.maxBytes !== undefined) {
      let total = 0;
      for (const job of scoped) if (!chosen.has(job.id)) total += job.bytes;
      for (const job of completed) {
        if (total <= rule.maxBytes) break;
        if (chosen.has(job.id)) continue;
        chosen.set(job.id, { id: job.id, reason: `scope over ${rule.maxBytes} bytes (${describeRule(rule)})`, bytes: job.bytes });
        total -= job.bytes;
      }
    }
  }
  return [...chosen.values()]
    .sort((a, b) => oldestFirst(byId.get(a.id)!, byId.get(b.id)!))
    .slice(0, Math.max(0, max));
}
