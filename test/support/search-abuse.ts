import { createJob, sendLines, type Producer } from './api';
import { percentile } from './bench';
import { sleep } from './processes';

/**
 * The issue-8 abuse scenario against a running server: the four worst regexes searched over
 * and over, concurrently, on a step of hostile lines, while probes time `/api/health`, a
 * one-line ingest POST and a fresh SSE connection (time to its response headers). Used by
 * e2e/search-abuse.spec.ts (behaviour) and scripts/bench-search-abuse.ts (figures).
 */

/** The patterns of the issue, each with a line that makes a backtracking engine explode. */
export const WORST_PATTERNS: readonly { q: string; line: (i: number) => string }[] = [
  { q: '(a|aa)+$', line: (i) => `${'a'.repeat(600 + (i % 50))}b` },
  { q: '^(\\w+\\s?)*$', line: (i) => `${'word '.repeat(120 + (i % 10))}!` },
  { q: '(x+x+)+y', line: (i) => 'x'.repeat(600 + (i % 50)) },
  { q: '.*.*.*.*~', line: (i) => 'a'.repeat(600 + (i % 50)) },
];

export interface AbuseFigures {
  health: number[];
  ingest: number[];
  sse: number[];
  /** status of every search answered, by pattern */
  searches: Map<string, number[]>;
  /** ms of every search answered with 200 */
  searchMs: number[];
  /** searches answered 429 that carried a Retry-After header */
  retryAfter: number;
}

/** Creates the hostile job (`lines` lines, the four patterns' lines interleaved) and a quiet job for ingest and SSE. */
export async function prepareAbuse(baseURL: string, id: string, lines: number): Promise<{ hostile: string; quiet: Producer }> {
  const hostile = await createJob(baseURL, `${id}-hostile`, { title: 'hostile', steps: [{ id: 'run' }] });
  for (let first = 1; first <= lines; first += 1000) {
    const texts = Array.from({ length: Math.min(1000, lines - first + 1) }, (_, k) => {
      const i = first + k;
      return WORST_PATTERNS[i % WORST_PATTERNS.length]!.line(i);
    });
    await sendLines(hostile, 'run', first, texts);
  }
  const quiet = await createJob(baseURL, `${id}-quiet`, { title: 'quiet', steps: [{ id: 'live' }] });
  return { hostile: hostile.jobId, quiet };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Runs the abuse for `durationMs`: `concurrency` searchers per pattern, probes every `probeEveryMs`. */
export async function runAbuse(
  baseURL: string,
  hostile: string,
  quiet: Producer,
  durationMs: number,
  probeEveryMs = 50,
  concurrency = 1,
): Promise<AbuseFigures> {
  const figures: AbuseFigures = { health: [], ingest: [], sse: [], searches: new Map(), searchMs: [], retryAfter: 0 };
  const until = Date.now() + durationMs;

  const searcher = async (q: string) => {
    const statuses: number[] = figures.searches.get(q) ?? [];
    figures.searches.set(q, statuses);
    while (Date.now() < until) {
      const started = performance.now();
      const response = await fetch(`${baseURL}/api/v1/jobs/${hostile}/search?regex=1&q=${encodeURIComponent(q)}`);
      await response.arrayBuffer();
      statuses.push(response.status);
      if (response.status === 200) figures.searchMs.push(performance.now() - started);
      if (response.status === 429) {
        if (response.headers.get('retry-after')) figures.retryAfter++;
        await sleep(100);
      }
    }
  };

  let n = 0;
  const prober = async () => {
    await sleep(300); // let the searches start first
    while (Date.now() < until) {
      figures.health.push(
        await timed(async () => {
          const response = await fetch(`${baseURL}/api/health`);
          await response.arrayBuffer();
          if (!response.ok) throw new Error(`health: HTTP ${response.status}`);
        }),
      );
      n++;
      figures.ingest.push(await timed(() => sendLines(quiet, 'live', n, [`probe ${n}`]).then(() => undefined)));
      figures.sse.push(
        await timed(async () => {
          const controller = new AbortController();
          const response = await fetch(`${baseURL}/api/v1/jobs/${quiet.jobId}/events`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
          if (!response.ok) throw new Error(`events: HTTP ${response.status}`);
          controller.abort();
        }),
      );
      await sleep(probeEveryMs);
    }
  };

  const searchers = WORST_PATTERNS.flatMap((p) => Array.from({ length: concurrency }, () => searcher(p.q)));
  await Promise.all([...searchers, prober()]);
  return figures;
}

/** p50 / p99 / max of a list of ms, for printing. */
export function summary(values: number[]): string {
  return `n=${values.length} p50=${percentile(values, 50).toFixed(1)} ms p99=${percentile(values, 99).toFixed(1)} ms max=${Math.max(...values).toFixed(1)} ms`;
}
