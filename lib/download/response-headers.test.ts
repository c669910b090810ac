import { describe, expect, it } from 'vitest';
import { logDownloadQuerySchema } from '../contracts';
import { DOWNLOAD_CSP, logResponseHeaders, RAW_VIEW_CSP } from './response-headers';

describe('raw log answer headers', () => {
  it.each([
    ['the job, attachment', 'build-42', 'ansi', 'attachment', 'attachment; filename="build-42.log"', DOWNLOAD_CSP],
    ['a step as text, attachment', 'build-42-test', 'text', 'attachment', 'attachment; filename="build-42-test.txt"', DOWNLOAD_CSP],
    ['the raw view', 'build-42-test', 'text', 'inline', 'inline; filename="build-42-test.txt"', RAW_VIEW_CSP],
    ['the producer\'s bytes', 'build-42-test', 'raw', 'attachment', 'attachment; filename="build-42-test.raw.log"', DOWNLOAD_CSP],
  ] as const)('%s', (_name, file, format, disposition, wantDisposition, wantCsp) => {
    expect(logResponseHeaders(file, format, disposition)).toEqual({
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': wantDisposition,
      'Cache-Control': 'no-store',
      'Content-Security-Policy': wantCsp,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('keeps the download as it was (sandbox) and locks the raw view down further', () => {
    expect(DOWNLOAD_CSP).toBe('sandbox');
    expect(RAW_VIEW_CSP.split(';').map((d) => d.trim())).toEqual(['sandbox', "default-src 'none'", "frame-ancestors 'none'"]);
  });
});

describe('log query', () => {
  it.each([
    [{}, { format: 'ansi', disposition: 'attachment' }],
    [{ step: 'test', format: 'text', disposition: 'inline' }, { step: 'test', format: 'text', disposition: 'inline' }],
    [{ format: 'raw' }, { format: 'raw', disposition: 'attachment' }],
  ])('%j parses', (query, want) => {
    expect(logDownloadQuerySchema.parse(query)).toEqual(want);
  });

  it.each([{ disposition: 'INLINE' }, { disposition: 'form-data' }, { disposition: '' }])('%j is refused', (query) => {
    expect(logDownloadQuerySchema.safeParse(query).success).toBe(false);
  });
});
