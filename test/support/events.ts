import { createParser } from 'eventsource-parser';
import { sleep } from './processes';

export interface LinesArrival {
  step: string;
  n: number;
  text: string;
  at: number;
}

/**
 * `GET /jobs/{job}/events` read over fetch (Node 20 has no EventSource): records every line
 * with its arrival time, the last cursor, and whether `end` came.
 */
export class EventsReader {
  readonly lines: LinesArrival[] = [];
  ended = false;
  lastId: string | null = null;
  error: unknown = null;
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(baseURL: string, jobId: string, after: string | null, onLine?: (line: LinesArrival) => void) {
    const query = after === null ? '' : `?after=${encodeURIComponent(after)}`;
    this.done = this.run(`${baseURL}/api/v1/jobs/${jobId}/events${query}`, onLine);
  }

  private async run(url: string, onLine?: (line: LinesArrival) => void): Promise<void> {
    try {
      const response = await fetch(url, { signal: this.controller.signal, headers: { accept: 'text/event-stream' } });
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      const parser = createParser({
        onEvent: (event) => {
          if (event.id) this.lastId = event.id;
          if (event.event === 'lines') {
            const at = performance.now();
            const data = JSON.parse(event.data) as { step: string; lines: { n: number; text: string }[] };
            for (const line of data.lines) {
              const arrival = { step: data.step, n: line.n, text: line.text, at };
              this.lines.push(arrival);
              onLine?.(arrival);
            }
          } else if (event.event === 'end') {
            this.ended = true;
          }
          this.notify();
        },
      });
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (!this.controller.signal.aborted) this.error = error;
    } finally {
      this.notify();
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  has(step: string, n: number): boolean {
    return this.lines.some((l) => l.step === step && l.n === n);
  }

  /** Resolves once line n of step arrived; rejects after `timeoutMs` or if the stream failed. */
  async waitFor(step: string, n: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.has(step, n)) {
      if (this.error) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`events: line ${step}:${n} did not arrive in ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(Math.min(left, 500))]);
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}
