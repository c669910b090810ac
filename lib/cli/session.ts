import { createJob, type CreateJobOptions, type Job } from '../sdk/job';
import { origin } from '../sdk/http';
import { LogscopeError } from '../sdk/errors';
import { UsageError, type FlagSpec, type ParsedArgs } from './args';
import { loadToken, saveToken, tokenCachePath } from './token-cache';

/** Flags shared by every command that talks to a server. */
export const CONNECTION_FLAGS: FlagSpec = {
  url: { kind: 'string' },
  token: { kind: 'string' },
  help: { kind: 'boolean', short: 'h' },
};

export const DEFAULT_URL = 'http://localhost:3000';

export const CONNECTION_HELP = `Connection:
  --url URL        server (env LOGSCOPE_URL, default ${DEFAULT_URL})
  --token TOKEN    the job's write token (env LOGSCOPE_TOKEN); without it, a token kept by
                   an earlier command of this user for the job is used (LOGSCOPE_STATE_DIR)
  Creating a job sends LOGSCOPE_INGEST_KEY when set.`;

export interface CliEnv {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
}

export interface Connection {
  url: string;
  /** token from the flag or the environment (not the cache) */
  token: string | undefined;
  cacheFile: string;
}

export function connection(args: ParsedArgs, env: NodeJS.ProcessEnv): Connection {
  const url = args.strings.url ?? env.LOGSCOPE_URL ?? DEFAULT_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  const token = args.strings.token ?? (env.LOGSCOPE_TOKEN || undefined);
  return { url, token, cacheFile: tokenCachePath(env) };
}

export function requireJobId(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  const job = args.strings.job ?? env.LOGSCOPE_JOB;
  if (!job) throw new UsageError('--job is required (or set LOGSCOPE_JOB)');
  return job;
}

/** The write token for (url, job): flag, then environment, then this user's token cache. */
export function resolveToken(conn: Connection, jobId: string): string | undefined {
  return conn.token ?? loadToken(conn.cacheFile, origin(conn.url), jobId);
}

/**
 * Opens the job for writing. With a token the job must exist. Without one it is created and
 * its new token is kept in the cache for later commands of the session; if it already exists
 * we cannot write to it and say so.
 */
export async function openJob(
  conn: Connection,
  jobId: string,
  cli: CliEnv,
  extra: Partial<CreateJobOptions> = {},
): Promise<Job> {
  const token = resolveToken(conn, jobId);
  const job = await createJob({
    url: conn.url,
    jobId,
    ...(token !== undefined && { token }),
    ...(cli.env.LOGSCOPE_INGEST_KEY && { ingestKey: cli.env.LOGSCOPE_INGEST_KEY }),
    ...extra,
  });
  if (job.created) {
    try {
      saveToken(conn.cacheFile, origin(conn.url), jobId, job.token);
      cli.stderr.write(`logscope: created job ${jobId} (${jobUrl(conn.url, jobId)}); its write token is kept in ${conn.cacheFile}\n`);
    } catch (error) {
      cli.stderr.write(
        `logscope: created job ${jobId}, but could not keep its token (${error instanceof Error ? error.message : String(error)})\n`,
      );
    }
  }
  return job;
}

export function jobUrl(url: string, jobId: string): string {
  return `${origin(url)}/jobs/${encodeURIComponent(jobId)}`;
}

export function describeError(error: unknown): string {
  if (error instanceof LogscopeError || error instanceof UsageError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
