/**
 * Ingest through the terminal screen (screen-batch.ts): what the writer sees (new rows, updates
 * of stored rows, `produced`, the state), masks and the error index on final text, group
 * markers on rows. lib/ansi/screen.test.ts has one case per control.
 */
import { describe, expect, it } from 'vitest';
import { SCREEN_ROWS, type Line } from '../contracts/lines';
import { ingestLines, needsScreen, SCREEN_MAX_CHARS, stepErrorIndex, type RawLine } from './index';
import { runIngest } from './test-harness';

const raw = (first: number, texts: readonly string[]): RawLine[] => texts.map((text, i) => ({ n: first + i, ts: 1000 + first + i, stream: 'out', text }));
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('needsScreen', () => {
  it('is false for plain and coloured lines, \\r and EL; true for a row move, ED, IL/DL or a restore', () => {
    expect(needsScreen(null, raw(1, ['a', '\x1b[31mb\x1b[0m', 'x\ry\x1b[K', '\x1b[?25l\x1b[2G']), 0)).toBe(false);
    for (const text of ['\x1b[1A', '\x1b[2B', '\x1b[E', '\x1b[F', '\x1b[1;1H', '\x1b[2d', '\x1b[J', '\x1b[L', '\x1b[M', '\x1b[u', '\x1b8', '\x1bM']) {
      expect(needsScreen(null, raw(1, ['a', text]), 0), JSON.stringify(text)).toBe(true);
    }
  });

  it('is true while the state leaves the cursor on a stored row', () => {
    const out = ingestLines(null, raw(1, ['a', 'b', '\x1b[2A']), [], { rows: 0, screen: [] });
    // the LF after `ESC[2A` leaves row 1: the cursor is on row 2, stored
    expect(out.lines.map((l) => l.n)).toEqual([1, 2]);
    expect(needsScreen(json(out.state), raw(4, ['c']), 2)).toBe(true);
    const next = ingestLines(json(out.state), raw(4, ['c']), [], { rows: 2, screen: out.lines });
    expect(next.lines).toEqual([]);
    expect(next.updates.map((l) => [l.n, l.text])).toEqual([[2, 'c']]);
    expect(needsScreen(json(next.state), raw(5, ['d']), 2)).toBe(false);
  });
});

describe('ingest with the screen', () => {
  it('a redraw in a later batch is an update of the stored rows; new rows are dense; produced is the last producer line', () => {
    const first = ingestLines(null, raw(1, ['[+] Pulling 0/2', ' db waiting', ' web waiting']), [], { rows: 0 });
    expect(first.lines.map((l) => l.n)).toEqual([1, 2, 3]);
    expect(first.produced).toBe(3);
    const redraw = raw(4, ['\x1b[3A\x1b[2K[+] Pulling 2/2', '\x1b[2K db done', '\x1b[2K web done', 'next']);
    const out = ingestLines(json(first.state), redraw, [], { rows: 3, screen: first.lines });
    expect(out.updates.map((l) => [l.n, l.text, l.ts])).toEqual([
      [1, '[+] Pulling 2/2', 1001],
      [2, ' db done', 1002],
      [3, ' web done', 1003],
    ]);
    expect(out.lines.map((l) => [l.n, l.text])).toEqual([[4, 'next']]);
    expect(out.produced).toBe(7);
    // the state says how producer numbers and rows relate, and holds no row text
    const state = json(out.state) as { rows: number; produced: number };
    expect([state.rows, state.produced]).toEqual([4, 7]);
    expect(JSON.stringify(state)).not.toContain('done');
    // the next plain batch: the producer's next line is row 5 (rows default from the state)
    const after = ingestLines(json(out.state), raw(8, ['tail']), []);
    expect(after.lines.map((l) => l.n)).toEqual([5]);
    expect(after.produced).toBe(8);
  });

  it('a row left unchanged by a redraw is no update', () => {
    const first = ingestLines(null, raw(1, ['same', 'x']), [], { rows: 0 });
    const out = ingestLines(json(first.state), raw(3, ['\x1b[2A\x1b[2Ksame']), [], { rows: 2, screen: first.lines });
    expect(out.updates).toEqual([]);
  });

  it('rows above the screen are final: never updated', () => {
    const texts = Array.from({ length: SCREEN_ROWS + 10 }, (_, i) => `row ${i + 1}`);
    const run = runIngest([...texts, '\x1b[999A\x1b[2Ktop'].join('\n'), { batchSizes: [SCREEN_ROWS + 10, 1] });
    expect(run.updates.map((l) => [l.n, l.text])).toEqual([[11, 'top']]);
  });

  it('a screen past SCREEN_MAX_CHARS, or cut short by the read budget, makes its upper rows final', () => {
    const big = 'x'.repeat(SCREEN_MAX_CHARS / 2 + 1);
    const first = ingestLines(null, raw(1, [big, big, 'short']), [], { rows: 0 });
    const out = ingestLines(json(first.state), raw(4, ['\x1b[99AZ']), [], { rows: 3, screen: first.lines });
    // rows 2-3 are the screen (row 1 would pass the budget): up stops at row 2
    expect(out.updates.map((l) => l.n)).toEqual([2]);
    // a range reply without row 3 (cut): nothing above row 4 can change
    const cut = ingestLines(json(first.state), raw(4, ['\x1b[99AZ']), [], { rows: 3, screen: first.lines.slice(0, 2) });
    expect(cut.updates).toEqual([]);
    expect(cut.lines.map((l) => [l.n, l.text])).toEqual([[4, 'Z']]);
  });

  it('masks apply to a row each time it is written: a secret completed by a later rewrite is masked', () => {
    const masks = ['hunter2-secret'];
    const first = ingestLines(null, raw(1, ['token: hunter2', 'x']), masks, { rows: 0 });
    expect(first.lines[0]?.text).toBe('token: hunter2');
    const out = ingestLines(json(first.state), raw(3, ['\x1b[2A\x1b[15G-secret!']), masks, { rows: 2, screen: first.lines });
    expect(out.updates.map((l) => l.text)).toEqual(['token: ***!']);
  });

  it('an ::add-mask:: hides the value on rows rewritten later in the batch', () => {
    const run = runIngest(['::add-mask::s3cr3t-value', 'pw: ', '\x1b[1A\x1b[5Gs3cr3t-value'].join('\n'));
    expect(run.lines.map((l) => l.text)).toEqual(['::add-mask::***', 'pw: ***']);
    expect(run.masks).toEqual(['s3cr3t-value']);
  });

  it('group markers keep their row: the producer line after a redraw opens the group on its row', () => {
    const run = runIngest(['::group::build', 'step 1/2', '\x1b[1A\x1b[2Kstep 2/2', '::endgroup::', '::group::test', 'ok'].join('\n'), { batchSizes: [2, 1, 3] });
    expect(run.lines.map((l) => l.text)).toEqual(['::group::build', 'step 2/2', '::endgroup::', '::group::test', 'ok']);
    expect(run.groups.map((g) => [g.id, g.start, g.end])).toEqual([
      ['g1', 1, 3],
      ['g4', 4, 5],
    ]);
  });

  it('SGR and links carry across rows and batches', () => {
    const run = runIngest(['\x1b[32mgreen', 'more', '\x1b[2Aup\x1b[0m'].join('\n'), { batchSizes: [1] });
    expect(run.lines.map((l) => l.text)).toEqual(['\x1b[32mupeen\x1b[0m', '\x1b[32mmore\x1b[0m']);
  });
});

describe('the error index sees final text', () => {
  it('a rewritten row is re-classified: removed, added, count exact', () => {
    const first = ingestLines(null, raw(1, ['error: flaky download', 'ok']), [], { rows: 0 });
    expect(first.errors?.count).toBe(1);
    const fixed = ingestLines(json(first.state), raw(3, ['\x1b[2A\x1b[2Kretrying download: done']), [], { rows: 2, screen: first.lines });
    expect(fixed.errors).toEqual({ count: 0, first: null, truncated: false });
    expect(stepErrorIndex(fixed.state)?.n).toEqual([]);
    const rows: Line[] = [first.lines[0] as Line, first.lines[1] as Line].map((l, i) => (i === 0 ? { ...l, text: 'retrying download: done' } : l));
    // the cursor is on row 2 (below the row the last LF left)
    const broke = ingestLines(json(fixed.state), raw(4, ['\x1b[2Kerror: disk full']), [], { rows: 2, screen: rows });
    expect(broke.updates.map((l) => l.n)).toEqual([2]);
    expect(broke.errors).toEqual({ count: 1, first: 2, truncated: false });
  });
});
