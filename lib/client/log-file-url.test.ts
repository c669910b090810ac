import { describe, expect, it } from 'vitest';
import { logFileUrl } from './api';

describe('logFileUrl', () => {
  it.each([
    ['the job download', { format: 'ansi', disposition: 'attachment' }, undefined, '/api/v1/jobs/build-42/log?format=ansi'],
    ['a step as text', { step: 'test', format: 'text', disposition: 'attachment' }, undefined, '/api/v1/jobs/build-42/log?step=test&format=text'],
    ['the raw view of a step', { step: 'test', format: 'text', disposition: 'inline' }, undefined, '/api/v1/jobs/build-42/log?step=test&format=text&disposition=inline'],
    ['with a signed link', { format: 'text', disposition: 'inline' }, { access: 'lsl1.a+b/c' }, '/api/v1/jobs/build-42/log?format=text&disposition=inline&access=lsl1.a%2Bb%2Fc'],
    ['a read key never goes into a URL', { format: 'ansi', disposition: 'attachment' }, { token: 'secret' }, '/api/v1/jobs/build-42/log?format=ansi'],
  ] as const)('%s', (_name, opts, auth, want) => {
    expect(logFileUrl('/api/v1', 'build-42', opts, auth)).toBe(want);
  });
});
