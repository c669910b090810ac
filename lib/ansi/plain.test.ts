import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent, FIXTURES_DIR } from '../../test/support/corpus';
import { runIngest } from '../ingest/test-harness';
import { plainText } from './plain';
import { parseLine } from './terminal';

const ESC = '\x1b';

/** plainText without its fast path: the terminal model's answer for every line. */
function viaTerminalModel(text: string): string {
  if (!/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(text)) return text;
  return parseLine(text).chars.join('');
}

/** What `format=text` downloads did before they used plainText: every escape sequence cut out. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

function logFiles(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => !f.endsWith('.md'));
  expect(files.length).toBeGreaterThan(0);
  return files.map((f) => path.join(dir, f));
}

/** The project's own fixtures always; the optional shared corpus when it is beside the repo. */
const SOURCES = [
  { name: 'the own fixtures', dir: FIXTURES_DIR, present: true, minLines: 100 },
  { name: 'the shared corpus', dir: CORPUS_DIR, present: corpusPresent(), minLines: 1000 },
];
const titled = (source: (typeof SOURCES)[number]) => (source.present ? `over ${source.name}` : `over ${source.name} (${CORPUS_ABSENT}, skipped)`);

describe('plainText: the SGR fast path equals the terminal model', () => {
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
    expect(plainText(text)).toBe(viaTerminalModel(text));
  });

  for (const source of SOURCES) {
    it.skipIf(!source.present)(`every line ${titled(source)}`, () => {
      let checked = 0;
      for (const file of logFiles(source.dir)) {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          if (plainText(line) !== viaTerminalModel(line)) expect.fail(`${file}: ${JSON.stringify(line.slice(0, 200))}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(source.minLines);
    });
  }
});

describe('plainText on stored lines equals cutting out their escape sequences (format=text downloads)', () => {
  for (const source of SOURCES) {
    it.skipIf(!source.present)(`every stored line ${titled(source)}`, () => {
      let checked = 0;
      for (const file of logFiles(source.dir)) {
        for (const { text } of runIngest(readFileSync(file)).lines) {
          if (plainText(text) !== text.replace(ESCAPES, '')) expect.fail(`${file}: ${JSON.stringify(text.slice(0, 200))}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(source.minLines);
    });
  }
});
