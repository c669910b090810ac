import { isStepId } from '../../contracts/ids';
import type { StepStatus } from '../../contracts';
import { stepStatusSchema } from '../../contracts';
import { parseArgs, UsageError } from '../args';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import { Progress } from '../progress';
import { reportRetries } from './run';
import { CONNECTION_FLAGS, CONNECTION_HELP, connection, openJob, requireJobId, type CliEnv } from '../session';

export const PIPE_HELP = `Usage: CMD | logscope pipe --job J --step S [--name "Build"] [options]

Streams stdin into step S of job J, line by line as it arrives, and copies it to stdout
(like tee). At end of input the step is set to --status (default success).

Options:
  --job J          job id (env LOGSCOPE_JOB); created if it does not exist and no token is given
  --step S         step id (env LOGSCOPE_STEP)
  --name NAME      step display name
  --internal       mark the step platform-internal (hidden by default in the viewer)
  --title TITLE    job title, when the job is created here
  --stream out|err tag the lines as stdout (default) or stderr
  --status STATUS  step status at end of input: success (default), failure, cancelled, skipped
  --complete       complete the job with that status at end of input
  -q, --quiet      do not copy stdin to stdout
  -h, --help       this help
${CONNECTION_HELP}

${EXIT_CODES_HELP}

Example:
  make 2>&1 | logscope pipe --job build-42 --step make`;

export async function pipeCommand(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(argv, {
    ...CONNECTION_FLAGS,
    job: { kind: 'string' },
    step: { kind: 'string' },
    name: { kind: 'string' },
    title: { kind: 'string' },
    stream: { kind: 'string' },
    status: { kind: 'string' },
    complete: { kind: 'boolean' },
    internal: { kind: 'boolean' },
    quiet: { kind: 'boolean', short: 'q' },
  });
  if (args.booleans.has('help')) {
    cli.stdout.write(`${PIPE_HELP}\n`);
    return EXIT.ok;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const conn = connection(args, cli.env);
  const jobId = requireJobId(args, cli.env);
  const stepId = args.strings.step ?? cli.env.LOGSCOPE_STEP;
  if (!stepId || !isStepId(stepId)) throw new UsageError('--step is required and must be a valid step id');
  const stream = args.strings.stream ?? 'out';
  if (stream !== 'out' && stream !== 'err') throw new UsageError('--stream must be out or err');
  const statusArg = stepStatusSchema.safeParse(args.strings.status ?? 'success');
  if (!statusArg.success || !['success', 'failure', 'cancelled', 'skipped'].includes(statusArg.data)) {
    throw new UsageError('--status must be success, failure, cancelled or skipped');
  }
  const status: StepStatus = statusArg.data;

  const job = await openJob(conn, jobId, cli, args.strings.title === undefined ? {} : { title: args.strings.title });
  const writer = job.step(stepId, {
    ...(args.strings.name !== undefined && { name: args.strings.name }),
    ...(args.booleans.has('internal') && { internal: true }),
  });
  const tee = args.booleans.has('quiet') ? null : cli.stdout;
  const progress = new Progress(cli.stderr, () => stepId, () => writer.stats());
  try {
    for await (const chunk of cli.stdin) {
      const bytes = typeof chunk === 'string' ? chunk : (chunk as Uint8Array);
      if (tee) {
        progress.beforeOutput();
        tee.write(bytes);
        progress.afterOutput(bytes);
      }
      // awaiting here is the backpressure: stdin is not read while the server is behind
      await writer.write(bytes, stream);
    }
    await writer.end(status);
    if (args.booleans.has('complete') && (status === 'success' || status === 'failure' || status === 'cancelled')) {
      await job.complete(status);
    }
  } finally {
    progress.stop();
  }
  reportRetries(cli, stepId, writer.stats());
  return EXIT.ok;
}
