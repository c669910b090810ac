import { linkAnswerSchema, MAX_LINK_TTL_SECONDS } from '../../contracts/access';
import { isJobId, isStepId } from '../../contracts/ids';
import { LogscopeError } from '../../sdk/errors';
import { HttpClient } from '../../sdk/http';
import { parseArgs, UsageError } from '../args';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import { CONNECTION_FLAGS, CONNECTION_HELP, connection, requireJobId, resolveToken, type CliEnv } from '../session';

export const LINK_HELP = `Usage: logscope link --job J [--step S] [--ttl SECONDS] [--json]

Prints a signed, read-only link to job J (or to its step S) that expires: open it in a browser,
or post it to a pull request. Needs the job's write token (as the other commands find it), or a
read or admin key in LOGSCOPE_KEY; the server needs a link secret (LOGSCOPE_LINK_SECRET).

Options:
  --job J          job id (env LOGSCOPE_JOB)
  --step S         only this step
  --ttl SECONDS    how long the link lives (default 86400, at most ${MAX_LINK_TTL_SECONDS})
  --json           print {"token", "url", "expiresAt"} as JSON
  -h, --help       this help
${CONNECTION_HELP}
  LOGSCOPE_KEY     a read or admin key, used instead of the write token

${EXIT_CODES_HELP}`;

export async function linkCommand(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(argv, { ...CONNECTION_FLAGS, job: { kind: 'string' }, step: { kind: 'string' }, ttl: { kind: 'string' }, json: { kind: 'boolean' } });
  if (args.booleans.has('help')) {
    cli.stdout.write(`${LINK_HELP}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const conn = connection(args, cli.env);
  const jobId = requireJobId(args, cli.env);
  if (!isJobId(jobId)) throw new UsageError(`--job ${JSON.stringify(jobId)} is not a valid job id`);
  const step = args.strings.step;
  if (step !== undefined && !isStepId(step)) throw new UsageError(`--step ${JSON.stringify(step)} is not a valid step id`);
  const ttlSeconds = args.strings.ttl === undefined ? undefined : Number(args.strings.ttl);
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_LINK_TTL_SECONDS)) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_LINK_TTL_SECONDS}`);
  }
  const token = cli.env.LOGSCOPE_KEY || resolveToken(conn, jobId);
  if (!token) throw new LogscopeError('auth', `no credential for job ${jobId}: pass --token, set LOGSCOPE_TOKEN, or set LOGSCOPE_KEY to a read key`);
  const http = new HttpClient({ url: conn.url });
  const link = await http.request(
    {
      method: 'POST',
      path: `/jobs/${encodeURIComponent(jobId)}/links`,
      token,
      json: { ...(step !== undefined && { step }), ...(ttlSeconds !== undefined && { ttlSeconds }) },
    },
    linkAnswerSchema,
  );
  cli.stdout.write(args.booleans.has('json') ? `${JSON.stringify(link)}\n` : `${link.url}\n`);
  if (!args.booleans.has('json')) cli.stderr.write(`logscope: the link expires at ${new Date(link.expiresAt).toISOString()}\n`);
  return EXIT.ok;
}
