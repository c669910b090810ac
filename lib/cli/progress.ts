import type { WriterStats } from '../sdk/step-writer';

/**
 * A one-line progress display on stderr, only when stderr is a terminal (quiet otherwise, so
 * CI logs and pipes get nothing extra). The line is cleared before any teed output is written
 * and redrawn a few times a second, only when the last output ended a line.
 */
const REDRAW_MS = 250;

export interface ProgressTarget {
  isTTY?: boolean;
  write(chunk: string): boolean;
}

export class Progress {
  private readonly target: ProgressTarget;
  private readonly label: () => string;
  private readonly stats: () => WriterStats;
  private readonly enabled: boolean;
  private visible = false;
  private atLineStart = true;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(target: ProgressTarget, label: () => string, stats: () => WriterStats, enabled = target.isTTY === true) {
    this.target = target;
    this.label = label;
    this.stats = stats;
    this.enabled = enabled;
    if (enabled) {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref();
    }
  }

  /** Call before writing output to the same terminal. */
  beforeOutput(): void {
    if (this.visible) {
      this.target.write('\r\u001b[K');
      this.visible = false;
    }
  }

  afterOutput(chunk: string | Uint8Array): void {
    const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
    if (last !== undefined) this.atLineStart = last === 10;
  }

  draw(): void {
    if (!this.enabled || !this.atLineStart) return;
    this.target.write(`\r\u001b[K${formatProgress(this.label(), this.stats())}`);
    this.visible = true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.beforeOutput();
  }
}

export function formatProgress(label: string, stats: WriterStats): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const retry = stats.retries > 0 ? ` · ${n(stats.retries)} retries` : '';
  return `logscope ${label}: ${n(stats.sent)} lines sent · ${n(stats.acked)} acked${retry}`;
}
