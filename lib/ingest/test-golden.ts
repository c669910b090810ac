/**
 * Test helper (not a test) for the golden tests: runs a log through the ingest and sums it up
 * as reviewable JSON — the group tree, the final visible text of every line that a terminal
 * rewrites (`\r`, backspace, erase, column moves), the stored lines when there are few, and a
 * digest of all stored lines — then checks it against (or, with UPDATE_GOLDEN=1, writes) the
 * golden file, checks every stored line is canonical, and that any chunking and batching of
 * the same bytes stores the same result.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Group, MarkerDialect } from '../contracts';
import { plainText } from '../ansi/plain';
import { tokenizeCanonical } from '../ansi/canonical';
import { canonicalizeLine } from '../ansi/terminal';
import { createBodyLineSplitter } from './body-line-splitter';
import { runIngest, type IngestRun } from './test-harness';

/** a `\r` that is not the last byte (a trailing one, as in `\r\r\n`, rewrites nothing) */
const REWRITES = /\r(?!$)|\x08|\x1b\[\d*[KG]/;

export interface SummaryLimits {
  /** at most this many rewritten lines are listed */
  maxRewritten: number;
  /** stored lines are listed whole when there are at most this many */
  maxStoredLines: number;
  /** a stored line longer than this is listed as its head, its length and its tail */
  maxStoredChars: number;
}

/** The corpus goldens' limits (keep: changing them rewrites every corpus golden). */
export const CORPUS_LIMITS: SummaryLimits = { maxRewritten: 150, maxStoredLines: 40, maxStoredChars: Infinity };
/** The project's own fixtures are small: list every line, shorten only the huge ones. */
export const FIXTURE_LIMITS: SummaryLimits = { maxRewritten: 150, maxStoredLines: 200, maxStoredChars: 400 };

function tree(groups: readonly Group[]): string[] {
  const depth = new Map<string, number>();
  return groups.map((g) => {
    const d = g.parent === null ? 0 : (depth.get(g.parent) ?? 0) + 1;
    depth.set(g.id, d);
    const flags = g.collapsed === undefined ? '' : g.collapsed ? ' (collapsed)' : ' (expanded)';
    return `${'  '.repeat(d)}${g.id} [${g.start}-${g.end ?? '?'}] ${g.name}${flags} @${g.startedAt ?? '-'}..${g.endedAt ?? '-'}`;
  });
}

function rawLines(bytes: Uint8Array): string[] {
  const s = createBodyLineSplitter();
  return [...s.push(bytes), ...s.end()];
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.floor(max / 2);
  return `${text.slice(0, keep)}…[${text.length} chars]…${text.slice(-keep)}`;
}

function summarize(bytes: Uint8Array, run: IngestRun, limits: SummaryLimits) {
  const raw = rawLines(bytes);
  const rewritten = raw.flatMap((text, i) => (REWRITES.test(text) ? [`${i + 1}: ${plainText(run.lines[i]?.text ?? '')}`] : []));
  const all = run.lines.map((l) => l.text).join('\n');
  return {
    lines: run.lines.length,
    groups: tree(run.groups),
    masks: run.masks,
    replacementChars: all.split('\ufffd').length - 1,
    links: all.split('\x1b]8;;http').length - 1,
    rewrittenTotal: rewritten.length,
    rewritten: rewritten.slice(0, limits.maxRewritten),
    stored: run.lines.length <= limits.maxStoredLines ? run.lines.map((l) => shorten(l.text, limits.maxStoredChars)) : undefined,
    storedSha256: createHash('sha256').update(JSON.stringify(run.lines)).digest('hex'),
  };
}

/** Deterministic chunk and batch sizes. */
function pseudoRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

/**
 * Ingest `inputPath` (as a step declaring `markers`, if given), compare with `goldenPath`, and
 * check canonical output and chunking.
 */
export function checkGolden(inputPath: string, goldenPath: string, limits: SummaryLimits, seed: number, markers?: MarkerDialect): void {
  const bytes = new Uint8Array(readFileSync(inputPath));
  const run = runIngest(bytes, { ts: () => 0, markers });
  const summary = summarize(bytes, run, limits);
  if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${JSON.stringify(summary, null, 1)}\n`);
  expect(JSON.parse(JSON.stringify(summary))).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));

  for (const line of run.lines) {
    expect(tokenizeCanonical(line.text), `line ${line.n} is canonical`).not.toBeNull();
    expect(canonicalizeLine(line.text), `line ${line.n} is a fixed point`).toBe(line.text);
  }

  const rand = pseudoRandom(seed);
  const cuts: number[] = [];
  const maxStep = Math.max(2, Math.min(8192, Math.ceil(bytes.length / 8)));
  for (let at = 0; at < bytes.length; at += 1 + Math.floor(rand() * maxStep)) cuts.push(at);
  const maxBatch = Math.max(2, Math.min(400, Math.ceil(run.lines.length / 2)));
  const batchSizes = Array.from({ length: 16 }, () => 1 + Math.floor(rand() * maxBatch));
  // the stored result does not depend on batching; the updates that led to it do (a row is
  // an update only when an earlier batch stored it)
  const stored = (r: IngestRun): Omit<IngestRun, 'updates'> => ({ lines: r.lines, groups: r.groups, masks: r.masks });
  expect(stored(runIngest(bytes, { ts: () => 0, cuts, batchSizes, markers })), 'chunked and batched').toEqual(stored(run));
  if (run.lines.length <= 1000) expect(stored(runIngest(bytes, { ts: () => 0, batchSizes: [1], markers })), 'one line per batch').toEqual(stored(run));
}
