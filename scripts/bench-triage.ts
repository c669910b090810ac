/**
 * Triage benchmark: lines/s of classifyLine (through the per-step error index) over stored
 * lines, to compare with the ingest's per-line budget (~15 µs). Stored text comes from the
 * ingest itself (ingestLines), so the rules see what the store keeps. Three inputs: every file
 * of the corpus (LOGSCOPE_CORPUS or ../shared/corpus/public; the project's fixtures when it is
 * absent, and the bench says so), the corpus lines repeated to ~1M lines, and hostile 1 MB lines.
 * Usage: npm run bench -- triage
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createBodyLineSplitter, ingestLines, type RawLine } from '../lib/ingest';
import { createErrorIndex } from '../lib/triage';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../test/support/corpus';

if (!corpusPresent()) console.log(`${CORPUS_ABSENT}: timing the own fixtures instead`);
const dir = corpusPresent() ? CORPUS_DIR : FIXTURES_DIR;

function stored(file: string): { text: string; stream: 'out' | 'err' }[] {
  const splitter = createBodyLineSplitter();
  const bytes = new Uint8Array(readFileSync(file));
  const texts = [...splitter.push(bytes), ...splitter.end()];
  const raw = texts.map((text, i): RawLine => ({ n: i + 1, ts: i, stream: 'out', text }));
  return ingestLines(null, raw, []).lines.map((l) => ({ text: l.text, stream: l.stream }));
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

console.log(`corpus: ${dir}`);
console.log('file'.padEnd(46), 'lines'.padStart(7), 'errors'.padStart(7), 'ms'.padStart(8), 'µs/line'.padStart(8));
const all: { text: string; stream: 'out' | 'err' }[] = [];
for (const file of readdirSync(dir).filter((f) => !f.endsWith('.md')).sort()) {
  const lines = stored(path.join(dir, file));
  all.push(...lines);
  const t = process.hrtime.bigint();
  const index = createErrorIndex();
  lines.forEach((l, i) => index.add(i + 1, l.text, l.stream));
  const took = ms(t);
  console.log(file.padEnd(46), String(lines.length).padStart(7), String(index.count()).padStart(7), took.toFixed(1).padStart(8), ((took * 1000) / Math.max(1, lines.length)).toFixed(2).padStart(8));
}

// Every corpus line again and again (half of them tagged stderr, so that rule runs too), ~1M lines.
const TARGET = 1_000_000;
const repeats = Math.max(1, Math.ceil(TARGET / Math.max(1, all.length)));
for (let round = 0; round < 2; round++) {
  const index = createErrorIndex();
  let n = 0;
  const t = process.hrtime.bigint();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < all.length; i++) index.add(++n, all[i]!.text, (i & 1) === 0 ? 'out' : 'err');
  const took = ms(t);
  console.log(`${round === 0 ? 'warm-up' : 'measured'}: ${n} lines in ${took.toFixed(0)} ms = ${Math.round(n / (took / 1000)).toLocaleString('en')} lines/s, ${((took * 1000) / n).toFixed(2)} µs/line; ${index.count()} error lines (${index.entries().length} kept)`);
}

const MB = 1 << 20;
const hostile: [string, string][] = [
  ['1 MB of letters', 'a'.repeat(MB)],
  ['1 MB of ESC[31m', '\x1b[31m'.repeat(MB / 5)],
  ['1 MB of unterminated OSC', '\x1b]8;;'.repeat(MB / 5)],
  ['1 MB of :1', ':1'.repeat(MB / 2)],
  ['1 MB of = then 1 failed', '='.repeat(MB) + ' 1 failed'],
  ['1 MB of " ERROR"', ' ERROR'.repeat(MB / 6)],
];
for (const [name, text] of hostile) {
  const index = createErrorIndex();
  const t = process.hrtime.bigint();
  for (let i = 1; i <= 100; i++) index.add(i, text, 'err');
  console.log(`hostile ${name}: ${(ms(t) * 10).toFixed(1)} µs/line (100 lines)`);
}
