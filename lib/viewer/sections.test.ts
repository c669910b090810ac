import { describe, expect, it } from 'vitest';
import { allGroups, buildGroupTree, groupsContaining } from './sections';
import { group } from './test-helpers';

type Shape = { id: string; start: number; end: number; children?: Shape[] };
const shape = (nodes: ReturnType<typeof buildGroupTree>): Shape[] =>
  nodes.map((n) => ({ id: n.id, start: n.start, end: n.end, ...(n.children.length ? { children: shape(n.children) } : {}) }));

describe('buildGroupTree', () => {
  const cases: { name: string; lines: number; groups: ReturnType<typeof group>[]; want: Shape[] }[] = [
    { name: 'no groups', lines: 10, groups: [], want: [] },
    {
      name: 'siblings',
      lines: 10,
      groups: [group('b', 5, 8), group('a', 1, 3)],
      want: [
        { id: 'a', start: 1, end: 3 },
        { id: 'b', start: 5, end: 8 },
      ],
    },
    {
      name: 'nested by range, parent field ignored',
      lines: 20,
      groups: [group('outer', 2, 15), group('inner', 4, 6, { parent: 'nonexistent' }), group('inner2', 8, 9)],
      want: [{ id: 'outer', start: 2, end: 15, children: [{ id: 'inner', start: 4, end: 6 }, { id: 'inner2', start: 8, end: 9 }] }],
    },
    { name: 'open group runs to the last known line', lines: 12, groups: [group('live', 3, null)], want: [{ id: 'live', start: 3, end: 12 }] },
    {
      name: 'child overlapping its parent end is clamped',
      lines: 20,
      groups: [group('p', 1, 10), group('c', 5, 18)],
      want: [{ id: 'p', start: 1, end: 10, children: [{ id: 'c', start: 5, end: 10 }] }],
    },
    { name: 'group past the known lines waits for them', lines: 4, groups: [group('later', 9, 12)], want: [] },
    { name: 'end past the known lines is clamped', lines: 4, groups: [group('g', 2, 50)], want: [{ id: 'g', start: 2, end: 4 }] },
    { name: 'end before start becomes a one-line group', lines: 9, groups: [group('g', 5, 2)], want: [{ id: 'g', start: 5, end: 5 }] },
    { name: 'two groups on one marker line keep the outer', lines: 9, groups: [group('a', 3, 9), group('b', 3, 4)], want: [{ id: 'a', start: 3, end: 9 }] },
    { name: 'duplicate ids keep the first', lines: 9, groups: [group('a', 1, 2), group('a', 4, 5)], want: [{ id: 'a', start: 1, end: 2 }] },
    { name: 'zero or negative start dropped', lines: 9, groups: [group('z', 0, 3)], want: [] },
  ];
  it.each(cases)('$name', ({ lines, groups, want }) => {
    expect(shape(buildGroupTree('s', groups, lines))).toEqual(want);
  });

  it('keys groups as {step}/{group} and bounds nesting depth', () => {
    const deep = Array.from({ length: 40 }, (_, i) => group(`g${i}`, i + 1, 100));
    const tree = buildGroupTree('build', deep, 100);
    expect(tree[0]?.key).toBe('build/g0');
    expect(allGroups(tree)).toHaveLength(16);
  });

  it('finds the chain of groups containing a line', () => {
    const tree = buildGroupTree('s', [group('p', 1, 10), group('c', 3, 5)], 20);
    expect(groupsContaining(tree, 4).map((g) => g.id)).toEqual(['p', 'c']);
    expect(groupsContaining(tree, 7).map((g) => g.id)).toEqual(['p']);
    expect(groupsContaining(tree, 11)).toEqual([]);
  });
});
