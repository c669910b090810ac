import 'server-only';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { JobChangeQueue, type JobChanges } from '../job-changes';
import type { ConnectionWatch } from './connection';
import type { Context } from './context';
import { decodeToken } from './subjects';
import { sleep } from './subscribe';

/** Wait between attempts to (re)create a watch consumer after a failure or a lost connection. */
const WATCH_RETRY_MS = 1_000;
/** The server drops a watch consumer this long after its client went away (a crashed process). */
const WATCH_INACTIVE_THRESHOLD_MS = 15_000;

interface Source {
  stream: string;
  filter: string;
  /** the job a message's subject names, or null */
  jobOf(subject: string): string | null;
}

/**
 * watchJobs for NATS: two ordered, headers-only consumers delivering only new messages (no
 * payload crosses the wire, only subjects): one on the log stream (`<prefix>.>`: lines, step,
 * job, end and deleted messages name their job) and one on the job records (`<prefix>_meta.job.*`:
 * creates, updates, deletions). Two, because the servers' nats-server 2.9 takes one filter
 * subject per consumer. `resync` once both deliver, and again whenever one had to be made anew
 * (a lost connection, a consumer reset): messages in between were not seen.
 */
export function watchJobChanges(ctx: Context, watch: ConnectionWatch, stop: AbortSignal): AsyncIterable<JobChanges> {
  const { prefix, metaPrefix } = ctx.subjects;
  const recordPrefix = `${metaPrefix}.job.`;
  const sources: Source[] = [
    {
      stream: ctx.subjects.logStream,
      filter: `${prefix}.>`,
      jobOf: (subject) => (subject.startsWith(`${prefix}.`) ? decodeToken(subject.slice(prefix.length + 1).split('.')[0] ?? '') || null : null),
    },
    {
      stream: ctx.subjects.metaStream,
      filter: ctx.subjects.records(),
      jobOf: (subject) => (subject.startsWith(recordPrefix) ? decodeToken(subject.slice(recordPrefix.length)) || null : null),
    },
  ];
  const queue = new JobChangeQueue();
  let up = 0;
  const follow = async (source: Source): Promise<void> => {
    while (!stop.aborted) {
      let messages: ConsumerMessages | null = null;
      let counted = false;
      const offLost = watch.onLost(() => messages?.stop());
      const onAbort = () => messages?.stop();
      stop.addEventListener('abort', onAbort, { once: true });
      try {
        watch.assertConnected();
        const consumer = await ctx.js.consumers.get(source.stream, {
          filter_subjects: source.filter,
          deliver_policy: DeliverPolicy.New,
          headers_only: true,
          inactive_threshold: WATCH_INACTIVE_THRESHOLD_MS,
        });
        if (stop.aborted) return;
        messages = await consumer.consume();
        const current = messages;
        void (async () => {
          for await (const status of current.status()) {
            // the client made the consumer anew: what was published meanwhile was not delivered
            if (status.type === 'ordered_consumer_recreated' || status.type === 'reset') queue.lost();
          }
        })().catch(() => undefined);
        up++;
        counted = true;
        if (up === sources.length) queue.lost(); // every source listens: re-read from here
        for await (const m of messages) {
          const jobId = source.jobOf(m.subject);
          if (jobId) queue.add(jobId);
        }
      } catch {
        // lost connection, or creation failed: made anew below
      } finally {
        if (counted) up--;
        offLost();
        stop.removeEventListener('abort', onAbort);
        messages?.stop();
      }
      if (stop.aborted) return;
      await sleep(WATCH_RETRY_MS, stop);
    }
  };
  for (const source of sources) void follow(source);
  return queue.drain(stop);
}
