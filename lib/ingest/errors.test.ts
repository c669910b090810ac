import { describe, expect, it } from 'vitest';
import type { StepErrors } from '../contracts';
import { createErrorIndex } from '../triage';
import { ingestLines, stepErrorIndex, type RawLine } from './index';
import { parseState } from './state';

/** The ingest wiring of lib/triage: every stored line goes through the step's error index. */

const raw = (from: number, texts: string[], stream: RawLine['stream'] = 'out'): RawLine[] => texts.map((text, i) => ({ n: from + i, ts: 1, stream, text }));

/** Runs batches as the write path does (state round-tripped through JSON); the summaries each returned. */
function run(batches: RawLine[][], masks: string[] = []): { state: unknown; summaries: (StepErrors | null)[] } {
  let state: unknown = null;
  const summaries: (StepErrors | null)[] = [];
  for (const batch of batches) {
    const out = ingestLines(state, batch, masks);
    masks.push(...out.newMasks);
    summaries.push(out.errors);
    state = JSON.parse(JSON.stringify(out.state)) as unknown;
  }
  return { state, summaries };
}

const kept = (state: unknown) => createErrorIndex(stepErrorIndex(state) ?? undefined).entries().map((e) => [e.n, e.rule]);

describe('ingest: error lines', () => {
  it('returns the summary only from a batch that adds error lines, and keeps the index in the state', () => {
    const { state, summaries } = run([raw(1, ['ok', 'error: one']), raw(3, ['fine', 'fine']), raw(5, ['FAIL src/a.test.ts'])]);
    expect(summaries).toEqual([{ count: 1, first: 2, truncated: false }, null, { count: 2, first: 2, truncated: false }]);
    expect(kept(state)).toEqual([[2, 'level'], [5, 'test-failure']]);
  });

  it('counts a multi-line error once, across batches (the open block is in the state)', () => {
    const { state, summaries } = run([
      raw(1, ['Traceback (most recent call last):', '  File "a.py", line 3, in <module>']),
      raw(3, ['    main()', 'ValueError: bad']),
      raw(5, ['after']),
    ]);
    expect(summaries).toEqual([{ count: 1, first: 1, truncated: false }, null, null]);
    expect(kept(state)).toEqual([[1, 'traceback']]);
  });

  it('classifies the stored text: a colour carried from an earlier line, a stderr line', () => {
    const { state } = run([raw(1, ['\x1b[31mcompilation failed', 'still red', '\x1b[0mplain']), raw(4, ['fatal: not a git repository'], 'err')]);
    expect(kept(state)).toEqual([[1, 'red'], [2, 'red'], [4, 'fatal']]);
  });

  it('classifies the masked text: a registered or new mask hides what would read as an error', () => {
    // unmasked, the line is an error (so this case can fail)
    expect(createErrorIndex().add(1, 'ERROR hunter2')).not.toBeNull();
    const { state, summaries } = run([raw(1, ['::add-mask::ERROR hunter2', 'ERROR hunter2', 'Error: real'])]);
    expect(summaries).toEqual([{ count: 1, first: 3, truncated: false }]);
    expect(kept(state)).toEqual([[3, 'level']]);
    // a mask known before the batch
    const known = run([raw(1, ['ERROR hunter2', 'ok'])], ['ERROR hunter2']);
    expect(known.summaries).toEqual([null]);
  });

  it('never counts a line twice: a batch of lines at or below the last one fed adds nothing', () => {
    const first = ingestLines(null, raw(1, ['error: a', 'error: b']), []);
    const again = ingestLines(first.state, raw(1, ['error: a', 'error: b']), []);
    expect(again.errors).toBeNull();
    expect(stepErrorIndex(again.state)?.count).toBe(2);
  });

  it('a state without an index (a step stored before) starts one with its next lines; a bad index is dropped, the rest kept', () => {
    const before = ingestLines(null, raw(1, ['::group::Build', 'error: x']), []);
    const { errors: _dropped, ...old } = parseState(JSON.parse(JSON.stringify(before.state)));
    const resumed = ingestLines(old, raw(3, ['error: y']), []);
    expect(resumed.errors).toEqual({ count: 1, first: 3, truncated: false });
    const bad = parseState({ ...(JSON.parse(JSON.stringify(before.state)) as object), errors: { v: 1, n: [0], r: 'z', count: 1, last: 2, state: {} } });
    expect(bad.errors).toBeUndefined();
    expect(bad.groups).toHaveLength(1);
    expect(stepErrorIndex(null)).toBeNull();
    expect(stepErrorIndex({ v: 1 })).toBeNull();
  });
});
