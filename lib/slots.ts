/**
 * A fixed set of slots (e.g. worker threads) lent one caller at a time, with a bounded queue of
 * callers waiting for one: past `maxQueued` waiters, `acquire` rejects with `full()` (a 429), so
 * a burst of CPU-heavy requests waits in a queue of known size instead of piling up.
 * Used by the search pool (lib/search/pool.ts) and the diff pool (lib/diff/server/pool.ts).
 */
export class SlotQueue<T> {
  private readonly idle: T[];
  private readonly waiting: ((slot: T) => void)[] = [];

  constructor(
    slots: readonly T[],
    private readonly maxQueued: number,
    private readonly full: () => Error,
  ) {
    this.idle = [...slots];
  }

  /** A free slot now, else once one is released; rejects at once when the queue is full. */
  acquire(): Promise<T> {
    const slot = this.idle.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    if (this.waiting.length >= this.maxQueued) return Promise.reject(this.full());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Gives a slot back: to the longest-waiting caller, else to the free ones. */
  release(slot: T): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  /** True when no slot is free and the queue is full: the next `acquire` would reject. */
  saturated(): boolean {
    return this.idle.length === 0 && this.waiting.length >= this.maxQueued;
  }

  /** The slots not lent out. */
  free(): readonly T[] {
    return this.idle;
  }
}
