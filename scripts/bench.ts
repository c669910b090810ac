/**
 * `npm run bench`: every benchmark, one after another, each printing its own figures.
 * Benchmarks print numbers; they never pass or fail on timing (a 2-core machine is noisy).
 * Pass names to run a subset: `npm run bench -- http ingest`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const BENCHES: { name: string; file: string; args?: string[]; needsBuild?: boolean }[] = [
  { name: 'ingest', file: 'scripts/bench-ingest.ts' },
  { name: 'file-store', file: 'scripts/bench-file-store.ts' },
  { name: 'screen-store', file: 'scripts/bench-screen-store.ts' },
  { name: 'write-path', file: 'scripts/bench-write-path.ts' },
  { name: 'backends', file: 'scripts/bench-backends.ts' },
  { name: 'search', file: 'scripts/bench-search.ts' },
  { name: 'http', file: 'scripts/bench-http.ts', args: ['1000000'], needsBuild: true },
  { name: 'cross-server', file: 'scripts/bench-cross-server.ts', needsBuild: true },
  { name: 'cli', file: 'scripts/bench-cli.ts', needsBuild: true },
  { name: 'browser', file: 'scripts/bench-browser.ts', needsBuild: true },
  { name: 'abuse', file: 'scripts/bench-abuse.ts', needsBuild: true },
  { name: 'search-abuse', file: 'scripts/bench-search-abuse.ts', needsBuild: true },
  { name: 'masks', file: 'scripts/bench-masks.ts' },
  { name: 'delete', file: 'scripts/bench-delete.ts' },
  { name: 'triage', file: 'scripts/bench-triage.ts' },
  { name: 'diff', file: 'scripts/bench-diff.ts' },
  { name: 'diff-api', file: 'scripts/bench-diff-api.ts', needsBuild: true },
  { name: 'fanout', file: 'scripts/bench-fanout.ts', needsBuild: true },
  { name: 'limits', file: 'scripts/bench-limits.ts', needsBuild: true },
  { name: 'copy', file: 'scripts/bench-copy.ts', needsBuild: true },
];

const wanted = process.argv.slice(2);
const chosen = BENCHES.filter((b) => (wanted.length === 0 || wanted.includes(b.name)) && existsSync(path.join(root, b.file)));
if (chosen.some((b) => b.needsBuild)) spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: root, stdio: 'inherit' });
for (const bench of chosen) {
  console.log(`\n## ${bench.name} (${bench.file})`);
  // Benchmarks load server modules (store, search, ingest) outside Next: their 'server-only'
  // marker resolves to its no-op only under the react-server condition.
  const tsx = [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=react-server'];
  spawnSync(process.execPath, [...tsx, bench.file, ...(bench.args ?? [])], {
    cwd: root,
    stdio: 'inherit',
  });
}
