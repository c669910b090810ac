import 'server-only';
import type { LogStore } from '../store/types';
import { webhookJobDeleted } from '../webhooks';
import { MAX_DELETES_PER_SWEEP, RETENTION_ENV, describeRule, parseRetention, planSweep, type Deletion, type RetentionRule } from './policy';

/** How often the retention sweep runs (10 minutes). */
export const RETENTION_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/**
 * The sweep's lease where servers share a backend (LogStore.runExclusive): a server that dies
 * mid-sweep holds the task at most this long. A sweep (MAX_DELETES_PER_SWEEP deletions) ends
 * well within it.
 */
export const RETENTION_LEASE_MS = 5 * 60 * 1000;
/** The first sweep runs this long after start (the server is up; the backend may still be connecting). */
export const RETENTION_FIRST_SWEEP_MS = 5_000;
/** The task name servers sharing a backend agree on. */
export const RETENTION_TASK = 'retention';

export interface SweepResult {
  /** false: another server holds the sweep now */
  ran: boolean;
  deleted: Deletion[];
}

type Log = (message: string) => void;

/**
 * One sweep: if no other server is sweeping, size every job, plan (policy.ts), delete what the
 * plan says, oldest first, logging each. A deletion that fails is logged and left for the next
 * sweep; a job that is gone already counts as done.
 */
export async function sweepOnce(store: LogStore, rules: readonly RetentionRule[], now = Date.now(), log: Log = (m) => console.log(m), max = MAX_DELETES_PER_SWEEP): Promise<SweepResult> {
  const deleted: Deletion[] = [];
  if (rules.length === 0) return { ran: false, deleted };
  const ran = await store.runExclusive(RETENTION_TASK, RETENTION_LEASE_MS, async () => {
    const plan = planSweep(rules, await store.listSizes(), now, max);
    for (const deletion of plan) {
      try {
        const job = await store.getJob(deletion.id);
        if (await store.deleteJob(deletion.id)) {
          deleted.push(deletion);
          if (job !== null) webhookJobDeleted(job);
          log(`logscope: retention: deleted job ${deletion.id} (${deletion.bytes} bytes): ${deletion.reason}`);
        }
      } catch (error) {
        log(`logscope: retention: could not delete job ${deletion.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
  return { ran, deleted };
}

/**
 * Starts the background sweep from LOGSCOPE_RETENTION (nothing without rules): one sweep soon
 * after start, then every RETENTION_SWEEP_INTERVAL_MS, never two at once in this process. The
 * timer does not keep the process alive. Returns the stop function.
 */
export function startRetention(store: () => Promise<LogStore>, env: NodeJS.ProcessEnv = process.env, log: Log = (m) => console.log(m)): () => void {
  const { rules, problem } = parseRetention(env[RETENTION_ENV]);
  if (problem) console.error(`logscope: ${problem}`);
  if (rules.length === 0) return () => undefined;
  log(`logscope: retention: ${rules.map(describeRule).join('; ')}; sweeping every ${RETENTION_SWEEP_INTERVAL_MS / 60_000} minutes, at most ${MAX_DELETES_PER_SWEEP} jobs a sweep`);
  let running = false;
  const sweep = () => {
    if (running) return;
    running = true;
    store()
      .then((s) => sweepOnce(s, rules, Date.now(), log))
      .catch((error: unknown) => log(`logscope: retention: sweep failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (running = false));
  };
  const first = setTimeout(sweep, RETENTION_FIRST_SWEEP_MS);
  const timer = setInterval(sweep, RETENTION_SWEEP_INTERVAL_MS);
  first.unref?.();
  timer.unref?.();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

const globalForRetention = globalThis as typeof globalThis & { __logscopeRetention?: () => void };

/** Starts the sweep once per process, over the process's store (instrumentation.ts). */
export function startRetentionOnce(getStore: () => Promise<LogStore>): void {
  globalForRetention.__logscopeRetention ??= startRetention(getStore);
}
