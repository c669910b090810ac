import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isJobId } from '../../contracts/ids';
import { parseArgs, UsageError } from '../args';
import { childEnvironment, runChild } from '../child-process';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import { parsePipeline, stepScript } from '../pipeline-file';
import { Progress } from '../progress';
import { CONNECTION_FLAGS, CONNECTION_HELP, connection, jobUrl, openJob, type CliEnv } from '../session';

export const PIPELINE_HELP = `Usage: logscope pipeline FILE.yml [--job J] [options]

Runs a go-vela/Drone-style pipeline on this machine and streams each step into its own step
of job J:
  version: "1"
  steps:
    - name: build
      environment: { GOOS: linux }
      commands: [ "make", "make test" ]
Each step's commands run in one \`sh -c\` with \`set -e\` (the first failing command fails the
step), each echoed as "+ command"; environment is merged into ours, less Logscope's own
credentials (see --pass-credentials). A failed step stops the
pipeline and the later steps are marked skipped; the job is then completed as success or
failure. Keys that need a container runtime (image, pull, …) are reported once and ignored.
Step ids come from the names (lower-cased, unsafe characters replaced, made unique).

Options:
  --job J          job id (default: FILE's name and a timestamp); created if missing and no
                   token is given
  --title TITLE    job title (default: FILE's name)
  -q, --quiet      do not print the steps' output here
  --pass-credentials
                   let the steps see LOGSCOPE_TOKEN, LOGSCOPE_INGEST_KEY (and any other
                   LOGSCOPE_*TOKEN/KEY/SECRET/PASSWORD); by default they are removed, so
                   \`env\` or \`set -x\` cannot print them into the log (a step's own
                   environment: entries are kept)
  -h, --help       this help
${CONNECTION_HELP}

Exits 0 when every step succeeded, else the failed step's exit code.
${EXIT_CODES_HELP}

Example:
  logscope pipeline examples/vela-logs.yml --job vela-demo`;

export async function pipelineCommand(argv: string[], cli: CliEnv): Promise<number> {
  const args = parseArgs(argv, {
    ...CONNECTION_FLAGS,
    job: { kind: 'string' },
    title: { kind: 'string' },
    quiet: { kind: 'boolean', short: 'q' },
    'pass-credentials': { kind: 'boolean' },
  });
  if (args.booleans.has('help')) {
    cli.stdout.write(`${PIPELINE_HELP}\n`);
    return EXIT.ok;
  }
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError('missing the pipeline file');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pipeline = parsePipeline(source);
  const conn = connection(args, cli.env);
  const jobId = args.strings.job ?? cli.env.LOGSCOPE_JOB ?? defaultJobId(file);
  if (!isJobId(jobId)) throw new UsageError(`--job ${JSON.stringify(jobId)} is not a valid job id`);
  if (pipeline.ignoredKeys.length > 0) {
    cli.stderr.write(`logscope: ignoring keys this local runner cannot honour: ${pipeline.ignoredKeys.join(', ')}\n`);
  }

  const job = await openJob(conn, jobId, cli, {
    title: args.strings.title ?? path.basename(file),
    steps: pipeline.steps.map((step) => ({ id: step.id, name: step.name })),
  });
  cli.stderr.write(`logscope: pipeline ${file} → ${jobUrl(conn.url, jobId)}\n`);
  const quiet = args.booleans.has('quiet');
  const baseEnv = childEnvironment({ ...process.env, ...cli.env }, { passCredentials: args.booleans.has('pass-credentials') });
  let failedCode = 0;
  let cancelled = false;
  for (const step of pipeline.steps) {
    if (failedCode !== 0) {
      await job.setStep(step.id, { status: 'skipped' });
      continue;
    }
    const writer = job.step(step.id, { name: step.name });
    const progress = new Progress(cli.stderr, () => step.id, () => writer.stats());
    const result = await runChild({
      command: '/bin/sh',
      args: ['-c', stepScript(step.commands)],
      env: { ...baseEnv, ...step.environment },
      writer,
      tee: { stdout: quiet ? null : cli.stdout, stderr: quiet ? null : cli.stderr },
      progress,
    });
    progress.stop();
    const status = result.forwarded ? 'cancelled' : result.code === 0 ? 'success' : 'failure';
    await writer.end(status);
    cli.stderr.write(`logscope: step ${step.name}: ${status}${result.code === 0 ? '' : ` (exit ${result.code})`}\n`);
    if (result.code !== 0) failedCode = result.code;
    if (status === 'cancelled') cancelled = true;
  }
  const status = cancelled ? 'cancelled' : failedCode === 0 ? 'success' : 'failure';
  await job.complete(status);
  cli.stderr.write(`logscope: job ${jobId}: ${status}\n`);
  return failedCode === 0 ? EXIT.ok : failedCode;
}

/** `ci.yml` → `ci-20261122-141503`: readable, sortable, and new on every run. */
function defaultJobId(file: string): string {
  const base = path
    .basename(file)
    .replace(/\.ya?ml$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 80);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.random().toString(36).slice(2, 6);
  return `${base || 'pipeline'}-${stamp}-${suffix}`;
}
