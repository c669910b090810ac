/**
 * Golden tests over the project's own hand-made fixtures (lib/ingest/__fixtures__, described
 * in its README.md): one small log per behaviour the ingest must keep — each producer's group
 * markers, colours, terminal rewrites, links, huge lines, malformed UTF-8. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run lib/ingest/golden.test.ts` and review the diff by eye.
 * The third-party corpus, when present beside the repo, is golden-corpus.test.ts.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerDialectSchema } from '../contracts';
import { FIXTURES_DIR as FIXTURES } from '../../test/support/corpus';
import { checkGolden, FIXTURE_LIMITS } from './test-golden';

const GOLDEN = path.resolve(__dirname, '__golden__');
const FILES = readdirSync(FIXTURES).filter((f) => f !== 'README.md').sort();

/** `declared-<dialect>-….log` is ingested as a step that declares that marker dialect. */
function declared(file: string) {
  const parsed = markerDialectSchema.safeParse(/^declared-([a-z]+)-/.exec(file)?.[1]);
  return parsed.success ? parsed.data : undefined;
}

describe('golden fixtures', () => {
  it('has a fixture per behaviour, and no golden without its fixture', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(14);
    const goldens = readdirSync(GOLDEN).filter((f) => f.endsWith('.json'));
    expect(goldens.sort()).toEqual(FILES.map((f) => `${f}.json`));
  });

  it.each(FILES)('%s', (file) => {
    checkGolden(path.join(FIXTURES, file), path.join(GOLDEN, `${file}.json`), FIXTURE_LIMITS, file.length, declared(file));
  });
});
