import { describe, expect, it } from 'vitest';
import { compareRuns, greenAndRed, pipelineKey, sameKey, type PipelineKey } from './key';

describe('pipelineKey', () => {
  it.each<[string, Record<string, string>, PipelineKey]>([
    ['t', { pipeline: 'acme-ci', repo: 'a', workflow: 'w' }, { source: 'label', key: { pipeline: 'acme-ci' } }],
    ['t', { repo: 'acme/api', workflow: 'ci' }, { source: 'labels', key: { repo: 'acme/api', workflow: 'ci' } }],
    ['t', { repo: 'acme/api', workflow: 'ci', branch: 'main', sha: 'x' }, { source: 'labels', key: { repo: 'acme/api', workflow: 'ci', branch: 'main' } }],
    ['build #4', { repo: 'acme/api' }, { source: 'title', key: { title: 'build #4' } }],
    ['build', { pipeline: '', repo: 'r', workflow: '' }, { source: 'title', key: { title: 'build' } }],
    ['', { branch: 'main' }, { source: 'none', key: {} }],
  ])('%j %j', (title, labels, key) => {
    expect(pipelineKey({ title, labels })).toEqual(key);
  });

  it('reads only own labels (a label named toString or constructor is just a label)', () => {
    expect(pipelineKey({ title: 'x', labels: JSON.parse('{"__proto__":"y"}') as Record<string, string> })).toEqual({ source: 'title', key: { title: 'x' } });
  });
});

describe('sameKey', () => {
  const k = (title: string, labels: Record<string, string>) => pipelineKey({ title, labels });
  it.each<[PipelineKey, PipelineKey, boolean]>([
    [k('a', { repo: 'r', workflow: 'w' }), k('b', { repo: 'r', workflow: 'w', sha: '1' }), true],
    [k('a', { repo: 'r', workflow: 'w' }), k('a', { repo: 'r', workflow: 'w', branch: 'main' }), false],
    [k('a', { repo: 'r', workflow: 'w', branch: 'x' }), k('a', { repo: 'r', workflow: 'w', branch: 'y' }), false],
    [k('a', {}), k('a', { pipeline: 'a' }), false],
    [k('a', { pipeline: 'p' }), k('b', { pipeline: 'p' }), true],
    [k('same', {}), k('same', { other: '1' }), true],
    [k('', {}), k('', {}), false],
  ])('%j ~ %j → %s', (a, b, same) => {
    expect(sameKey(a, b)).toBe(same);
    expect(sameKey(b, a)).toBe(same);
  });
});

describe('run order and green/red', () => {
  const run = (id: string, createdAt: number, status: string) => ({ id, createdAt, status });
  it('orders newest first, ties by id descending', () => {
    const runs = [run('a', 1, 'success'), run('c', 2, 'success'), run('b', 2, 'success')];
    expect(runs.sort(compareRuns).map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });

  // runs r1..r7 created at 1..7
  const history = (statuses: string) => [...statuses].map((s, i) => run(`r${i + 1}`, i + 1, ({ g: 'success', r: 'failure', c: 'cancelled', u: 'running' } as Record<string, string>)[s] ?? '?'));
  it.each<[string, string, string | null, string | null]>([
    // statuses oldest → newest, the job, last green, first red since it
    ['ggrrr', 'r5', 'r2', 'r3'],
    ['ggrrr', 'r3', 'r2', 'r3'],
    ['ggrcr', 'r5', 'r2', 'r3'],
    ['gcrgr', 'r5', 'r4', 'r5'],
    ['gccgu', 'r5', 'r4', null],
    ['grrgg', 'r5', 'r4', null], // a green job: no red between it and the green before
    ['grrgg', 'r4', 'r1', 'r2'], // the fixing run: red since the green before it
    ['rrrr', 'r4', null, null], // never green
    ['ggrrg', 'r1', null, null], // the first run
    ['ggrrr', 'r2', 'r1', null],
    ['grrrr', 'r3', 'r1', 'r2'], // later reds are not "since" for an earlier job
  ])('%s at %s → green %s, first red %s', (statuses, at, green, red) => {
    const runs = history(statuses);
    const job = runs.find((r) => r.id === at);
    if (!job) throw new Error(at);
    const found = greenAndRed(runs, job);
    expect(found.lastGreen?.id ?? null).toBe(green);
    expect(found.firstRedSinceGreen?.id ?? null).toBe(red);
  });
});
