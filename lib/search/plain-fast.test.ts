import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../ingest/corpus';
import { searchPlainText } from './plain-fast';

const ESC = '\x1b';

describe('searchPlainText equals plainText', () => {
  it.each([
    'plain',
    `${ESC}[31mred${ESC}[0m`,
    `${ESC}[38;5;208mA${ESC}[38:2:1:2:3mB${ESC}[m`,
    `a${ESC}[2Kb`,
    `progress 10%\rprogress 100%`,
    `x\by`,
    `${ESC}]8;;http://e.x${ESC}\\link${ESC}]8;;${ESC}\\`,
    `${ESC}[1m\ttab`,
    `${ESC}[31`,
    `${ESC}[8mhidden${ESC}[0m shown`,
    `${ESC}[1;8mhidden${ESC}[28m shown`,
  ])('%j', (text) => {
    expect(searchPlainText(text)).toBe(plainText(text));
  });

  function checkEveryLine(dir: string): number {
    const files = readdirSync(dir).filter((f) => !f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(0);
    let checked = 0;
    for (const file of files) {
      for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        if (searchPlainText(line) !== plainText(line)) expect.fail(`${file}: ${JSON.stringify(line.slice(0, 200))}`);
        checked++;
      }
    }
    return checked;
  }

  it('over every line of the own fixtures', () => {
    expect(checkEveryLine(FIXTURES_DIR)).toBeGreaterThan(100);
  });

  it.skipIf(!corpusPresent())(`over every line of the shared corpus${corpusPresent() ? '' : ` (${CORPUS_ABSENT}, skipped)`}`, () => {
    expect(checkEveryLine(CORPUS_DIR)).toBeGreaterThan(1000);
  });
});
