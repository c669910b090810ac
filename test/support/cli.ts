import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './processes';

/**
 * The CLI as a user runs it: bin/logscope.mjs in a child process. Unless `env` names a
 * LOGSCOPE_STATE_DIR, each run gets a token cache of its own, removed when it exits, so a test
 * never reads or writes the user's.
 */
export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** written to its stdin, which is then closed */
  input?: string;
}

export interface CliResult {
  /** exit code (null: killed by a signal) */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** what it has written so far */
  output: { stdout: string; stderr: string };
  exited: Promise<CliResult>;
}

/** Starts `logscope ARGS…`; `exited` resolves once it has exited and closed its output. */
export function spawnCli(args: string[], options: CliOptions = {}): CliRun {
  const ownStateDir = options.env?.LOGSCOPE_STATE_DIR === undefined ? mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-state-')) : null;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/logscope.mjs'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...(ownStateDir !== null && { LOGSCOPE_STATE_DIR: ownStateDir }), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const exited = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      if (ownStateDir !== null) rmSync(ownStateDir, { recursive: true, force: true });
      resolve({ code, signal, ...output });
    });
  });
  child.stdin.end(options.input ?? '');
  return { child, output, exited };
}

/**
 * Runs `logscope ARGS…` to its end; rejects (and kills it) after `timeoutMs`. `onSpawn` sees
 * the child first, e.g. to signal it once it has printed something.
 */
export async function runCli(
  args: string[],
  options: CliOptions & { timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  const { child, output, exited } = spawnCli(args, options);
  options.onSpawn?.(child);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`logscope ${args.join(' ')} timed out; stderr: ${output.stderr.slice(-2000)}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A shell-free child command for `logscope run`: prints `line <i>` for i = 1..count, `burst`
 * lines every `everyMs` (so a run lasts count / burst × everyMs).
 */
export function numberedLinesCommand(count: number, burst: number, everyMs: number): string[] {
  const script = `let i=0;const t=setInterval(()=>{let s='';for(let k=0;k<${burst}&&i<${count};k++)s+='line '+(++i)+'\\n';process.stdout.write(s);if(i>=${count})clearInterval(t);},${everyMs});`;
  return [process.execPath, '-e', script];
}
