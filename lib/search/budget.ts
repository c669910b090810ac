import 'server-only';
/**
 * Lines one search request may scan in all, with the time cap below: the file store scans its
 * plain-text sidecars at millions of lines a second (~2 s for this many on a small 2-core box);
 * through the range API (PostgreSQL, NATS) the time cap comes first.
 */
export const MAX_SCAN_LINES = 20_000_000;
/** Wall-time cap of one request's scan (store reads included): a search answers within seconds. */
export const MAX_SCAN_MS = 3_000;

/** A request's shared scan budget (one job search, or every job of a global search). */
export class ScanBudget {
  private linesLeft: number;
  private readonly deadline: number;
  private spent = false;

  constructor(maxLines = MAX_SCAN_LINES, maxMs = MAX_SCAN_MS, private readonly now: () => number = Date.now) {
    this.linesLeft = maxLines;
    this.deadline = now() + maxMs;
  }

  /** Lines that may still be scanned now (0 once the line count or the time is used up). */
  available(): number {
    if (this.spent) return 0;
    if (this.linesLeft <= 0 || this.now() >= this.deadline) {
      this.spent = true;
      return 0;
    }
    return this.linesLeft;
  }

  spend(lines: number): void {
    this.linesLeft -= lines;
  }

  /** Marks the budget used up (a worker stopped at the deadline). */
  exhaust(): void {
    this.spent = true;
  }

  /** When the time budget ends (ms since the epoch): search workers stop at it. */
  get deadlineAt(): number {
    return this.deadline;
  }

  /** True once the budget stopped a scan before its end. */
  get exhausted(): boolean {
    return this.spent;
  }
}
