/**
 * Ingest benchmark: time to split + ingest each file of a log directory, and lines/s of
 * ingestLines on 1M typical lines (plain, coloured, progress-bar and marker lines), fed in
 * batches of 500 with the state round-tripped through JSON as the write path does.
 * Usage: npx tsx --conditions=react-server scripts/bench-ingest.ts [dir]. The default is the optional third-party corpus
 * (LOGSCOPE_CORPUS or ../shared/corpus/public); when it is absent, the project's own small
 * fixtures (lib/ingest/__fixtures__) are timed instead, and the bench says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createBodyLineSplitter, ingestLines, type RawLine } from '../lib/ingest';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../test/support/corpus';
import { renderLineHtml } from '../lib/ansi/render';

const given = process.argv[2];
if (!given && !corpusPresent()) console.log(`${CORPUS_ABSENT}: timing the own fixtures instead`);
const corpus = path.resolve(given ?? (corpusPresent() ? CORPUS_DIR : FIXTURES_DIR));
const BATCH = 500;

function ingestAll(raw: RawLine[]): number {
  let state: unknown = null;
  const masks: string[] = [];
  let bytes = 0;
  for (let i = 0; i < raw.length; i += BATCH) {
    const out = ingestLines(state, raw.slice(i, i + BATCH), masks);
    masks.push(...out.newMasks);
    state = JSON.parse(JSON.stringify(out.state)) as unknown;
    for (const l of out.lines) bytes += l.text.length;
  }
  return bytes;
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

console.log(`corpus: ${corpus}`);
console.log('file'.padEnd(46), 'bytes'.padStart(9), 'lines'.padStart(7), 'split ms'.padStart(9), 'ingest ms'.padStart(10), 'render ms'.padStart(10));
for (const file of readdirSync(corpus).filter((f) => !f.endsWith('.md')).sort()) {
  const bytes = new Uint8Array(readFileSync(path.join(corpus, file)));
  let t = process.hrtime.bigint();
  const splitter = createBodyLineSplitter();
  const texts = [...splitter.push(bytes), ...splitter.end()];
  const split = ms(t);
  const raw = texts.map((text, i): RawLine => ({ n: i + 1, ts: i, stream: 'out', text }));
  t = process.hrtime.bigint();
  ingestAll(raw);
  const ingest = ms(t);
  const stored = ingestLines(null, raw, []).lines;
  t = process.hrtime.bigint();
  for (const l of stored) renderLineHtml(l.text);
  const render = ms(t);
  console.log(file.padEnd(46), String(bytes.length).padStart(9), String(texts.length).padStart(7), split.toFixed(1).padStart(9), ingest.toFixed(1).padStart(10), render.toFixed(1).padStart(10));
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
const N = 1_000_000;
for (const [label, mix] of [['typical mix (1 in 10 a group marker)', TYPICAL], ['plain text only', PLAIN]] as const) {
  const raw: RawLine[] = Array.from({ length: N }, (_, i) => ({ n: i + 1, ts: i, stream: 'out', text: mix[i % mix.length] ?? '' }));
  const t = process.hrtime.bigint();
  ingestAll(raw);
  const took = ms(t);
  console.log(`ingestLines, ${N} lines, ${label}, batches of ${BATCH}: ${took.toFixed(0)} ms = ${Math.round(N / (took / 1000)).toLocaleString('en')} lines/s`);
}
