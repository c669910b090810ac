import { isLogscopeError } from '../sdk/errors';
import { UsageError } from './args';

/**
 * Exit codes of the logscope CLI. `run` exits with the command's own code (a signal n gives
 * 128+n); the codes below are for failures of logscope itself, and follow sysexits.h so that
 * they rarely collide with a build tool's codes.
 */
export const EXIT = {
  ok: 0,
  /** the pipeline or job failed (pipeline: the failed step's code when it has one) */
  failure: 1,
  /** bad arguments or pipeline file (EX_USAGE) */
  usage: 64,
  /** the server refused the data: bad id, line too large (EX_DATAERR) */
  rejected: 65,
  /** unknown job (EX_NOINPUT) */
  notFound: 66,
  /** server unreachable or kept failing after retries (EX_UNAVAILABLE) */
  unavailable: 69,
  /** bug or protocol violation (EX_SOFTWARE) */
  internal: 70,
  /** job already exists without a token, or already completed (EX_CANTCREAT) */
  conflict: 73,
  /** missing or wrong write token / ingest key (EX_NOPERM) */
  auth: 77,
  /** the command could not be executed / was not found (shell convention) */
  cannotExecute: 126,
  commandNotFound: 127,
  /** interrupted (128 + SIGINT) */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success                        64   usage error (arguments, pipeline file)
  1    pipeline/job failed            65   data refused by the server (400/413)
  66   unknown job                    69   server unreachable / unavailable after retries
  70   internal or protocol error     73   job exists without a token, or is completed
  77   missing or wrong token         126/127  command not executable / not found
  run: the command's own exit code (killed by signal N: 128+N); if the command succeeded
  but its log could not be delivered, the logscope code above.`;

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (!isLogscopeError(error)) return EXIT.internal;
  switch (error.kind) {
    case 'network':
    case 'unavailable':
      return EXIT.unavailable;
    case 'auth':
      return EXIT.auth;
    case 'not_found':
      return EXIT.notFound;
    case 'conflict':
      return EXIT.conflict;
    case 'rejected':
      return EXIT.rejected;
    case 'aborted':
      return EXIT.interrupted;
    case 'protocol':
      return EXIT.internal;
  }
}

/** One-line advice printed under an error. */
export function hintFor(error: unknown): string | undefined {
  if (!isLogscopeError(error)) return undefined;
  switch (error.kind) {
    case 'network':
      return 'is the Logscope server running? Set --url or LOGSCOPE_URL (default http://localhost:3000).';
    case 'auth':
      return 'pass the write token printed by `logscope job create` with --token or LOGSCOPE_TOKEN.';
    case 'not_found':
      return 'check the job id, or create it with `logscope job create --job ID`.';
    case 'conflict':
      return error.code === 'job_completed'
        ? 'the job is complete; use a new job id.'
        : 'pass the job\'s write token with --token or LOGSCOPE_TOKEN, or pick a new job id.';
    default:
      return undefined;
  }
}
