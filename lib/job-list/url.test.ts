import { describe, expect, it } from 'vitest';
import { MAX_NEWER_TRAIL, fromLocalInput, toLocalInput, newerView, olderView, parseView, streamQuery, viewHref, withFilters, type JobListView } from './url';

const parse = (query: string) => parseView(new URLSearchParams(query));

describe('job list URL', () => {
  it.each<[string, JobListView]>([
    ['', { labels: [], newer: [] }],
    ['status=failure&q=%20api%20&label=repo:acme/api&label=env:prod', { status: 'failure', q: 'api', labels: ['repo:acme/api', 'env:prod'], newer: [] }],
    ['createdAfter=1000&createdBefore=2000', { labels: [], newer: [], createdAfter: 1000, createdBefore: 2000 }],
    ['before=123&newer=9&newer=5', { labels: [], before: '123', newer: ['9', '5'] }],
    // what the API would refuse is dropped: a link always shows a list
    ['status=nope&label=novalue&label=:x&createdAfter=abc&createdBefore=-5', { labels: [], newer: [] }],
    ['createdAfter=2000&createdBefore=1000', { labels: [], newer: [], createdAfter: 2000 }],
    ['newer=5', { labels: [], newer: [] }],
    ['label=a:1&label=a:1', { labels: ['a:1'], newer: [] }],
  ])('parses %j', (query, view) => {
    expect(parse(query)).toEqual(view);
  });

  it('keeps at most 8 labels, from a record of search params too', () => {
    const labels = Array.from({ length: 10 }, (_, i) => `k${i}:v`);
    expect(parseView({ label: labels }).labels).toEqual(labels.slice(0, 8));
    expect(parseView({ status: 'running', q: undefined })).toEqual({ status: 'running', labels: [], newer: [] });
  });

  it('round-trips through its href, and builds the stream query', () => {
    const view: JobListView = { status: 'failure', q: 'a b&c', labels: ['repo:acme/api', 'image:node:20'], createdAfter: 5, createdBefore: 9, before: '77', newer: ['99'] };
    const href = viewHref(view);
    expect(href.startsWith('/?')).toBe(true);
    expect(parse(href.slice(2))).toEqual(view);
    expect(viewHref({ labels: [], newer: [] })).toBe('/');
    expect(new URLSearchParams(streamQuery(view, 50)).getAll('label')).toEqual(['repo:acme/api', 'image:node:20']);
    expect(Object.fromEntries(new URLSearchParams(streamQuery({ labels: [], newer: [] })))).toEqual({ limit: '50' });
    expect(new URLSearchParams(streamQuery(view)).get('newer')).toBeNull();
  });

  it('pages older and newer with a trail of cursors', () => {
    const newest = withFilters({ status: 'running', labels: [] });
    const two = olderView(newest, 'c1');
    const three = olderView(two, 'c2');
    expect(three).toEqual({ status: 'running', labels: [], before: 'c2', newer: ['c1'] });
    expect(newerView(three)).toEqual(two);
    expect(newerView(two)).toEqual({ status: 'running', labels: [], newer: [] });
    expect(newerView(newest)).toBeNull();
    let deep = newest;
    for (let i = 1; i <= MAX_NEWER_TRAIL + 5; i++) deep = olderView(deep, `c${i}`);
    expect(deep.newer).toHaveLength(MAX_NEWER_TRAIL);
  });
});

describe('datetime-local values', () => {
  it('round-trips local minutes and refuses what is not one', () => {
    const ms = new Date(2026, 10, 29, 9, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-29T09:05');
    expect(fromLocalInput('2026-11-29T09:05')).toBe(ms);
    expect(toLocalInput(undefined)).toBe('');
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('yesterday')).toBeUndefined();
  });
});
