import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { Stream } from '../contracts';
import type { StepWriter } from '../sdk/step-writer';
import { EXIT } from './exit-codes';
import type { Progress } from './progress';

/**
 * Runs a command with stdout and stderr piped into a step (tagged out/err) and teed to our
 * own stdout/stderr as they arrive. When the step writer has too much unacknowledged output,
 * the child's pipes are paused, so a command that outruns the server waits instead of
 * filling our memory. SIGINT/SIGTERM/SIGHUP sent to us are forwarded to the child.
 */
export interface ChildResult {
  /** our exit code for it: its own code, 128+n for signal n, 126/127 when it never ran */
  code: number;
  signal: NodeJS.Signals | null;
  /** spawn error (ENOENT, EACCES) */
  error?: Error;
  /** a signal we received and forwarded (the user cancelled) */
  forwarded: NodeJS.Signals | null;
}

export interface TeeTargets {
  stdout: NodeJS.WritableStream | null;
  stderr: NodeJS.WritableStream | null;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Logscope's own secrets, kept out of the command's environment: a build that runs `env` or
 * `set -x` would otherwise print them into the very log they protect. Besides the two the CLI
 * reads, any LOGSCOPE_* variable named like a secret (…TOKEN, …KEY, …SECRET, …PASSWORD) is
 * dropped, so a credential added later is covered without a change here. LOGSCOPE_URL, _JOB
 * and _STEP stay: they are not secrets, and a nested `logscope` call needs them.
 */
export const CREDENTIAL_VARIABLES = ['LOGSCOPE_TOKEN', 'LOGSCOPE_INGEST_KEY'] as const;
const SECRET_NAME = /^LOGSCOPE_\w*(?:TOKEN|KEY|SECRET|PASSWORD)$/;

export function isCredentialVariable(name: string): boolean {
  return (CREDENTIAL_VARIABLES as readonly string[]).includes(name) || SECRET_NAME.test(name);
}

/** The environment a command runs with: ours, less Logscope's credentials unless asked. */
export function childEnvironment(env: NodeJS.ProcessEnv, options: { passCredentials: boolean }): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...env };
  if (options.passCredentials) return result;
  for (const name of Object.keys(result)) if (isCredentialVariable(name)) delete result[name];
  return result;
}

export function runChild(init: {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  writer: StepWriter;
  tee: TeeTargets;
  progress?: Progress;
}): Promise<ChildResult> {
  return new Promise((resolve) => {
    let forwarded: NodeJS.Signals | null = null;
    const child = spawn(init.command, init.args, { stdio: ['inherit', 'pipe', 'pipe'], env: init.env ?? process.env });
    const onSignal = (signal: NodeJS.Signals) => {
      forwarded = signal;
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, onSignal);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, onSignal);
    };

    // `logscope run … | head`: once our stdout is gone, stop copying but keep streaming
    const teeOf = (target: NodeJS.WritableStream | null) => {
      const state = { target };
      target?.on('error', () => {
        state.target = null;
      });
      return state;
    };
    const pump = (source: Readable | null, stream: Stream, teeState: { target: NodeJS.WritableStream | null }) => {
      source?.on('data', (chunk: Buffer) => {
        const tee = teeState.target;
        if (tee) {
          init.progress?.beforeOutput();
          tee.write(chunk);
          init.progress?.afterOutput(chunk);
        }
        const room = init.writer.write(chunk, stream);
        if (init.writer.backlogged) {
          source.pause();
          void room.then(() => source.resume());
        }
      });
    };
    pump(child.stdout, 'out', teeOf(init.tee.stdout));
    pump(child.stderr, 'err', teeOf(init.tee.stderr));

    let spawnError: Error | undefined;
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (spawnError) {
        const errno = (spawnError as NodeJS.ErrnoException).code;
        resolve({
          code: errno === 'ENOENT' ? EXIT.commandNotFound : EXIT.cannotExecute,
          signal: null,
          error: spawnError,
          forwarded,
        });
        return;
      }
      const number = signal ? (constants.signals[signal] ?? 0) : 0;
      resolve({ code: signal ? 128 + number : (code ?? 1), signal, forwarded });
    });
  });
}
