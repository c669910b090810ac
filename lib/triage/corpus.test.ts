/**
 * The rules over real logs: the project's fixtures (always) and the shared third-party corpus
 * (optional: LOGSCOPE_CORPUS, else ../shared/corpus/public; skipped with a message when absent).
 * Lines go through the ingest first (test-harness.ts), so the rules see stored text as the
 * store keeps it. Expected lines were read by eye (docs/triage.md "Measured"): in the failing
 * logs they are the failures; in passing logs the few red lines are coloured demo text.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../../test/support/corpus';
import { plainText } from '../ansi/plain';
import { runIngest } from '../ingest/test-harness';
import { createErrorIndex, type ErrorIndex } from './error-index';

function indexOf(file: string): { index: ErrorIndex; plain: (n: number) => string } {
  const run = runIngest(readFileSync(file));
  const index = createErrorIndex();
  for (const line of run.lines) index.add(line.n, line.text, line.stream);
  return { index, plain: (n) => plainText(run.lines[n - 1]?.text ?? '') };
}

const flagged = (index: ErrorIndex) => index.entries().map((e) => `${e.n} ${e.rule}`);

describe('project fixtures (lib/ingest/__fixtures__)', () => {
  const expected: Record<string, string[]> = {
    'github-jest.txt': ['13 test-failure', '14 test-failure', '15 test-failure', '23 test-summary', '24 ci-error'],
    'github-rust-build.txt': ['6 compiler', '13 level', '17 ci-error'],
    'github-diff.log': ['63 ci-error', '79 test-failure', '81 test-failure'],
    'buildkite-diff.log': ['25 test-failure', '26 test-failure'],
    'buildkite.log': ['22 test-failure'],
    'travis-folds.log': ['14 test-failure', '15 exit'],
    // the screen puts each result on its test's row (issue 13): 11 rows, not 12
    'playwright-list.raw': ['5 test-failure', '8 red', '9 level'],
    // coloured demo text (each shows the word red in red, or red text): true to the rule
    'ansi-colours.txt': ['1 red', '2 red', '3 red', '15 red'],
    'jenkins-pipeline.log': ['9 red'],
    'osc8-links.raw': ['10 red'],
    'declared-github-lookalikes.log': [],
    'docker-pull-progress.raw': [],
    'github-groups.log': [],
    'gitlab-bare-cr.log': [],
    'gitlab-sections.log': [],
    'huge-line.txt': [],
    'utf8-stress.txt': [],
  };
  it.each(Object.keys(expected))('%s', (file) => {
    expect(flagged(indexOf(path.join(FIXTURES_DIR, file)).index)).toEqual(expected[file]);
  });
});

const present = corpusPresent();
if (!present) console.info(`triage corpus: ${CORPUS_ABSENT}, optional suite skipped`);

describe.skipIf(!present)(`shared corpus (optional${present ? '' : ': shared corpus absent, skipped'})`, () => {
  it('github-actions__jest-test.txt: each failing file, each failing test, the summaries, the exit', () => {
    const { index } = indexOf(path.join(CORPUS_DIR, 'github-actions__jest-test.txt'));
    expect(flagged(index)).toEqual([
      '164 test-failure', '165 test-failure', '191 test-failure', // FAIL api.admin.questions, its two ●
      '213 test-failure', '226 test-failure', // FAIL api.admin.events, its ● (not `● Console`)
      '256 test-failure', '257 test-failure',
      '273 test-failure', '274 test-failure',
      '301 test-summary', '302 test-summary', // Test Suites: 4 failed / Tests: 5 failed
      '306 ci-error', // ##[error]Process completed with exit code 1.
    ]);
  });

  it('github-actions__rust-build-failure.txt: every rustc error, once, and nothing else', () => {
    const { index, plain } = indexOf(path.join(CORPUS_DIR, 'github-actions__rust-build-failure.txt'));
    expect(index.first()).toEqual({ n: 2719, rule: 'level' });
    const byRule: Record<string, number> = {};
    for (const e of index.entries()) byRule[e.rule] = (byRule[e.rule] ?? 0) + 1;
    expect(byRule).toEqual({ level: 60, compiler: 207, 'ci-error': 1 });
    for (const e of index.entries()) {
      const text = plain(e.n).slice(29); // after the download timestamp
      expect(e.rule === 'ci-error' ? text.startsWith('##[error]') : /^error(?:\[E\d+\])?:/.test(text), `${e.n}: ${text}`).toBe(true);
    }
  });

  const failing: Record<string, string[]> = {
    'travis__ripgrep-524435666.log': ['617 level', '625 level', '627 level', '631 exit'],
    'terminal-to-html__buildah-build.raw': ['221 level', '313 level', '315 red'],
  };
  it.each(Object.keys(failing))('%s (failing)', (file) => {
    expect(flagged(indexOf(path.join(CORPUS_DIR, file)).index)).toEqual(failing[file]);
  });

  // Passing logs: false positives are few (the red ones are coloured words, not errors).
  const passing: Record<string, number> = {
    'buildkite__bash-example.log': 0,
    'gitlab__sample_trace.log': 0, // an RSpec run full of "raises an error" prose
    'gitlab__trace_with_sections.log': 0,
    'jenkins__ansicolor-testlog-long.log': 0,
    'terminal-to-html__docker-compose-pull.raw': 0,
    'terminal-to-html__huge-line.raw': 0,
    'terminal-to-html__playwright.raw': 0,
    'terminal-to-html__itermlinks.raw': 1, // red "Google" in a link demo
    'ansi2html__ansicolor_eix.txt': 3, // eix prints some flags in 256-colour red
    'zutty__UTF-8-test.txt': 0,
  };
  it.each(Object.keys(passing))('%s (passing or not CI)', (file) => {
    expect(indexOf(path.join(CORPUS_DIR, file)).index.count()).toBe(passing[file]);
  });
});
