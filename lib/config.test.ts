import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
const { readConfig } = await import('./config');

describe('readConfig', () => {
  it('has safe defaults', () => {
    expect(readConfig({ NODE_ENV: 'test' })).toMatchObject({ ingestKey: null, embedOrigins: [] });
  });

  it('takes the embed origins that are origins, and only those', () => {
    const config = readConfig({ NODE_ENV: 'test', LOGSCOPE_EMBED_ORIGINS: 'https://ci.example.com, https://x.example/path, *.bad' });
    expect(config.embedOrigins).toEqual(['https://ci.example.com']);
  });
});
