/**
 * Test helper (not a test): runs bytes through the splitter and ingestLines the way the write
 * path does (the bytes after the last LF as a line no LF followed, `eol: false`; state and
 * masks round-tripped through JSON between batches), so that every parser case can be checked
 * under any chunking and batching.
 */
import type { Group, Line, MarkerDialect } from '../contracts';
import { SCREEN_ROWS } from '../contracts/lines';
import { createBodyLineSplitter, finishStep, ingestLines, needsScreen, type RawLine } from './index';

export interface IngestRun {
  /** the stored rows at the end (new lines appended, updates applied, as a store does) */
  lines: Line[];
  /** updates the batches carried, in order */
  updates: Line[];
  /** the last non-null group list, after finishStep */
  groups: Group[];
  masks: string[];
}

export interface RunOptions {
  /** byte offsets where the input is cut into chunks */
  cuts?: readonly number[];
  /** lines per ingestLines call; cycles through the list */
  batchSizes?: readonly number[];
  masks?: readonly string[];
  ts?: (n: number) => number;
  /** the step's declared marker dialect */
  markers?: MarkerDialect;
  /**
   * The input's bytes after its last LF, if any, are fed as if an LF followed them. Default
   * false: as the writer feeds a body's tail, a line no LF followed (RawLine `eol: false`).
   */
  lfAfterTail?: boolean;
}

export function runIngest(input: string | Uint8Array, opts: RunOptions = {}): IngestRun {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const splitter = createBodyLineSplitter();
  const texts: string[] = [];
  let at = 0;
  for (const cut of [...(opts.cuts ?? []), bytes.length]) {
    texts.push(...splitter.push(bytes.subarray(at, cut)));
    at = cut;
  }
  const tail = splitter.end();
  texts.push(...tail);
  const raw: RawLine[] = texts.map((text, i) => ({ n: i + 1, ts: opts.ts ? opts.ts(i + 1) : 1000 + i, stream: 'out', text }));
  const last = raw[raw.length - 1];
  if (!opts.lfAfterTail && tail.length > 0 && last) last.eol = false;

  let state: unknown = null;
  const masks = [...(opts.masks ?? [])];
  let groups: Group[] = [];
  const lines: Line[] = [];
  const updates: Line[] = [];
  const sizes = opts.batchSizes && opts.batchSizes.length > 0 ? opts.batchSizes : [raw.length || 1];
  for (let i = 0, b = 0; i < raw.length; b++) {
    const size = Math.max(1, sizes[b % sizes.length] ?? 1);
    const batch = raw.slice(i, i + size);
    const rows = lines.length;
    const screen = needsScreen(state, batch, rows) ? lines.slice(Math.max(0, rows - SCREEN_ROWS)) : undefined;
    const out = ingestLines(state, batch, masks, { markers: opts.markers, rows, screen });
    i += size;
    if (out.lines.some((l, k) => l.n !== rows + k + 1)) throw new Error('new rows are not dense after the stored ones');
    lines.push(...out.lines);
    for (const u of out.updates) {
      if (!(u.n > rows - SCREEN_ROWS && u.n <= rows)) throw new Error(`update of row ${u.n} outside the screen (rows ${rows})`);
      lines[u.n - 1] = u;
    }
    updates.push(...out.updates);
    if (out.groups) groups = out.groups;
    masks.push(...out.newMasks);
    state = JSON.parse(JSON.stringify(out.state)) as unknown;
  }
  const finished = finishStep(state, lines.length, last?.ts ?? 0);
  if (finished) groups = finished;
  return { lines, updates, groups, masks };
}

/** Every single-cut chunking of `input`, with batch sizes 1, 2, 3 in turn. */
export function* everyByteSplit(input: string | Uint8Array, opts: Omit<RunOptions, 'cuts' | 'batchSizes'> = {}): Generator<{ cut: number; run: IngestRun }> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  for (let cut = 0; cut <= bytes.length; cut++) {
    yield { cut, run: runIngest(bytes, { ...opts, cuts: [cut], batchSizes: [(cut % 3) + 1] }) };
  }
}
