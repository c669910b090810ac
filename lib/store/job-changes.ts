import 'server-only';

/**
 * What `LogStore.watchJobs` yields: the ids of jobs that changed (created, updated, written to,
 * completed or deleted) since the previous item, or `resync`: changes may have been missed (the
 * first item, once the watch listens; then after a lost connection or an overflow), so whatever
 * the reader derived from earlier reads must be read again.
 */
export type JobChanges = { type: 'changed'; jobs: string[] } | { type: 'resync' };

/**
 * Ids one watch collects between two reads of its reader. Past it the ids are dropped and the
 * reader gets `resync` instead: a reader that fell this far behind re-reads what it shows.
 */
export const MAX_PENDING_CHANGES = 4096;

/**
 * The buffer between a backend's change notifications (callbacks) and a watchJobs iterator:
 * ids are collected in a set (a job that changes a thousand times before the reader comes back
 * is one id), bounded by MAX_PENDING_CHANGES, and handed over all at once.
 */
export class JobChangeQueue {
  private ids = new Set<string>();
  private resync = false;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(private readonly maxPending = MAX_PENDING_CHANGES) {}

  /** A job changed. */
  readonly add = (jobId: string): void => {
    if (this.ended || this.resync) return;
    if (this.ids.size >= this.maxPending && !this.ids.has(jobId)) this.lost();
    else this.ids.add(jobId);
    this.poke();
  };

  /** Changes may have been missed (or the watch just started listening): the reader re-reads. */
  readonly lost = (): void => {
    if (this.ended) return;
    this.resync = true;
    this.ids.clear();
    this.poke();
  };

  /** No more changes (the store closes): the iterator returns. */
  readonly end = (): void => {
    this.ended = true;
    this.poke();
  };

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The changes as they come, until `signal` aborts or `end`. */
  async *drain(signal: AbortSignal): AsyncGenerator<JobChanges> {
    const onAbort = () => this.poke();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal.aborted || this.ended) return;
        if (this.resync) {
          this.resync = false;
          yield { type: 'resync' };
        } else if (this.ids.size > 0) {
          const jobs = [...this.ids];
          this.ids = new Set();
          yield { type: 'changed', jobs };
        } else {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.wake = null;
    }
  }
}
