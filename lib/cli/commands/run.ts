import { isStepId } from '../../contracts/ids';
import { parseArgs, UsageError } from '../args';
import { childEnvironment, runChild } from '../child-process';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, hintFor } from '../exit-codes';
import type { WriterStats } from '../../sdk/step-writer';
import { Progress } from '../progress';
import { CONNECTION_FLAGS, CONNECTION_HELP, connection, describeError, openJob, requireJobId, type CliEnv } from '../session';

export const RUN_HELP = `Usage: logscope run --job J --step S [--name "Build"] [options] -- CMD [ARGS…]

Runs CMD, streams its stdout and stderr live into step S of job J (tagged out/err) while still
printing them here, sets the step to success or failure from CMD's exit code, and exits with
CMD's code (killed by signal N: 128+N). Lines are numbered and retried until the server has
them: a server restart or a network fault neither loses nor duplicates a line.

Options:
  --job J          job id (env LOGSCOPE_JOB); created if it does not exist and no token is given
  --step S         step id, [A-Za-z0-9][A-Za-z0-9._-]{0,63} (env LOGSCOPE_STEP)
  --name NAME      step display name
  --internal       mark the step platform-internal (hidden by default in the viewer)
  --title TITLE    job title, when the job is created here
  --complete       complete the job with the step's status when CMD ends
  -q, --quiet      do not print CMD's output here (it is still streamed)
  --pass-credentials
                   let CMD see LOGSCOPE_TOKEN, LOGSCOPE_INGEST_KEY (and any other
                   LOGSCOPE_*TOKEN/KEY/SECRET/PASSWORD); by default they are removed from
                   its environment, so \`env\` or \`set -x\` cannot print them into the log
  -h, --help       this help
${CONNECTION_HELP}

Progress (lines sent / acked) is shown on stderr when it is a terminal.

${EXIT_CODES_HELP}

Example:
  logscope run --job build-42 --step test --name "Unit tests" -- npm test`;

export async function runCommand(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...CONNECTION_FLAGS,
      job: { kind: 'string' },
      step: { kind: 'string' },
      name: { kind: 'string' },
      title: { kind: 'string' },
      complete: { kind: 'boolean' },
      internal: { kind: 'boolean' },
      quiet: { kind: 'boolean', short: 'q' },
      'pass-credentials': { kind: 'boolean' },
    },
    { stopAtPositional: true },
  );
  if (args.booleans.has('help')) {
    cli.stdout.write(`${RUN_HELP}\n`);
    return EXIT.ok;
  }
  const [command, ...commandArgs] = args.rest;
  if (!command) throw new UsageError('missing the command to run (after --)');
  const conn = connection(args, cli.env);
  const jobId = requireJobId(args, cli.env);
  const stepId = args.strings.step ?? cli.env.LOGSCOPE_STEP;
  if (!stepId) throw new UsageError('--step is required (or set LOGSCOPE_STEP)');
  if (!isStepId(stepId)) throw new UsageError(`--step ${JSON.stringify(stepId)} is not a valid step id ([A-Za-z0-9][A-Za-z0-9._-]{0,63})`);

  const job = await openJob(conn, jobId, cli, args.strings.title === undefined ? {} : { title: args.strings.title });
  const writer = job.step(stepId, {
    ...(args.strings.name !== undefined && { name: args.strings.name }),
    ...(args.booleans.has('internal') && { internal: true }),
  });
  const quiet = args.booleans.has('quiet');
  const progress = new Progress(cli.stderr, () => stepId, () => writer.stats());
  const result = await runChild({
    command,
    args: commandArgs,
    env: childEnvironment({ ...process.env, ...cli.env }, { passCredentials: args.booleans.has('pass-credentials') }),
    writer,
    tee: { stdout: quiet ? null : cli.stdout, stderr: quiet ? null : cli.stderr },
    progress,
  });
  if (result.error) {
    const message = `logscope: cannot run ${command}: ${result.code === EXIT.commandNotFound ? 'command not found' : result.error.message}`;
    cli.stderr.write(`${message}\n`);
    void writer.line(message, 'err');
  }
  const status = result.forwarded && result.code !== 0 ? 'cancelled' : result.code === 0 ? 'success' : 'failure';
  try {
    await writer.end(status);
    if (args.booleans.has('complete')) await job.complete(status);
  } catch (error) {
    progress.stop();
    cli.stderr.write(`logscope: the log of step ${stepId} could not be delivered: ${describeError(error)}\n`);
    const hint = hintFor(error);
    if (hint) cli.stderr.write(`  hint: ${hint}\n`);
    return result.code === 0 ? exitCodeFor(error) : result.code;
  }
  progress.stop();
  reportRetries(cli, stepId, writer.stats());
  return result.code;
}

/** Silent on a clean run; after an outage the user learns that it happened and was absorbed. */
export function reportRetries(cli: CliEnv, stepId: string, stats: WriterStats): void {
  if (stats.retries === 0) return;
  cli.stderr.write(`logscope: step ${stepId}: ${stats.acked} lines delivered after ${stats.retries} retried requests\n`);
}
