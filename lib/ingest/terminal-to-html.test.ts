/**
 * Issue 13's acceptance test: Buildkite terminal-to-html's own fixtures
 * (lib/ansi/__fixtures__/terminal-to-html, MIT, its LICENSE beside them) go through ingest as a
 * producer would send them (split on LF, in batches, the screen loaded from the stored rows
 * between batches as the writer does: test-harness.ts), and each stored row's visible text
 * must equal the matching line of Buildkite's rendering (`.rendered`: HTML, its `<time>`
 * elements dropped, tags stripped, entities decoded). All but `huge-line`, which Buildkite
 * splits by its own buffer size. The line counts are printed (before: the one-line model).
 * A file's bytes after its last LF are fed as a producer's body ends: a line no LF followed
 * (pikachu's `ESC[0m ESC[0m`: it writes nothing, so it creates no row, as in a terminal).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { runIngest } from './test-harness';

const DIR = path.resolve(__dirname, '../ansi/__fixtures__/terminal-to-html');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.sh.raw'))
  .map((f) => f.slice(0, -'.sh.raw'.length))
  .sort();
/** Buildkite cuts this one where its own buffer ends: not a screen behaviour. */
const EXCEPT = new Set(['huge-line']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Buildkite's HTML → the visible text of each line. */
export function renderedText(html: string): string[] {
  return html
    .replace(/<time[^>]*>[^<]*<\/time>/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m: string, e: string) => {
      if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .split('\n')
    .map(visible);
}

/**
 * Buildkite trims spaces and TABs at a line's end and writes an empty line as `&nbsp;`
 * (output.go lineToHTML): trailing blanks are compared as absent on both sides.
 */
function visible(line: string): string {
  return line === '\u00a0' ? '' : line.replace(/[ \t]+$/, '');
}

function ingested(name: string, batchSizes: number[]): string[] {
  const run = runIngest(readFileSync(path.join(DIR, `${name}.sh.raw`)), { batchSizes });
  return run.lines.map((l) => visible(plainText(l.text)));
}

describe('terminal-to-html fixtures', () => {
  it('has the 15 fixtures', () => {
    expect(FIXTURES).toHaveLength(15);
  });

  it('pikachu: its tail without LF (`ESC[0m ESC[0m`) creates no row: 46 rows as Buildkite, 47 were it followed by an LF', () => {
    const bytes = readFileSync(path.join(DIR, 'pikachu.sh.raw'));
    expect(bytes.at(-1)).not.toBe(0x0a);
    expect(renderedText(readFileSync(path.join(DIR, 'pikachu.sh.rendered'), 'utf8'))).toHaveLength(46);
    expect(runIngest(bytes).lines).toHaveLength(46);
    expect(runIngest(bytes, { lfAfterTail: true }).lines).toHaveLength(47);
  });

  it.each(FIXTURES.filter((f) => !EXCEPT.has(f)))('%s: same visible text, line for line', (name) => {
    const expected = renderedText(readFileSync(path.join(DIR, `${name}.sh.rendered`), 'utf8'));
    const whole = ingested(name, [100_000]);
    console.log(`terminal-to-html ${name}: Buildkite ${expected.length} lines, Logscope ${whole.length}`);
    expect(whole).toEqual(expected);
    // a batch boundary anywhere: the screen is read back from the stored rows
    expect(ingested(name, [1, 7, 3, 50])).toEqual(whole);
  });
});
