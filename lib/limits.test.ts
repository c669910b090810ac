import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LINE_OVERHEAD_BYTES, lineBytes, limitsFromEnv } from './limits';

describe('limits', () => {
  it('reads the overridable limits from the environment', () => {
    const { limits, invalid } = limitsFromEnv({ LOGSCOPE_RANGE_BYTES: '1000', LOGSCOPE_SSE_PER_CLIENT: ' 3 ', LOGSCOPE_TRUSTED_PROXIES: '0' });
    expect(invalid).toEqual([]);
    expect(limits).toEqual({ ...DEFAULT_LIMITS, rangeBytes: 1000, ssePerClient: 3, trustedProxies: 0 });
  });

  it('keeps the default for a setting that is not a whole number in range, and names it', () => {
    const { limits, invalid } = limitsFromEnv({ LOGSCOPE_SSE_TOTAL: '0', LOGSCOPE_QUEUE_BYTES: '4MB', LOGSCOPE_TRUSTED_PROXIES: '-1' });
    expect(limits).toEqual(DEFAULT_LIMITS);
    expect(invalid).toEqual(['LOGSCOPE_QUEUE_BYTES="4MB"', 'LOGSCOPE_SSE_TOTAL="0"', 'LOGSCOPE_TRUSTED_PROXIES="-1"']);
  });

  it('counts a line as its UTF-8 bytes plus the JSON around it', () => {
    expect(lineBytes('é')).toBe(2 + LINE_OVERHEAD_BYTES);
  });
});
