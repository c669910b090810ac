import { randomUUID } from 'node:crypto';
import { finalJobStatusSchema } from '../../contracts';
import { isJobId } from '../../contracts/ids';
import { completeJob, createJob } from '../../sdk/job';
import { LogscopeError } from '../../sdk/errors';
import { HttpClient, origin } from '../../sdk/http';
import { parseArgs, UsageError } from '../args';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import { forgetToken, saveToken } from '../token-cache';
import { CONNECTION_FLAGS, CONNECTION_HELP, connection, jobUrl, requireJobId, resolveToken, type CliEnv } from '../session';

export const JOB_HELP = `Usage: logscope job create [--job J] [--title T] [--label k=v]… [--json]
       logscope job complete --job J [--status success|failure|cancelled]

create    creates job J (default: a new random id) and prints its write token as shell
          lines to eval, or as JSON with --json:
            eval "$(logscope job create --job build-42 --title 'Build #42')"
            # → export LOGSCOPE_URL=…  LOGSCOPE_JOB=build-42  LOGSCOPE_TOKEN=…
          The token is also kept for later logscope commands of this user.
complete  marks job J finished (default status success); later writes are refused.

Options:
  --job J          job id (env LOGSCOPE_JOB)
  --title T        job title (create)
  --label k=v      a label, repeatable (create)
  --json           print {"job", "url", "token"} as JSON (create)
  --status S       success (default), failure or cancelled (complete)
  -h, --help       this help
${CONNECTION_HELP}

${EXIT_CODES_HELP}`;

export async function jobCommand(argv: string[], cli: CliEnv): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    cli.stdout.write(`${JOB_HELP}\n`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub === 'create') return create(rest, cli);
  if (sub === 'complete') return complete(rest, cli);
  throw new UsageError(`unknown job command ${JSON.stringify(sub)} (create, complete)`);
}

async function create(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(argv, {
    ...CONNECTION_FLAGS,
    job: { kind: 'string' },
    title: { kind: 'string' },
    label: { kind: 'list' },
    json: { kind: 'boolean' },
  });
  if (args.booleans.has('help')) {
    cli.stdout.write(`${JOB_HELP}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const conn = connection(args, cli.env);
  const jobId = args.strings.job ?? cli.env.LOGSCOPE_JOB ?? `job-${randomUUID().slice(0, 13)}`;
  if (!isJobId(jobId)) throw new UsageError(`--job ${JSON.stringify(jobId)} is not a valid job id`);
  const labels: Record<string, string> = {};
  for (const label of args.lists.label ?? []) {
    const eq = label.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label must be key=value, got ${JSON.stringify(label)}`);
    labels[label.slice(0, eq)] = label.slice(eq + 1);
  }
  const job = await createJob({
    url: conn.url,
    jobId,
    ...(args.strings.title !== undefined && { title: args.strings.title }),
    ...(Object.keys(labels).length > 0 && { labels }),
    ...(cli.env.LOGSCOPE_INGEST_KEY && { ingestKey: cli.env.LOGSCOPE_INGEST_KEY }),
  });
  try {
    saveToken(conn.cacheFile, origin(conn.url), jobId, job.token);
  } catch {
    // printing the token is the main channel; the cache is a convenience
  }
  if (args.booleans.has('json')) {
    cli.stdout.write(`${JSON.stringify({ job: jobId, url: jobUrl(conn.url, jobId), token: job.token })}\n`);
  } else {
    cli.stdout.write(
      [`export LOGSCOPE_URL=${quote(conn.url)}`, `export LOGSCOPE_JOB=${quote(jobId)}`, `export LOGSCOPE_TOKEN=${quote(job.token)}`].join('\n') +
        '\n',
    );
    cli.stderr.write(`logscope: created job ${jobId}: ${jobUrl(conn.url, jobId)}\n`);
  }
  return EXIT.ok;
}

async function complete(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(argv, { ...CONNECTION_FLAGS, job: { kind: 'string' }, status: { kind: 'string' } });
  if (args.booleans.has('help')) {
    cli.stdout.write(`${JOB_HELP}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const conn = connection(args, cli.env);
  const jobId = requireJobId(args, cli.env);
  if (!isJobId(jobId)) throw new UsageError(`--job ${JSON.stringify(jobId)} is not a valid job id`);
  const status = finalJobStatusSchema.safeParse(args.strings.status ?? 'success');
  if (!status.success) throw new UsageError('--status must be success, failure or cancelled');
  const token = resolveToken(conn, jobId);
  if (!token) throw new LogscopeError('auth', `no write token for job ${jobId}: pass --token or set LOGSCOPE_TOKEN`);
  const http = new HttpClient({ url: conn.url });
  await completeJob({ http, jobId, token, status: status.data, retry: { baseDelayMs: 100, maxDelayMs: 2000, giveUpAfterMs: 10_000 } });
  try {
    forgetToken(conn.cacheFile, origin(conn.url), jobId);
  } catch {
    // a stale cache entry only costs a 409 later
  }
  cli.stderr.write(`logscope: job ${jobId} completed: ${status.data}\n`);
  return EXIT.ok;
}

/** Safe inside `eval`: single-quoted, `'` escaped. Tokens and ids are plain, URLs may not be. */
function quote(value: string): string {
  return /^[A-Za-z0-9_./:@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
