import 'server-only';
import type { NatsConnection } from '@nats-io/transport-node';
import { UnavailableError } from '../../errors';

/** How long a "are we still connected?" round trip may take before we call the server lost. */
const PROBE_TIMEOUT_MS = 1_000;

type LostListener = (error: UnavailableError) => void;

/**
 * Connection state from the client's status events. The client reconnects forever on its own
 * and would make every waiting consumer wait through an outage in silence; live subscriptions
 * register here and fail with UnavailableError as soon as the connection drops, so the live
 * hub reports the outage and viewers resume by cursor once the server is back.
 */
export class ConnectionWatch {
  private up = true;
  private readonly listeners = new Set<LostListener>();

  constructor(private readonly nc: NatsConnection) {
    void this.watch();
  }

  get connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** Throws UnavailableError while the connection is down (fail fast instead of timing out). */
  assertConnected(): void {
    if (!this.connected) throw new UnavailableError('NATS connection lost, reconnecting');
  }

  /** Calls `listener` once when the connection is lost; returns the unregister function. */
  onLost(listener: LostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A round trip to the server within PROBE_TIMEOUT_MS: false means the server stopped
   * answering (perhaps without closing the socket). Only the caller acts on it; the shared
   * state follows the client's own status events, so one slow flush cannot wedge it.
   */
  async probe(): Promise<boolean> {
    if (!this.connected) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ok = await Promise.race([
      this.nc.flush().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    return ok;
  }

  private lost(): void {
    this.up = false;
    const error = new UnavailableError('NATS connection lost, reconnecting');
    for (const listener of [...this.listeners]) {
      this.listeners.delete(listener);
      listener(error);
    }
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case 'disconnect':
        case 'reconnecting':
        case 'staleConnection':
        case 'close':
          this.lost();
          break;
        case 'reconnect':
          this.up = true;
          break;
        default:
        // cluster updates, lame duck mode, pings, slow consumer: not a lost connection
      }
    }
    this.lost();
  }
}
