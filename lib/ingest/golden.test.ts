/**
 * Golden tests over the public corpus (../shared/corpus/public from the repo root): for each
 * file, the group tree and the final visible text of every line that a terminal rewrites
 * (`\r`, backspace, erase, column moves), plus a digest of all stored lines. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run lib/ingest/golden.test.ts` and review the diff by eye.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Group } from '../contracts';
import { plainText } from '../ansi/plain';
import { tokenizeCanonical } from '../ansi/canonical';
import { canonicalizeLine } from '../ansi/terminal';
import { createBodyLineSplitter } from './body-line-splitter';
import { runIngest, type IngestRun } from './test-harness';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/public');
const GOLDEN = path.resolve(__dirname, '__golden__');
const FILES = [
  'gitlab__trace_with_sections.log',
  'gitlab__sample_trace.log',
  'buildkite__bash-example.log',
  'github-actions__jest-test.txt',
  'github-actions__rust-build-failure.txt',
  'terminal-to-html__buildah-build.raw',
  'terminal-to-html__docker-compose-pull.raw',
  'terminal-to-html__huge-line.raw',
  'terminal-to-html__itermlinks.raw',
  'terminal-to-html__playwright.raw',
  'travis__ripgrep-524435666.log',
  'jenkins__ansicolor-testlog-long.log',
  'ansi2html__ansicolor_eix.txt',
  'zutty__UTF-8-test.txt',
];
/** a `\r` that is not the last byte (a trailing one, as in `\r\r\n`, rewrites nothing) */
const REWRITES = /\r(?!$)|\x08|\x1b\[\d*[KG]/;
/** Keep goldens reviewable: at most this many rewritten lines each, whole files when short. */
const MAX_REWRITTEN = 150;
const MAX_STORED_LINES = 40;

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

function summarize(bytes: Uint8Array, run: IngestRun) {
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
    rewritten: rewritten.slice(0, MAX_REWRITTEN),
    stored: run.lines.length <= MAX_STORED_LINES ? run.lines.map((l) => l.text) : undefined,
    storedSha256: createHash('sha256').update(JSON.stringify(run.lines)).digest('hex'),
  };
}

/** Deterministic chunk and batch sizes. */
function pseudoRandom(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

describe('golden corpus', () => {
  it('finds the corpus beside the repo', () => {
    expect(existsSync(CORPUS), `${CORPUS} is missing: clone shared/ beside the repo`).toBe(true);
  });

  it.each(FILES)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(path.join(CORPUS, file)));
    const run = runIngest(bytes, { ts: () => 0 });
    const summary = summarize(bytes, run);
    const goldenPath = path.join(GOLDEN, `${file}.json`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${JSON.stringify(summary, null, 1)}\n`);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));

    for (const line of run.lines) {
      expect(tokenizeCanonical(line.text), `line ${line.n} is canonical`).not.toBeNull();
      expect(canonicalizeLine(line.text), `line ${line.n} is a fixed point`).toBe(line.text);
    }

    const rand = pseudoRandom(file.length);
    const cuts: number[] = [];
    for (let at = 0; at < bytes.length; at += 1 + Math.floor(rand() * 8192)) cuts.push(at);
    const batchSizes = Array.from({ length: 16 }, () => 1 + Math.floor(rand() * 400));
    expect(runIngest(bytes, { ts: () => 0, cuts, batchSizes })).toEqual(run);
  });
});
