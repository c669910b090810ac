/**
 * Where the optional third-party log corpus lives: `LOGSCOPE_CORPUS`, else
 * `../shared/corpus/public` beside the repository. It is not part of the repository, so every
 * suite and benchmark that reads it skips itself (and says so) when it is absent; the
 * project's own fixtures in `lib/ingest/__fixtures__` cover the same cases.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './processes';

export const CORPUS_DIR = path.resolve(process.env.LOGSCOPE_CORPUS ?? path.join(REPO_ROOT, '../shared/corpus/public'));

/** The project's own hand-made fixtures (always present). */
export const FIXTURES_DIR = path.join(REPO_ROOT, 'lib/ingest/__fixtures__');

export function corpusPresent(): boolean {
  return existsSync(CORPUS_DIR);
}

/** The reason printed when a suite or benchmark skips the corpus. */
export const CORPUS_ABSENT = `shared corpus absent (${CORPUS_DIR}; set LOGSCOPE_CORPUS to use another)`;
