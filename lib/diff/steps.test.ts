import { describe, expect, it } from 'vitest';
import { diffLogs } from './diff';
import { addedAmong, matchSteps, type StepLike } from './steps';

const steps = (...specs: string[]): StepLike[] =>
  specs.map((spec) => {
    const [id = '', name = id] = spec.split(':');
    return { id, name };
  });

describe('matchSteps', () => {
  const cases: { title: string; head: StepLike[]; base: StepLike[]; want: [string, string, 'id' | 'name'][] }[] = [
    { title: 'same ids', head: steps('setup', 'build', 'test'), base: steps('setup', 'build', 'test'), want: [['setup', 'setup', 'id'], ['build', 'build', 'id'], ['test', 'test', 'id']] },
    { title: 'ids in another order', head: steps('b', 'a'), base: steps('a', 'b'), want: [['b', 'b', 'id'], ['a', 'a', 'id']] },
    { title: 'by name when the id differs (GitHub numbers its steps)', head: steps('s7:Run tests', 's8:Lint'), base: steps('s3:Lint', 's4:Run tests'), want: [['s7', 's4', 'name'], ['s8', 's3', 'name']] },
    { title: 'id wins over name', head: steps('a:Build', 'b:Test'), base: steps('b:Build', 'a:Test'), want: [['a', 'a', 'id'], ['b', 'b', 'id']] },
    { title: 'a base step taken by id is not taken again by name', head: steps('x:Build', 'y:Build'), base: steps('y:Build'), want: [['y', 'y', 'id']] },
    { title: 'repeated names pair in order', head: steps('h1:Retry', 'h2:Retry', 'h3:Retry'), base: steps('b1:Retry', 'b2:Retry'), want: [['h1', 'b1', 'name'], ['h2', 'b2', 'name']] },
    { title: 'a step of one run only is unpaired', head: steps('build', 'deploy'), base: steps('build', 'cleanup'), want: [['build', 'build', 'id']] },
    { title: 'nothing to compare with', head: steps('a'), base: [], want: [] },
  ];
  for (const { title, head, base, want } of cases) {
    it(title, () => {
      expect(matchSteps(head, base).map((m) => [m.head, m.base, m.by])).toEqual(want);
    });
  }
});

describe('addedAmong', () => {
  // base 1..6; head: line 3 changed, a line added after 5, line 6 kept
  const base = ['a', 'b', 'c', 'd', 'e', 'f'];
  const head = ['a', 'b', 'C!', 'd', 'e', 'NEW', 'f'];

  it('counts the lines inside added and changed hunks of the head side', async () => {
    const diff = await diffLogs([base], [head]);
    expect(diff.page(0, 10).hunks.map((h) => [h.kind, h.headFrom, h.headTo])).toEqual([
      ['equal', 1, 3],
      ['changed', 3, 4],
      ['equal', 4, 6],
      ['added', 6, 7],
      ['equal', 7, 8],
    ]);
    const cases: [number[], number][] = [
      [[], 0],
      [[1, 2], 0], // unchanged lines
      [[3], 1], // changed
      [[6], 1], // added
      [[3, 6], 2],
      [[1, 3, 4, 6, 7], 2],
      [[8, 100], 0], // past the head side (a live step that grew)
    ];
    for (const [lines, want] of cases) expect(addedAmong(diff, lines), String(lines)).toBe(want);
  });

  it('counts nothing in a removed hunk (those lines are the base’s)', async () => {
    const diff = await diffLogs([['a', 'gone', 'b']], [['a', 'b']]);
    expect(diff.page(0, 10).hunks.map((h) => h.kind)).toEqual(['equal', 'removed', 'equal']);
    expect(addedAmong(diff, [1, 2])).toBe(0);
  });

  it('every line of a head with an empty base is added', async () => {
    const diff = await diffLogs([[]], [['x', 'y']]);
    expect(addedAmong(diff, [1, 2])).toBe(2);
  });
});
