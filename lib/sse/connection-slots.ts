import 'server-only';
import { JOB_LIST_STREAMS } from '../limits';
/**
 * Caps on open event streams: at most `perClient` per client address and `total` per process
 * (lib/limits.ts SSE_PER_CLIENT, SSE_TOTAL). A stream takes a slot before it starts and gives
 * it back exactly once, however it ends (lib/sse/response.ts calls `release` on every path:
 * client gone, stream ended, stream failed, response never started).
 */
export class ConnectionSlots {
  private readonly byClient = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly perClient: number,
    readonly total: number,
  ) {}

  /** A release function (idempotent) when a slot is free, or why not. */
  acquire(client: string): { release: () => void } | { refused: 'client' | 'total' } {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.perClient) return { refused: 'client' };
    if (this.open >= this.total) return { refused: 'total' };
    this.byClient.set(client, mine + 1);
    this.open += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
        const left = (this.byClient.get(client) ?? 1) - 1;
        if (left > 0) this.byClient.set(client, left);
        else this.byClient.delete(client);
      },
    };
  }

  /** Streams open, in all and for one client. */
  count(client?: string): number {
    return client === undefined ? this.open : (this.byClient.get(client) ?? 0);
  }
}

const globalForSlots = globalThis as typeof globalThis & { __logscopeSseSlots?: ConnectionSlots; __logscopeJobListSlots?: ConnectionSlots };

/** The process's event-stream slots (module state can be evaluated more than once under Next). */
export function sseSlots(limits: { ssePerClient: number; sseTotal: number }): ConnectionSlots {
  return (globalForSlots.__logscopeSseSlots ??= new ConnectionSlots(limits.ssePerClient, limits.sseTotal));
}

/**
 * The process's job list stream slots (JOB_LIST_STREAMS in all, SSE_PER_CLIENT per client),
 * taken besides an event-stream slot: job list viewers cannot crowd out log viewers.
 */
export function jobListSlots(limits: { ssePerClient: number }): ConnectionSlots {
  return (globalForSlots.__logscopeJobListSlots ??= new ConnectionSlots(limits.ssePerClient, JOB_LIST_STREAMS));
}
