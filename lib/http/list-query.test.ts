import { describe, expect, it } from 'vitest';
import { parseListRequest } from './list-query';

const parse = (query: string) => parseListRequest(new Request(`http://x/api/v1/jobs?${query}`));

describe('parseListRequest', () => {
  it.each([
    ['', { filter: {}, limit: 50 }],
    ['status=failure&q=api&limit=20&before=123', { filter: { status: 'failure', q: 'api' }, limit: 20, before: '123' }],
    ['label=repo:acme/api&label=env:prod', { filter: { labels: { repo: 'acme/api', env: 'prod' } }, limit: 50 }],
    ['label=image:node:20', { filter: { labels: { image: 'node:20' } }, limit: 50 }],
    ['label=k:', { filter: { labels: { k: '' } }, limit: 50 }],
    ['label=k:v&label=k:v', { filter: { labels: { k: 'v' } }, limit: 50 }],
    ['createdAfter=1000&createdBefore=2000', { filter: { createdAfter: 1000, createdBefore: 2000 }, limit: 50 }],
  ])('%s', (query, expected) => {
    expect(parse(query)).toEqual(expected);
  });

  it.each([
    ['status=done', /status/],
    ['q=' + 'x'.repeat(201), /q/],
    ['label=novalue', /key:value/],
    ['label=:v', /key:value/],
    ['label=' + 'k'.repeat(65) + ':v', /key:value/],
    ['label=k:' + 'v'.repeat(257), /256/],
    [Array.from({ length: 9 }, (_, i) => `label=k${i}:v`).join('&'), /at most 8/],
    ['label=k:a&label=k:b', /twice/],
    ['createdAfter=abc', /createdAfter/],
    ['createdAfter=-1', /createdAfter/],
    ['createdAfter=1.5', /createdAfter/],
    ['createdBefore=9000000000000000', /createdBefore/],
    ['createdAfter=2000&createdBefore=2000', /earlier/],
    ['limit=0', /limit/],
    ['before=' + 'x'.repeat(513), /before/],
  ])('refuses %s', (query, message) => {
    expect(() => parse(query)).toThrow(message);
  });
});
