import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild, freePort, getJob, readAllLines, runCli, startLogscope, uniqueJobId, type LogscopeServer } from '../../test/support';

/**
 * The CLI against the real server (file store in a temp dir), as a user runs it: the bin
 * script in a child process, on the first free port of 3152-3159 (3150-3159 are the CLI's).
 */
let server: LogscopeServer;
let stateDir: string;
let env: Record<string, string>;
const node = process.execPath;

beforeAll(async () => {
  ensureBuild();
  // port-in-use checks: a stale server on our port would answer in place of ours
  server = await startLogscope(await freePort(3152, 3159), `file:${mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-store-'))}`);
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-state-'));
  env = { LOGSCOPE_URL: server.url, LOGSCOPE_STATE_DIR: stateDir, LOGSCOPE_TOKEN: '', LOGSCOPE_JOB: '' };
}, 600_000);

afterAll(async () => {
  await server?.stop();
});

describe('logscope run', () => {
  it('tees output, tags streams, sets the step status and exits with the command code', async () => {
    const job = uniqueJobId('run');
    const script = 'console.log("out 1"); console.error("err 1"); setTimeout(() => { console.log("out 2"); process.exit(3) }, 50)';
    const result = await runCli(['run', '--job', job, '--step', 'build', '--name', 'Build', '--', node, '-e', script], { env });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('out 1\nout 2\n');
    expect(result.stderr).toContain('err 1\n');
    const lines = await readAllLines(server.url, job, 'build');
    expect(lines.map((l) => [l.n, l.stream, l.text])).toEqual([
      [1, 'out', 'out 1'],
      [2, 'err', 'err 1'],
      [3, 'out', 'out 2'],
    ]);
    const meta = await getJob(server.url, job);
    expect(meta?.steps).toMatchObject([{ id: 'build', name: 'Build', status: 'failure', lines: 3 }]);
  });

  it('keeps the token of a job it created for the next command, and continues the numbering', async () => {
    const job = uniqueJobId('session');
    expect((await runCli(['run', '--job', job, '--step', 's', '--', 'echo', 'one'], { env })).code).toBe(0);
    expect((await runCli(['run', '--job', job, '--step', 's', '--', 'echo', 'two'], { env })).code).toBe(0);
    expect((await readAllLines(server.url, job, 's')).map((l) => `${l.n}:${l.text}`)).toEqual(['1:one', '2:two']);
    expect((await getJob(server.url, job))?.steps[0]?.status).toBe('success');
    // another user (no cached token) cannot write into it
    const other = { ...env, LOGSCOPE_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-other-')) };
    const refused = await runCli(['run', '--job', job, '--step', 's', '--', 'echo', 'x'], { env: other });
    expect(refused.code).toBe(73);
    expect(refused.stderr).toContain('already exists');
    const wrong = await runCli(['run', '--job', job, '--step', 's', '--token', 'not-the-token', '--', 'echo', 'x'], { env: other });
    expect(wrong.code).toBe(77);
    const done = await runCli(['job', 'complete', '--job', job, '--status', 'success'], { env });
    expect(done.code).toBe(0);
    expect((await getJob(server.url, job))?.status).toBe('success');
  });

  it.each([
    ['a signal', ['/bin/sh', '-c', 'kill -9 $$'], 137],
    ['a missing command', ['definitely-not-a-command-xyz'], 127],
  ])('exits like a shell after %s', async (_name, command, code) => {
    const job = uniqueJobId('sig');
    const result = await runCli(['run', '--job', job, '--step', 's', '--', ...command], { env });
    expect(result.code).toBe(code);
    expect((await getJob(server.url, job))?.steps[0]?.status).toBe('failure');
  });

  it('continues a step a redraw merged after its producer number (produced), not its line count', async () => {
    const job = uniqueJobId('redraw');
    // two rows, then the cursor goes up and rewrites the first: 3 producer lines, 2 stored
    const redraw = 'process.stdout.write("a\\nb\\n\\x1b[2A\\x1b[2Kc\\n")';
    expect((await runCli(['run', '--job', job, '--step', 's', '--', node, '-e', redraw], { env })).code).toBe(0);
    expect((await getJob(server.url, job))?.steps[0]).toMatchObject({ lines: 2, produced: 3 });
    expect((await runCli(['run', '--job', job, '--step', 's', '--', 'echo', 'after'], { env })).code).toBe(0);
    // `after` is producer line 4 (not dropped as a duplicate of line 3): it lands where the
    // cursor was left, row 2, as in a terminal
    expect((await readAllLines(server.url, job, 's')).map((l) => `${l.n}:${l.text}`)).toEqual(['1:c', '2:after']);
    expect((await getJob(server.url, job))?.steps[0]).toMatchObject({ lines: 2, produced: 4 });
  });

  it('forwards SIGTERM to the command, marks the step cancelled and exits 128+15', async () => {
    const job = uniqueJobId('term');
    const script = 'console.log("started"); setTimeout(() => {}, 30000)';
    const result = await runCli(['run', '--job', job, '--step', 's', '--', node, '-e', script], {
      env,
      onSpawn: (child) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('started')) child.kill('SIGTERM');
        });
      },
    });
    expect(result.code).toBe(143);
    expect((await getJob(server.url, job))?.steps[0]?.status).toBe('cancelled');
    expect((await readAllLines(server.url, job, 's')).map((l) => l.text)).toEqual(['started']);
  });

  it('keeps streaming when its own stdout goes away (`| head`)', async () => {
    const job = uniqueJobId('epipe');
    const result = await runCli(['run', '--job', job, '--step', 's', '--', 'seq', '1', '50000'], {
      env,
      onSpawn: (child) => child.stdout?.once('data', () => child.stdout?.destroy()),
    });
    expect(result.code).toBe(0);
    expect((await getJob(server.url, job))?.steps[0]).toMatchObject({ lines: 50_000, status: 'success' });
  });

  it('reports a server that is down with its own exit code', async () => {
    const result = await runCli(['run', '--job', 'x', '--step', 's', '--url', `http://127.0.0.1:${await freePort(3152, 3159)}`, '--', 'true'], { env });
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('ECONNREFUSED');
  });
});

describe('logscope pipe and job', () => {
  it('creates a job, prints its token, streams stdin with it, completes it', async () => {
    const job = uniqueJobId('pipe');
    const created = await runCli(['job', 'create', '--job', job, '--title', 'Piped', '--label', 'branch=main', '--json'], {
      env: { ...env, LOGSCOPE_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-json-')) },
    });
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const piped = await runCli(['pipe', '--job', job, '--step', 'log', '--token', token, '-q'], {
      env,
      input: 'a\r\nb\n\u001b[31mred\u001b[0m\npartial',
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('');
    expect((await readAllLines(server.url, job, 'log')).map((l) => l.text)).toEqual(['a', 'b', '\u001b[31mred\u001b[0m', 'partial']);
    const internal = await runCli(['pipe', '--job', job, '--step', 'agent', '--internal', '--token', token, '-q'], { env, input: 'pulled image\n' });
    expect(internal.code).toBe(0);
    expect((await getJob(server.url, job))?.steps.find((s) => s.id === 'agent')).toMatchObject({ internal: true, lines: 1 });
    const unknown = await runCli(['job', 'complete', '--job', uniqueJobId('nope'), '--token', token], { env });
    expect(unknown.code).toBe(66);
    const done = await runCli(['job', 'complete', '--job', job, '--token', token, '--status', 'failure'], { env });
    expect(done.code).toBe(0);
    expect((await getJob(server.url, job))?.status).toBe('failure');
  });

  it('splits a line over 1 MiB into pieces the server accepts', async () => {
    const job = uniqueJobId('huge');
    const size = 2.5 * 1024 * 1024;
    const piped = await runCli(['pipe', '--job', job, '--step', 'big', '-q'], { env, input: `${'é'.repeat(size / 2)}\nafter\n` });
    expect(piped.code).toBe(0);
    const lines = await readAllLines(server.url, job, 'big');
    expect(lines.map((l) => Buffer.byteLength(l.text))).toEqual([1024 * 1024, 1024 * 1024, size - 2 * 1024 * 1024, 5]);
    expect(lines.slice(0, 3).map((l) => l.text).join('')).toBe('é'.repeat(size / 2));
  });

  it('prints eval-able export lines by default', async () => {
    const job = uniqueJobId('eval');
    const created = await runCli(['job', 'create', '--job', job], { env });
    expect(created.stdout).toMatch(new RegExp(`^export LOGSCOPE_URL=.*\\nexport LOGSCOPE_JOB=${job}\\nexport LOGSCOPE_TOKEN=\\S+\\n$`));
  });
});

describe("the command's environment", () => {
  it('holds none of Logscope’s credentials unless --pass-credentials asks', async () => {
    const job = uniqueJobId('env');
    const created = await runCli(['job', 'create', '--job', job, '--json'], { env });
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const secrets = { ...env, LOGSCOPE_TOKEN: token, LOGSCOPE_INGEST_KEY: 'ingest-key-for-env-test' };
    expect((await runCli(['run', '--job', job, '--step', 'hidden', '-q', '--', 'env'], { env: secrets })).code).toBe(0);
    expect((await runCli(['run', '--job', job, '--step', 'passed', '-q', '--pass-credentials', '--', 'env'], { env: secrets })).code).toBe(0);
    const hidden = (await readAllLines(server.url, job, 'hidden')).map((l) => l.text);
    expect(hidden).toContain(`LOGSCOPE_URL=${server.url}`);
    expect(hidden.join('\n')).not.toContain(token);
    expect(hidden.join('\n')).not.toContain('ingest-key-for-env-test');
    const passed = (await readAllLines(server.url, job, 'passed')).map((l) => l.text);
    expect(passed).toContain(`LOGSCOPE_TOKEN=${token}`);
    expect(passed).toContain('LOGSCOPE_INGEST_KEY=ingest-key-for-env-test');
  });

  it('in a pipeline too, where a step may still set one itself', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-env-'));
    const file = path.join(dir, 'env.yml');
    writeFileSync(
      file,
      `version: "1"
steps:
  - name: print
    commands: [env]
  - name: own
    environment: { LOGSCOPE_TOKEN: set-by-the-step }
    commands: [env]
`,
    );
    const job = uniqueJobId('pipeline-env');
    const result = await runCli(['pipeline', file, '--job', job, '-q'], { env: { ...env, LOGSCOPE_INGEST_KEY: 'ingest-key-for-env-test' } });
    expect(result.code).toBe(0);
    const printed = (await readAllLines(server.url, job, 'print')).map((l) => l.text).join('\n');
    expect(printed).toContain(`LOGSCOPE_URL=${server.url}`);
    expect(printed).not.toContain('ingest-key-for-env-test');
    expect((await readAllLines(server.url, job, 'own')).map((l) => l.text)).toContain('LOGSCOPE_TOKEN=set-by-the-step');
  });
});

describe('a server with an ingest key', () => {
  it('says that the key is needed, and creates the job with it', async () => {
    const keyed = await startLogscope(await freePort(3152, 3159), `file:${mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-keyed-'))}`, {
      LOGSCOPE_INGEST_KEY: 'sekret-key',
    });
    try {
      const job = uniqueJobId('keyed');
      const withoutKey = await runCli(['job', 'create', '--job', job], { env: { ...env, LOGSCOPE_URL: keyed.url } });
      expect(withoutKey.code).toBe(77);
      expect(withoutKey.stderr).toContain('LOGSCOPE_INGEST_KEY');
      const wrongKey = await runCli(['run', '--job', job, '--step', 's', '--', 'true'], {
        env: { ...env, LOGSCOPE_URL: keyed.url, LOGSCOPE_INGEST_KEY: 'nope' },
      });
      expect(wrongKey.code).toBe(77);
      expect(wrongKey.stderr).toContain('refused the ingest key');
      const ok = await runCli(['run', '--job', job, '--step', 's', '--', 'echo', 'hi'], {
        env: { ...env, LOGSCOPE_URL: keyed.url, LOGSCOPE_INGEST_KEY: 'sekret-key' },
      });
      expect(ok.code).toBe(0);
      expect((await readAllLines(keyed.url, job, 's')).map((l) => l.text)).toEqual(['hi']);
    } finally {
      await keyed.stop();
    }
  }, 120_000);
});

describe('logscope pipeline', () => {
  it('runs steps in sh with set -e and merged env, skips after a failure, completes the job', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'logscope-cli-pipe-'));
    const file = path.join(dir, 'ci.yml');
    writeFileSync(
      file,
      `version: "1"
steps:
  - name: Say hello
    image: alpine
    environment: { GREETING: hello }
    commands:
      - echo "$GREETING world"
  - name: Fail here
    commands:
      - echo before
      - exit 4
      - echo never
  - name: Never runs
    commands: [echo skipped]
`,
    );
    const job = uniqueJobId('pipeline');
    const result = await runCli(['pipeline', file, '--job', job, '-q'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('ignoring keys this local runner cannot honour: image');
    const meta = await getJob(server.url, job);
    expect(meta?.status).toBe('failure');
    expect(meta?.steps.map((s) => [s.id, s.name, s.status])).toEqual([
      ['say-hello', 'Say hello', 'success'],
      ['fail-here', 'Fail here', 'failure'],
      ['never-runs', 'Never runs', 'skipped'],
    ]);
    expect((await readAllLines(server.url, job, 'say-hello')).map((l) => l.text)).toEqual(['+ echo "$GREETING world"', 'hello world']);
    expect((await readAllLines(server.url, job, 'fail-here')).map((l) => l.text)).toEqual(['+ echo before', 'before', '+ exit 4']);
  });

  it('runs the go-vela proposal pipeline as written', async () => {
    const job = uniqueJobId('vela');
    const result = await runCli(['pipeline', 'examples/vela-logs.yml', '--job', job], { env, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/ignoring keys/g)).toHaveLength(1);
    expect(result.stderr).toContain('image, pull');
    const texts = (await readAllLines(server.url, job, 'logs')).map((l) => l.text);
    expect(texts.filter((t) => t.startsWith('hello'))).toEqual(['hello one', 'hello two', 'hello three', 'hello four', 'hello five']);
    expect((await getJob(server.url, job))?.status).toBe('success');
  }, 60_000);
});

describe('crash recovery', () => {
  it('kill -9 of the server in the middle of `logscope run`: the step holds lines 1..100000 exactly once', async () => {
    const job = uniqueJobId('crash');
    const total = 100_000;
    // 1000 lines every 100 ms: ~10 s of output, so the kill lands mid-stream
    const printer = `let i = 1; const t = setInterval(() => { let s = ''; for (let k = 0; k < 1000 && i <= ${total}; k++, i++) s += 'line ' + i + '\\n'; process.stdout.write(s); if (i > ${total}) clearInterval(t); }, 100);`;
    const run = runCli(['run', '--job', job, '--step', 'numbers', '-q', '--', node, '-e', printer], { env, timeoutMs: 240_000 });
    let killedAt = 0;
    for (let tries = 0; tries < 600; tries++) {
      const meta = await getJob(server.url, job).catch(() => null);
      const lines = meta?.steps[0]?.lines ?? 0;
      if (lines >= 10_000) {
        killedAt = lines;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(killedAt).toBeGreaterThan(0);
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    const result = await run;
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    // the CLI did meet the outage (it retried) and absorbed it
    expect(result.stderr).toMatch(/100000 lines delivered after \d+ retried requests/);
    expect(killedAt).toBeLessThan(total);
    const lines = await readAllLines(server.url, job, 'numbers');
    expect(lines.length).toBe(total);
    const wrong = lines.filter((line, i) => line.n !== i + 1 || line.text !== `line ${i + 1}` || line.stream !== 'out');
    expect(wrong.slice(0, 5)).toEqual([]);
    const meta = await getJob(server.url, job);
    expect(meta?.steps[0]).toMatchObject({ lines: total, status: 'success' });
  }, 300_000);
});
