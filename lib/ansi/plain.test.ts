import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIngest } from '../ingest/test-harness';
import { plainText } from './plain';
import { parseLine } from './terminal';

const CORPUS = '/work/shared/corpus/public';
const ESC = '\x1b';

/** plainText without its fast path: the terminal model's answer for every line. */
function viaTerminalModel(text: string): string {
  if (!/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(text)) return text;
  return parseLine(text).chars.join('');
}

/** What `format=text` downloads did before they used plainText: every escape sequence cut out. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

function corpusFiles(): string[] {
  const files = readdirSync(CORPUS).filter((f) => f !== 'MANIFEST.md');
  expect(files.length).toBeGreaterThan(0);
  return files;
}

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

  it('over every line of the corpus', () => {
    let checked = 0;
    for (const file of corpusFiles()) {
      for (const line of readFileSync(path.join(CORPUS, file), 'utf8').split('\n')) {
        if (plainText(line) !== viaTerminalModel(line)) expect.fail(`${file}: ${JSON.stringify(line.slice(0, 200))}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('plainText on stored lines equals cutting out their escape sequences (format=text downloads)', () => {
  it('over every stored line of the corpus', () => {
    let checked = 0;
    for (const file of corpusFiles()) {
      for (const { text } of runIngest(readFileSync(path.join(CORPUS, file))).lines) {
        if (plainText(text) !== text.replace(ESCAPES, '')) expect.fail(`${file}: ${JSON.stringify(text.slice(0, 200))}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
