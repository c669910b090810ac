import 'server-only';
import { DeliverPolicy, jetstream, type Consumer, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { UnavailableError } from '../../errors';
import type { StoreEvent } from '../types';
import { decodeJson } from './codec';
import type { ConnectionWatch } from './connection';
import type { Context } from './context';
import { toStoreError } from './errors';
import { toEvent } from './events';

/**
 * Heartbeats from the server while a pull waits: two missed (~2 s) mean the consumer stalled
 * (its node died, or the server stopped answering). The client's default is 15 s.
 */
const IDLE_HEARTBEAT_MS = 1_000;
/** Pull requests expire and are renewed this often (the heartbeat needs a pending pull). */
const PULL_EXPIRES_MS = 5_000;
const MAX_MESSAGES = 256;
/** Per consumer-creation request: on a healthy cluster it takes milliseconds. */
const CREATE_TIMEOUT_MS = 3_000;
/** Creation attempts: a new consumer may be placed on a node that just died and time out. */
const CREATE_ATTEMPTS = 4;
const CREATE_BACKOFF_MS = 250;
/** Consumers recreated in a row without a message in between before giving up. */
const STALL_RECOVERIES = 3;
/**
 * Ephemeral consumers the server drops after this long without a client (a crashed process,
 * or a delete that could not reach the server). We delete ours when done; the client's
 * default is 5 minutes, which left one consumer behind per catch-up or replay.
 */
const INACTIVE_THRESHOLD_MS = 15_000;

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Replay and live tail as ordered consumers filtered on `<prefix>.<job>.>`, starting at
 * cursor + 1: the server pushes history, then new messages as they are stored; the `end`
 * message stops it. No polling. The client alone would wait forever through a lost
 * connection or a consumer on a dead node, so:
 *  - a lost connection (status event, or missed heartbeats and no answer to a ping) fails the
 *    subscription with UnavailableError at once; the caller resumes by cursor later;
 *  - missed heartbeats on a live connection (the consumer's node died, a leader change)
 *    recreate the consumer from the last delivered sequence, a bounded number of times;
 *  - creation that times out (placed on a dead node) is retried, bounded.
 */
export class JobSubscriptions {
  /** A client with a short API timeout, used only to create consumers. */
  private readonly creator: JetStreamClient;

  constructor(
    private readonly ctx: Context,
    private readonly watch: ConnectionWatch,
    private readonly live: Set<ConsumerMessages>,
  ) {
    this.creator = jetstream(ctx.nc, { timeout: CREATE_TIMEOUT_MS });
  }

  async *events(jobId: string, from: number, stop: AbortSignal): AsyncGenerator<StoreEvent> {
    let cursor = from;
    let stalls = 0;
    for (;;) {
      if (stop.aborted) return;
      const consumer = await this.create(jobId, cursor, stop);
      if (!consumer) return;
      const session = await this.open(consumer);
      let stalled = false;
      let progressed = false;
      const onAbort = () => void session.messages.stop();
      stop.addEventListener('abort', onAbort, { once: true });
      session.onStall(() => (stalled = true));
      try {
        if (stop.aborted) return;
        for await (const m of session.messages) {
          if (stop.aborted) return;
          cursor = m.seq;
          progressed = true;
          const event = toEvent(this.ctx.subjects, m.subject, m.seq, decodeJson(m.data));
          if (!event) continue;
          yield event;
          if (event.type === 'end' || event.type === 'deleted') return;
        }
      } catch (error) {
        throw toStoreError(error);
      } finally {
        stop.removeEventListener('abort', onAbort);
        session.close();
        // done with it: delete now rather than leave it for the inactive threshold
        void consumer.delete().catch(() => undefined);
      }
      if (stop.aborted) return;
      if (!stalled) throw new UnavailableError('NATS subscription ended unexpectedly');
      stalls = progressed ? 1 : stalls + 1;
      if (stalls > STALL_RECOVERIES) throw new UnavailableError('NATS consumer keeps stalling');
    }
  }

  /** An ordered consumer from `cursor + 1`; retried when creation times out. Null when stopped. */
  private async create(jobId: string, cursor: number, stop: AbortSignal): Promise<Consumer | null> {
    for (let attempt = 1; ; attempt++) {
      this.watch.assertConnected();
      try {
        return await this.creator.consumers.get(this.ctx.subjects.logStream, {
          filter_subjects: this.ctx.subjects.jobAll(jobId),
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: cursor + 1,
          inactive_threshold: INACTIVE_THRESHOLD_MS,
        });
      } catch (error) {
        const mapped = toStoreError(error);
        if (!(mapped instanceof UnavailableError) || attempt >= CREATE_ATTEMPTS) throw mapped;
      }
      await sleep(CREATE_BACKOFF_MS * attempt, stop);
      if (stop.aborted) return null;
    }
  }

  private async open(consumer: Consumer): Promise<Session> {
    const messages = await consumer.consume({ max_messages: MAX_MESSAGES, expires: PULL_EXPIRES_MS, idle_heartbeat: IDLE_HEARTBEAT_MS });
    return new Session(messages, this.watch, this.live);
  }
}

/** One consumer's message iterator, stopped with an error when the connection is lost. */
class Session {
  private stallListener: (() => void) | null = null;
  private readonly offLost: () => void;
  private checking = false;

  constructor(
    readonly messages: ConsumerMessages,
    private readonly watch: ConnectionWatch,
    private readonly live: Set<ConsumerMessages>,
  ) {
    live.add(messages);
    this.offLost = watch.onLost((error) => messages.stop(error));
    // connection dropped before we registered: fail now rather than wait for it
    if (!watch.connected) messages.stop(new UnavailableError('NATS connection lost, reconnecting'));
    void this.follow();
  }

  onStall(listener: () => void): void {
    this.stallListener = listener;
  }

  private async follow(): Promise<void> {
    for await (const status of this.messages.status()) {
      if (status.type !== 'heartbeats_missed' || this.checking) continue;
      this.checking = true;
      const reachable = await this.watch.probe();
      if (!reachable) {
        this.messages.stop(new UnavailableError('NATS server is not answering'));
        return;
      }
      // the server answers but our consumer is silent: recreate it from the cursor
      this.stallListener?.();
      this.messages.stop();
      return;
    }
  }

  close(): void {
    this.offLost();
    this.live.delete(this.messages);
    this.messages.stop();
    void this.messages.close().catch(() => undefined);
  }
}
