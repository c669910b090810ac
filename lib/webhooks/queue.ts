import 'server-only';
/**
 * The webhook queue's budget: deliveries waiting, in flight or waiting for a retry hold their
 * body's bytes until their last attempt ends. When one more would pass either bound it is not
 * taken (the caller drops it, logged and recorded): a receiver that is down for hours costs
 * bounded memory, and the write path that emits events never waits for the queue.
 */

/** Bytes of webhook bodies held at once per server. */
export const WEBHOOK_QUEUE_BYTES = 8 * 1024 * 1024;
/** Deliveries held at once per server (each also costs its record and timers). */
export const WEBHOOK_QUEUE_DELIVERIES = 10_000;
/** Deliveries being sent at once per server. */
export const WEBHOOK_CONCURRENCY = 4;

export class ByteBudget {
  private bytes = 0;
  private items = 0;

  constructor(
    readonly maxBytes = WEBHOOK_QUEUE_BYTES,
    readonly maxItems = WEBHOOK_QUEUE_DELIVERIES,
  ) {}

  /** Takes `bytes` for one item if both bounds allow; false leaves the budget unchanged. */
  reserve(bytes: number): boolean {
    if (this.items + 1 > this.maxItems || this.bytes + bytes > this.maxBytes) return false;
    this.bytes += bytes;
    this.items += 1;
    return true;
  }

  release(bytes: number): void {
    this.bytes = Math.max(0, this.bytes - bytes);
    this.items = Math.max(0, this.items - 1);
  }

  get used(): { bytes: number; items: number } {
    return { bytes: this.bytes, items: this.items };
  }
}
