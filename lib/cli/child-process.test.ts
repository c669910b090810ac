import { describe, expect, it } from 'vitest';
import { childEnvironment, isCredentialVariable } from './child-process';

describe('childEnvironment', () => {
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    PATH: '/usr/bin',
    HOME: '/home/ci',
    LOGSCOPE_URL: 'http://localhost:3000',
    LOGSCOPE_JOB: 'build-42',
    LOGSCOPE_STEP: 'test',
    LOGSCOPE_STATE_DIR: '/tmp/state',
    LOGSCOPE_TOKEN: 'job-token',
    LOGSCOPE_INGEST_KEY: 'ingest-key',
    LOGSCOPE_DEPLOY_SECRET: 's',
    LOGSCOPE_DB_PASSWORD: 'p',
    GITHUB_TOKEN: 'not ours',
  };

  it('removes Logscope credentials and keeps everything else', () => {
    expect(childEnvironment(env, { passCredentials: false })).toEqual({
      NODE_ENV: 'test',
      PATH: '/usr/bin',
      HOME: '/home/ci',
      LOGSCOPE_URL: 'http://localhost:3000',
      LOGSCOPE_JOB: 'build-42',
      LOGSCOPE_STEP: 'test',
      LOGSCOPE_STATE_DIR: '/tmp/state',
      GITHUB_TOKEN: 'not ours',
    });
  });

  it('passes them when asked, without touching the caller’s object', () => {
    const passed = childEnvironment(env, { passCredentials: true });
    expect(passed).toEqual(env);
    expect(passed).not.toBe(env);
  });

  it.each([
    ['LOGSCOPE_TOKEN', true],
    ['LOGSCOPE_INGEST_KEY', true],
    ['LOGSCOPE_API_KEY', true],
    ['LOGSCOPE_URL', false],
    ['LOGSCOPE_KEYRING_DIR', false],
    ['NPM_TOKEN', false],
  ])('%s is a credential: %s', (name, credential) => {
    expect(isCredentialVariable(name)).toBe(credential);
  });
});
