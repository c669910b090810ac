import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJob, type CreateJobOptions } from './job';
import { createLogSink } from './log-sink';
import { LogscopeError } from './errors';
import { startContractServer, type ContractServer } from '../../test/support';

let server: ContractServer;
beforeEach(async () => {
  server = await startContractServer();
});
afterEach(async () => {
  await server.close();
});

const fast: Partial<CreateJobOptions> = {
  flushMs: 2,
  retry: { baseDelayMs: 1, maxDelayMs: 5, giveUpAfterMs: 5_000 },
  connectGiveUpAfterMs: 200,
};
const open = (extra: Partial<CreateJobOptions> = {}) => createJob({ url: server.url, jobId: 'j1', ...fast, ...extra });
const stored = (step: string, job = 'j1') => server.jobs.get(job)?.steps.get(step)?.lines.map((l) => `${l.n}:${l.stream}:${l.text}`);
const numbered = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `${from + i}:out:line ${from + i}`);

describe('createJob', () => {
  it('creates a missing job and returns its new token', async () => {
    const job = await open();
    expect(job.created).toBe(true);
    expect(job.token).toBe('tok-1');
  });

  it('refuses an existing job without a token, and a wrong token', async () => {
    await open();
    await expect(open()).rejects.toMatchObject({ kind: 'conflict' });
    await expect(open({ token: 'nope' })).rejects.toMatchObject({ kind: 'auth', status: 403 });
    await expect(open({ token: 'tok-1' })).resolves.toMatchObject({ created: false });
  });

  it('says "unknown job" for a token given for a job that does not exist', async () => {
    await expect(open({ token: 'tok-1' })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('reports a server that is down as a network error', async () => {
    const url = server.url;
    await server.close();
    await expect(createJob({ url, jobId: 'j', ...fast })).rejects.toMatchObject({ kind: 'network' });
    server = await startContractServer();
  });

  it('rejects an invalid job id before any request', async () => {
    await expect(open({ jobId: '../etc' })).rejects.toBeInstanceOf(LogscopeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('StepWriter', () => {
  it('numbers lines densely, tags streams, keeps partial lines per stream', async () => {
    const job = await open();
    const step = job.step('build', { name: 'Build' });
    await step.write('a\nb');
    await step.write('x\n', 'err');
    await step.write('c\n');
    await step.write(new TextEncoder().encode('tail'), 'err');
    await step.end('success');
    expect(stored('build')).toEqual(['1:out:a', '2:err:x', '3:out:bc', '4:err:tail']);
    expect(server.jobs.get('j1')?.steps.get('build')).toMatchObject({ name: 'Build', status: 'success' });
  });

  it('line() writes whole lines, apart from a pending partial write()', async () => {
    const job = await open();
    const step = job.step('mix');
    await step.write('partial ');
    await step.line('whole one\nwhole two');
    await step.write('rest\n');
    await step.end();
    expect(stored('mix')).toEqual(['1:out:whole one', '2:out:whole two', '3:out:partial rest']);
  });

  it('continues after the lines a step already has (numbering from last + 1)', async () => {
    const first = await open();
    const a = first.step('s');
    for (let i = 1; i <= 5; i++) await a.line(`line ${i}`);
    await a.end();
    const again = await open({ token: first.token });
    const b = again.step('s');
    for (let i = 6; i <= 8; i++) await b.line(`line ${i}`);
    await b.end('success');
    expect(stored('s')).toEqual(numbered(8));
  });

  it('batches: many lines go out in few requests', async () => {
    const job = await open({ flushMs: 50 });
    const step = job.step('s');
    for (let i = 1; i <= 2000; i++) await step.line(`line ${i}`);
    await step.end();
    expect(stored('s')).toEqual(numbered(2000));
    expect(server.requests.filter((r) => r.path.endsWith('/lines')).length).toBeLessThan(10);
  });

  it.each([
    ['503 with Retry-After', { kind: 'status', status: 503, retryAfter: 0 }],
    ['429', { kind: 'status', status: 429 }],
    ['500', { kind: 'status', status: 500 }],
    ['connection dropped before storing', { kind: 'drop', keep: 0 }],
    ['connection dropped after storing part', { kind: 'drop', keep: 7 }],
    ['connection dropped after storing all', { kind: 'drop', keep: 1_000_000 }],
  ] as const)('retries after %s without losing or doubling a line', async (_name, fault) => {
    const job = await open();
    const step = job.step('s');
    server.lineFaults.push(fault, fault, fault);
    for (let i = 1; i <= 300; i++) await step.line(`line ${i}`);
    await step.end('success');
    expect(stored('s')).toEqual(numbered(300));
    expect(step.stats()).toMatchObject({ written: 300, acked: 300 });
    expect(step.stats().retries).toBeGreaterThanOrEqual(3);
  });

  it('resends from `last` after a 400 that stored part of the batch', async () => {
    const job = await open({ flushMs: 20 });
    const step = job.step('s');
    server.lineFaults.push({ kind: 'truncate', keep: 5 }, { kind: 'truncate', keep: 3 });
    for (let i = 1; i <= 100; i++) await step.line(`line ${i}`);
    await step.end();
    expect(stored('s')).toEqual(numbered(100));
  });

  it('fails loudly when a 409 line_gap shows the server lost acknowledged lines', async () => {
    const job = await open();
    const step = job.step('s');
    for (let i = 1; i <= 10; i++) await step.line(`line ${i}`);
    await step.flush();
    server.jobs.get('j1')?.steps.get('s')?.lines.splice(7);
    await step.line('line 11');
    await expect(step.end()).rejects.toMatchObject({ kind: 'protocol', message: expect.stringContaining('lost') });
  });

  it('flush() waits for acknowledgement; write() applies backpressure', async () => {
    const job = await open({ maxBufferedBytes: 4096, flushMs: 60_000 });
    const step = job.step('s');
    let pending = 0;
    for (let i = 1; i <= 500; i++) {
      const room = step.write(`line ${i}\n`);
      let done = false;
      void room.then(() => (done = true));
      await Promise.resolve();
      if (!done) pending++;
      await room;
    }
    expect(pending).toBeGreaterThan(0);
    await step.flush();
    expect(stored('s')).toEqual(numbered(500));
  });

  it('fails for good on a completed job, and says so on flush/end', async () => {
    const job = await open();
    await job.complete('success');
    const errors: LogscopeError[] = [];
    const late = await open({ token: job.token, onError: (e) => errors.push(e) });
    const step = late.step('s');
    await step.line('too late');
    await expect(step.end()).rejects.toMatchObject({ code: 'job_completed' });
    expect(errors).toHaveLength(1);
  });

  it('gives up after the retry budget when the server stays down', async () => {
    const job = await open({ retry: { baseDelayMs: 1, maxDelayMs: 5, giveUpAfterMs: 100 } });
    const step = job.step('s');
    await step.line('one');
    await step.flush();
    await server.close();
    await step.line('two');
    await expect(step.end()).rejects.toMatchObject({ kind: 'network' });
    server = await startContractServer();
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    const job = await open({ signal: controller.signal, flushMs: 10_000 });
    const step = job.step('s');
    await step.line('x');
    controller.abort();
    await expect(step.end()).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('createLogSink', () => {
  it.each(['step', 'drop'] as const)('keeps internal records apart at the producer (%s)', async (mode) => {
    const job = await open();
    const sink = createLogSink(job, { internal: mode, step: 'deploy' });
    await sink.info('user 1');
    await sink.internal('pulling image');
    await sink.error('user 2');
    await sink.end('success');
    expect(stored('deploy')).toEqual(['1:out:user 1', '2:err:user 2']);
    const internal = server.jobs.get('j1')?.steps.get('deploy.internal');
    if (mode === 'drop') expect(internal).toBeUndefined();
    else expect(internal).toMatchObject({ internal: true, lines: [{ n: 1, text: 'pulling image' }] });
  });
});
