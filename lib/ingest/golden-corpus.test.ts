/**
 * Optional golden tests over the third-party public corpus (not part of this repository; see
 * ./corpus.ts: LOGSCOPE_CORPUS, else ../shared/corpus/public beside the repo): for each file,
 * the same summary as golden.test.ts, goldens in __golden__/corpus. A clone without the corpus
 * beside it skips this suite and says so; the project's own fixtures (golden.test.ts) cover
 * the same cases. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run lib/ingest/golden-corpus.test.ts` and review the diff.
 */
import path from 'node:path';
import { describe, it } from 'vitest';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent } from '../../test/support/corpus';
import { checkGolden, CORPUS_LIMITS } from './test-golden';

const GOLDEN = path.resolve(__dirname, '__golden__/corpus');
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
const present = corpusPresent();
if (!present) console.info(`golden corpus: ${CORPUS_ABSENT}, optional suite skipped`);

describe.skipIf(!present)(`golden corpus (optional${present ? '' : ': shared corpus absent, skipped'})`, () => {
  it.each(FILES)('%s', (file) => {
    checkGolden(path.join(CORPUS_DIR, file), path.join(GOLDEN, `${file}.json`), CORPUS_LIMITS, file.length);
  });
});
