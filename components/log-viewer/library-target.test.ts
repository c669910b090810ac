import { describe, expect, it } from 'vitest';
import { lineLink, resolveTarget } from './library-target';

const TOKEN = 'lsl1.eyJqIjoiYnVpbGQtNDIiLCJlIjoxfQ.sig';

describe('resolveTarget', () => {
  it('takes origin, job, step and token from a signed link', () => {
    expect(resolveTarget({ signedUrl: `https://logs.example.com/jobs/build-42?access=${TOKEN}` })).toEqual({
      apiBase: 'https://logs.example.com/api/v1',
      origin: 'https://logs.example.com',
      job: 'build-42',
      step: undefined,
      auth: { access: TOKEN },
    });
    const step = resolveTarget({ signedUrl: `http://127.0.0.1:3000/jobs/build-42/steps/test?access=${TOKEN}` });
    expect(step).toMatchObject({ apiBase: 'http://127.0.0.1:3000/api/v1', job: 'build-42', step: 'test' });
    expect(resolveTarget({ signedUrl: `https://l.example/embed/jobs/j1?access=${TOKEN}` })).toMatchObject({ job: 'j1' });
  });

  it('lets explicit props win, and uses only the origin of baseUrl', () => {
    expect(resolveTarget({ baseUrl: 'https://logs.example.com/some/path/', job: 'j2', token: 'read-key', signedUrl: `https://other.example/jobs/j1?access=${TOKEN}` })).toEqual({
      apiBase: 'https://logs.example.com/api/v1',
      origin: 'https://logs.example.com',
      job: 'j2',
      step: undefined,
      auth: { access: TOKEN, token: 'read-key' },
    });
    expect(resolveTarget({ job: 'j3' })).toEqual({ apiBase: '/api/v1', origin: '', job: 'j3', step: undefined, auth: {} });
  });

  it.each([
    [{ signedUrl: 'not a url' }, /signedUrl is not a URL/],
    [{ signedUrl: 'javascript:alert(1)' }, /http/],
    [{ baseUrl: 'ftp://logs.example.com', job: 'j' }, /baseUrl/],
    [{ baseUrl: 'https://logs.example.com' }, /no valid job/],
    [{ baseUrl: 'https://logs.example.com', job: '../etc/passwd' }, /no valid job/],
    [{ job: 'j', step: 'a/b' }, /step id/],
  ])('%j is refused', (props, message) => {
    const result = resolveTarget(props);
    expect('error' in result && result.error).toMatch(message);
  });
});

describe('lineLink', () => {
  it('reads the link forms of the job page and of a step', () => {
    expect(lineLink('build:42', 'j', undefined)).toEqual({ step: 'build', lines: { from: 42, to: 42 } });
    expect(lineLink('build:45-40', 'j', undefined)).toEqual({ step: 'build', lines: { from: 40, to: 45 } });
    expect(lineLink('build', 'j', undefined)).toEqual({ step: 'build' });
    expect(lineLink({ step: 'build', line: 3, to: 9 }, 'j', undefined)).toEqual({ step: 'build', lines: { from: 3, to: 9 } });
    expect(lineLink({ step: 'build' }, 'j', undefined)).toEqual({ step: 'build' });
    expect(lineLink(7, 'j', 'test')).toEqual({ step: 'test', lines: { from: 7, to: 7 } });
    expect(lineLink('L7-L9', 'j', 'test')).toEqual({ step: 'test', lines: { from: 7, to: 9 } });
    expect(lineLink({ step: 'test', line: 2 }, 'j', 'test')).toEqual({ step: 'test', lines: { from: 2, to: 2 } });
  });

  it('names nothing for bad or foreign input', () => {
    for (const bad of [null, undefined, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, 'build:0', 'x:y', '<script>', 7] as const) {
      expect(lineLink(bad, 'j', undefined)).toBeNull();
    }
    expect(lineLink({ step: 'other', line: 2 }, 'j', 'test')).toBeNull();
    expect(lineLink({ step: 'build', line: 2.5 }, 'j', undefined)).toBeNull();
    expect(lineLink({ step: 'bad/step', line: 2 }, 'j', undefined)).toBeNull();
  });
});
