import { describe, expect, it } from 'vitest';
import { linesBodyFormat, readLinesQuerySchema, writeLinesQuerySchema } from './lines';

describe('POST lines body format', () => {
  it.each([
    [null, 'text'],
    ['text/plain; charset=utf-8', 'text'],
    ['application/octet-stream', 'text'],
    ['application/x-ndjson', 'ndjson'],
    ['Application/JSONL', 'ndjson'],
    ['application/ndjson; charset=utf-8', 'ndjson'],
    ['application/json', null],
    ['', null],
  ] as const)('%s → %s', (contentType, format) => {
    expect(linesBodyFormat(contentType)).toBe(format);
  });
});

describe('lines queries', () => {
  it('fill their defaults and coerce numbers', () => {
    expect(readLinesQuerySchema.parse({})).toEqual({ from: 1, limit: 1000 });
    expect(readLinesQuerySchema.parse({ from: '5', limit: '20' })).toEqual({ from: 5, limit: 20 });
    expect(writeLinesQuerySchema.parse({ first: '3' })).toEqual({ first: 3, stream: 'out' });
  });

  it('refuse what the routes answer with 400', () => {
    expect(readLinesQuerySchema.safeParse({ limit: '5001' }).success).toBe(false);
    expect(readLinesQuerySchema.safeParse({ from: '0' }).success).toBe(false);
    expect(writeLinesQuerySchema.safeParse({ stream: 'both' }).success).toBe(false);
  });
});
