import { describe, expect, it } from 'vitest';
import { buildDiffRows, DIFF_CONTEXT_LINES, diffRowAt, FOLD_EXPAND_LINES, nextChange, type DiffHunk, type DiffRow, type DiffRowModel } from './diff-rows';

const eq = (baseFrom: number, headFrom: number, n: number): DiffHunk => ({ kind: 'equal', baseFrom, baseTo: baseFrom + n, headFrom, headTo: headFrom + n });
const ch = (kind: DiffHunk['kind'], baseFrom: number, nb: number, headFrom: number, nh: number): DiffHunk => ({ kind, baseFrom, baseTo: baseFrom + nb, headFrom, headTo: headFrom + nh });

/** The rows as short strings: `  b/h` same, `- b`, `+ h`, `~ b/h` pair, `… N` fold. */
function show(model: DiffRowModel): string[] {
  const out: string[] = [];
  for (let i = 0; i < model.count; i++) {
    const row = diffRowAt(model, i) as DiffRow;
    if (row.type === 'fold') out.push(`… ${row.hidden}`);
    else if (row.op === 'same') out.push(`  ${row.base}/${row.head}`);
    else if (row.op === 'del') out.push(`- ${row.base}`);
    else if (row.op === 'add') out.push(`+ ${row.head}`);
    else out.push(`~ ${row.base ?? '_'}/${row.head ?? '_'}`);
  }
  return out;
}

// the API's answer for two runs that differ in one line and one added line (e2e/diff-api.spec.ts)
const hunks: DiffHunk[] = [eq(1, 1, 99), ch('changed', 100, 1, 100, 1), eq(101, 101, 100), ch('added', 201, 0, 201, 1)];

describe('buildDiffRows', () => {
  it('unified: unchanged runs folded but for the context around each change, removed before added', () => {
    const model = buildDiffRows(hunks, 'unified');
    expect(show(model)).toEqual([
      '… 96',
      '  97/97', '  98/98', '  99/99',
      '- 100', '+ 100',
      '  101/101', '  102/102', '  103/103',
      '… 94',
      '  198/198', '  199/199', '  200/200',
      '+ 201',
    ]);
    expect(model.changes).toEqual([4, 13]);
  });

  it('side by side: a change pairs its lines, the longer side padded', () => {
    const model = buildDiffRows([eq(1, 1, 2), ch('changed', 3, 1, 3, 3), eq(4, 6, 2)], 'split');
    expect(show(model)).toEqual(['  1/1', '  2/2', '~ 3/3', '~ _/4', '~ _/5', '  4/6', '  5/7']);
    expect(model.changes).toEqual([2]);
  });

  it('a short unchanged run is never folded', () => {
    const n = 2 * DIFF_CONTEXT_LINES + 3;
    expect(show(buildDiffRows([ch('removed', 1, 1, 1, 0), eq(2, 1, n), ch('added', 2 + n, 0, 1 + n, 1)], 'unified')).filter((r) => r.startsWith('…'))).toEqual([]);
    expect(show(buildDiffRows([ch('removed', 1, 1, 1, 0), eq(2, 1, n + 1), ch('added', 3 + n, 0, 2 + n, 1)], 'unified')).filter((r) => r.startsWith('…'))).toEqual(['… 4']);
  });

  it('more pages to come: the last run loaded keeps its trailing context; a later page starts with context', () => {
    expect(show(buildDiffRows([eq(1, 1, 20)], 'unified', new Map(), { atEnd: false }))).toEqual(['… 17', '  18/18', '  19/19', '  20/20']);
    expect(show(buildDiffRows([eq(50, 60, 20)], 'unified', new Map(), { atStart: false }))).toEqual(['  50/60', '  51/61', '  52/62', '… 17']);
  });

  it('expanding a fold reveals lines after its top context, never more than it hides', () => {
    const big = [ch('added', 1, 0, 1, 1), eq(1, 2, 1_000_000)];
    const shut = buildDiffRows(big, 'unified');
    expect(shut.count).toBe(1 + DIFF_CONTEXT_LINES + 1);
    const open = buildDiffRows(big, 'unified', new Map([[1, FOLD_EXPAND_LINES]]));
    expect(open.count).toBe(1 + DIFF_CONTEXT_LINES + FOLD_EXPAND_LINES + 1);
    const fold = diffRowAt(open, open.count - 1);
    expect(fold).toEqual({ type: 'fold', hunk: 1, hidden: 1_000_000 - DIFF_CONTEXT_LINES - FOLD_EXPAND_LINES, base: 1 + DIFF_CONTEXT_LINES + FOLD_EXPAND_LINES, head: 2 + DIFF_CONTEXT_LINES + FOLD_EXPAND_LINES });
    const all = buildDiffRows(big, 'unified', new Map([[1, 2_000_000]]));
    expect(all.count).toBe(1 + 1_000_000);
  });

  it('two 1M-line changes are a handful of segments, rows found by index', () => {
    const model = buildDiffRows([ch('changed', 1, 1_000_000, 1, 1_000_000)], 'unified');
    expect(model.count).toBe(2_000_000);
    expect(model.segments.length).toBe(2);
    expect(diffRowAt(model, 999_999)).toEqual({ type: 'line', op: 'del', base: 1_000_000, head: null, hunk: 0 });
    expect(diffRowAt(model, 1_000_000)).toEqual({ type: 'line', op: 'add', base: null, head: 1, hunk: 0 });
  });

  it('out of range or not an index: null', () => {
    const model = buildDiffRows(hunks, 'unified');
    for (const i of [-1, model.count, 1.5, Number.NaN]) expect(diffRowAt(model, i)).toBeNull();
    expect(buildDiffRows([], 'unified').count).toBe(0);
  });
});

describe('nextChange', () => {
  const model = buildDiffRows(hunks, 'unified');
  it.each([
    [0, 1, 0],
    [4, 1, 1],
    [13, 1, null],
    [13, -1, 0],
    [4, -1, null],
    [100, -1, 1],
  ] as const)('from row %i direction %i: change %s', (from, dir, want) => {
    expect(nextChange(model, from, dir)).toBe(want);
  });
});
