import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Write tokens of jobs this user's CLI created, so that a later `logscope run` or
 * `logscope job complete` in the same session finds the token without it being pasted or
 * printed into a CI log. One JSON file, mode 0600, keyed by server origin and job id;
 * `job complete` removes the entry. LOGSCOPE_STATE_DIR overrides the directory.
 */
const MAX_ENTRIES = 200;

export function tokenCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.LOGSCOPE_STATE_DIR ??
    path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'), 'logscope');
  return path.join(dir, 'tokens.json');
}

type Entries = Record<string, { token: string; at: number }>;

function read(file: string): Entries {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
    const entries: Entries = {};
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'object' && value !== null && 'token' in value && typeof value.token === 'string') {
        entries[key] = { token: value.token, at: 'at' in value && typeof value.at === 'number' ? value.at : 0 };
      }
    }
    return entries;
  } catch {
    return {};
  }
}

function write(file: string, entries: Entries): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const kept = Object.entries(entries)
    .sort((a, b) => b[1].at - a[1].at)
    .slice(0, MAX_ENTRIES);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept), null, 1), { mode: 0o600 });
  renameSync(tmp, file);
}

const key = (origin: string, jobId: string) => `${origin} ${jobId}`;

export function loadToken(file: string, origin: string, jobId: string): string | undefined {
  return read(file)[key(origin, jobId)]?.token;
}

export function saveToken(file: string, origin: string, jobId: string, token: string): void {
  const entries = read(file);
  entries[key(origin, jobId)] = { token, at: Date.now() };
  write(file, entries);
}

export function forgetToken(file: string, origin: string, jobId: string): void {
  const entries = read(file);
  if (!(key(origin, jobId) in entries)) return;
  delete entries[key(origin, jobId)];
  write(file, entries);
}
