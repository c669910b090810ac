/**
 * Search abuse benchmark (issue 8): `npx tsx scripts/bench-search-abuse.ts [seconds] [workers]`.
 * Starts the built server on a file store in a temp dir, writes a step of 20,000 hostile lines,
 * then for `seconds` (default 20) searches it with the four worst regexes, two searchers per
 * pattern (8 at once: the pool runs some, queues some, answers 429 to the rest), while probes
 * time `/api/health`, a one-line ingest POST and a fresh SSE connection. Prints p50/p99/max.
 * `workers` sets LOGSCOPE_SEARCH_WORKERS (default: the pool's own default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuild, freePort, runBench, startLogscope, uniqueJobId, type LogscopeServer } from '../test/support';
import { prepareAbuse, runAbuse, summary } from '../test/support/search-abuse';

const LINES = 20_000;
const seconds = Number(process.argv[2] ?? 20);
const workers = process.argv[3];
const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-bench-abuse-'));
let server: LogscopeServer | null = null;

runBench(
  async () => {
    ensureBuild();
    server = await startLogscope(await freePort(3230, 3239), `file:${dir}`, workers ? { LOGSCOPE_SEARCH_WORKERS: workers } : {});
    const { hostile, quiet } = await prepareAbuse(server.url, uniqueJobId('bench-abuse'), LINES);
    console.log(`search abuse: ${LINES} hostile lines, ${seconds} s, 8 searchers, workers ${workers ?? 'default'}, ${os.availableParallelism()} cores`);
    const figures = await runAbuse(server.url, hostile, quiet, seconds * 1000, 50, 2);
    console.log(`  /api/health     ${summary(figures.health)}`);
    console.log(`  ingest POST     ${summary(figures.ingest)}`);
    console.log(`  SSE connect     ${summary(figures.sse)}`);
    console.log(`  search (200)    ${summary(figures.searchMs)}`);
    for (const [q, statuses] of figures.searches) {
      const ok = statuses.filter((s) => s === 200).length;
      console.log(`  ${q.padEnd(14)} 200×${ok} 429×${statuses.filter((s) => s === 429).length} other×${statuses.length - ok - statuses.filter((s) => s === 429).length}`);
    }
    console.log(`  429 answers with Retry-After: ${figures.retryAfter}`);
  },
  async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
);
