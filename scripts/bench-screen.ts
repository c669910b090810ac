/**
 * Screen benchmark (issue 13): lines/s of the write path's ingest (needsScreen, then
 * ingestLines with the step's last SCREEN_ROWS stored rows when it asks for them; state
 * round-tripped through JSON; batches of 500) for
 * - plain text and the typical ANSI mix of bench-ingest.ts (no row moves: the screen is never
 *   loaded, only needsScreen's scan is paid),
 * - terminal-to-html's docker-compose-pull fixture (row moves on nearly every line: every batch
 *   loads and parses the screen), with its producer lines and stored rows.
 * The same script runs against a tree without the screen (no needsScreen export): ingestLines
 * alone, so the two figures compare. Usage: `npm run bench -- screen`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ingest from '../lib/ingest';
import type { Line } from '../lib/contracts/lines';
import type { RawLine } from '../lib/ingest';

const SCREEN_ROWS = 200;
const BATCH = 500;
type NeedsScreen = (state: unknown, lines: readonly RawLine[], rows: number) => boolean;
const needsScreen = (ingest as { needsScreen?: NeedsScreen }).needsScreen;
const ingestLines = ingest.ingestLines as (state: unknown, lines: RawLine[], masks: readonly string[], options?: { rows?: number; screen?: readonly Line[] }) => { lines: Line[]; updates?: Line[]; state: unknown };

/**
 * One pass of the write path over `raw`; returns the stored rows' count and the CPU ms taken
 * (user + system: on a shared machine, steadier than wall time).
 */
function writePath(raw: readonly RawLine[]): { rows: number; ms: number } {
  const t = process.cpuUsage();
  let state: unknown = null;
  let rows = 0;
  /** the last SCREEN_ROWS stored rows, as the writer would read them */
  let tail: Line[] = [];
  for (let i = 0; i < raw.length; i += BATCH) {
    const batch = raw.slice(i, i + BATCH);
    let out;
    if (needsScreen) {
      const screen = needsScreen(state, batch, rows) ? tail : undefined;
      out = ingestLines(state, batch, [], { rows, screen });
    } else {
      out = ingestLines(state, batch, []);
    }
    for (const u of out.updates ?? []) {
      const at = tail.findIndex((l) => l.n === u.n);
      if (at >= 0) tail[at] = u;
    }
    rows += out.lines.length;
    tail = [...tail, ...out.lines].slice(-SCREEN_ROWS);
    state = JSON.parse(JSON.stringify(out.state)) as unknown;
  }
  const used = process.cpuUsage(t);
  return { rows, ms: (used.user + used.system) / 1000 };
}

function best(raw: readonly RawLine[], runs: number): { rows: number; ms: number } {
  let result = writePath(raw);
  for (let r = 1; r < runs; r++) {
    const next = writePath(raw);
    if (next.ms < result.ms) result = next;
  }
  return result;
}

const TYPICAL = [
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  '\x1b[32m✓\x1b[39m \x1b[2mrenders the header (12 ms)\x1b[22m',
  '   Compiling serde v1.0.197',
  '\x1b[1m\x1b[38;5;9merror[E0308]\x1b[0m\x1b[1m: mismatched types\x1b[0m',
  'Receiving objects:  45% (120/263)\rReceiving objects: 100% (263/263), 607.65 KiB | 5.73 MiB/s, done.',
  '2025-10-12T01:28:29.8868624Z Downloading action repository actions/checkout@v4',
  '::group::Run npm test',
  '> jest --ci --coverage',
  '::endgroup::',
  '    at Object.<anonymous> (src/app.test.ts:12:5)',
];
const PLAIN = TYPICAL.filter((l) => !/[\x1b\r]|::/.test(l));
const N = 300_000;

console.log(needsScreen ? 'with the screen model (needsScreen + ingestLines)' : 'without the screen model (ingestLines)');
for (const [label, mix] of [['plain text', PLAIN], ['typical ANSI mix', TYPICAL]] as const) {
  const raw: RawLine[] = Array.from({ length: N }, (_, i) => ({ n: i + 1, ts: i, stream: 'out', text: mix[i % mix.length] ?? '' }));
  const { ms } = best(raw, 3);
  console.log(`${label}: ${N.toLocaleString('en')} lines, best of 3: ${ms.toFixed(0)} CPU ms = ${Math.round(N / (ms / 1000)).toLocaleString('en')} lines/s`);
}

const fixture = path.resolve(__dirname, '../lib/ansi/__fixtures__/terminal-to-html/docker-compose-pull.sh.raw');
let bytes: Uint8Array | null = null;
try {
  bytes = new Uint8Array(readFileSync(fixture));
} catch {
  console.log(`docker-compose-pull: ${fixture} absent`);
}
if (bytes) {
  const splitter = ingest.createBodyLineSplitter();
  const texts = [...splitter.push(bytes), ...splitter.end()];
  const raw: RawLine[] = texts.map((text, i) => ({ n: i + 1, ts: i, stream: 'out', text }));
  const { rows, ms } = best(raw, 5);
  console.log(`docker-compose-pull: ${raw.length.toLocaleString('en')} producer lines → ${rows.toLocaleString('en')} rows, best of 5: ${ms.toFixed(1)} CPU ms = ${Math.round(raw.length / (ms / 1000)).toLocaleString('en')} lines/s`);
}
