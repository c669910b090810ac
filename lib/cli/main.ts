import { UsageError } from './args';
import { jobCommand, JOB_HELP } from './commands/job';
import { linkCommand, LINK_HELP } from './commands/link';
import { pipeCommand, PIPE_HELP } from './commands/pipe';
import { pipelineCommand, PIPELINE_HELP } from './commands/pipeline';
import { runCommand, RUN_HELP } from './commands/run';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, hintFor } from './exit-codes';
import { describeError, type CliEnv } from './session';

export const MAIN_HELP = `logscope: stream build output into a Logscope server, live

Usage:
  logscope run --job J --step S [--name N] -- CMD [ARGS…]   run CMD, stream its output
  CMD | logscope pipe --job J --step S                      stream stdin
  logscope pipeline FILE.yml [--job J]                      run a Vela/Drone-style pipeline
  logscope job create [--job J] [--title T] [--json]        create a job, print its token
  logscope job complete --job J [--status S]                finish a job
  logscope link --job J [--step S] [--ttl SECONDS]          print a signed, expiring read link
  logscope help COMMAND                                     help for one command

Environment: LOGSCOPE_URL (default http://localhost:3000), LOGSCOPE_TOKEN, LOGSCOPE_JOB,
LOGSCOPE_STEP, LOGSCOPE_INGEST_KEY, LOGSCOPE_STATE_DIR. \`run\` and \`pipeline\` remove
LOGSCOPE_TOKEN and LOGSCOPE_INGEST_KEY from the command's environment (--pass-credentials
keeps them).

${EXIT_CODES_HELP}`;

const HELP: Record<string, string> = { run: RUN_HELP, pipe: PIPE_HELP, pipeline: PIPELINE_HELP, job: JOB_HELP, link: LINK_HELP };

/** The whole CLI as a function of argv and streams, so tests run it in-process too. */
export async function main(argv: string[], cli: CliEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, cli);
      case 'pipe':
        return await pipeCommand(rest, cli);
      case 'pipeline':
        return await pipelineCommand(rest, cli);
      case 'job':
        return await jobCommand(rest, cli);
      case 'link':
        return await linkCommand(rest, cli);
      case 'help':
      case '--help':
      case '-h': {
        const topic = rest[0];
        cli.stdout.write(`${(topic && HELP[topic]) || MAIN_HELP}\n`);
        return EXIT.ok;
      }
      case undefined:
        cli.stderr.write(`${MAIN_HELP}\n`);
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    cli.stderr.write(`logscope: error: ${describeError(error)}\n`);
    const hint = error instanceof UsageError ? `see \`logscope ${command && HELP[command] ? `${command} ` : ''}--help\`` : hintFor(error);
    if (hint) cli.stderr.write(`  hint: ${hint}\n`);
    return exitCodeFor(error);
  }
}
