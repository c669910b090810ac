/**
 * The demo producer `npm start` runs: a pipeline shaped like the go-vela log streaming
 * proposal (a step that echoes "hello one" … "hello five" with sleeps between), a colourful
 * build step (256- and 24-bit colours, a \r progress bar, a group) and a failing test step,
 * pushed through the public HTTP API exactly as a CI worker would.
 */
const base = (process.env.LOGSCOPE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const repeatMs = Number(process.env.LOGSCOPE_DEMO_EVERY_MS ?? 5 * 60_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ESC = '\x1b';

async function call(method: string, path: string, token: string | null, body?: unknown, type = 'application/json') {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

async function runDemo(run: number): Promise<void> {
  const jobId = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const created = await call('PUT', `/jobs/${jobId}`, null, {
    title: `Demo pipeline #${run}`,
    labels: { repo: 'logscope/demo', branch: 'main', trigger: 'npm start' },
    steps: [
      { id: 'clone', name: 'Clone' },
      { id: 'logs', name: 'logs (go-vela streaming proposal)' },
      { id: 'build', name: 'Build' },
      { id: 'test', name: 'Test' },
    ],
  });
  const token = String(created.writeToken);
  console.log(`logscope demo: live job at ${base}/jobs/${jobId}`);
  const counters = new Map<string, number>();
  const emit = async (step: string, texts: string[], stream: 'out' | 'err' = 'out') => {
    let n = counters.get(step) ?? 0;
    const body = texts.map((text) => JSON.stringify({ n: ++n, ts: Date.now(), stream, text })).join('\n');
    counters.set(step, n);
    await call('POST', `/jobs/${jobId}/steps/${step}/lines`, token, body, 'application/x-ndjson');
  };
  const status = (step: string, value: string) => call('PUT', `/jobs/${jobId}/steps/${step}`, token, { status: value });

  await status('clone', 'running');
  await emit('clone', ['$ git clone --depth 1 https://example.com/logscope/demo.git', 'Cloning into \'demo\'...']);
  await sleep(400);
  await emit('clone', ['Receiving objects: 100% (1342/1342), 2.31 MiB | 9.80 MiB/s, done.', `${ESC}[32m✓${ESC}[0m HEAD is now at 4121abc Fix flaky cache test`]);
  await status('clone', 'success');

  await status('logs', 'running');
  for (const [i, word] of ['one', 'two', 'three', 'four', 'five'].entries()) {
    await emit('logs', [`$ sleep ${i + 1}`]);
    await sleep((i + 1) * 1000);
    await emit('logs', [`$ echo "hello ${word}"`, `hello ${word}`]);
  }
  await status('logs', 'success');

  await status('build', 'running');
  await emit('build', ['::group::Install dependencies', '$ npm ci', 'added 1204 packages in 8s', '::endgroup::']);
  const palette = Array.from({ length: 16 }, (_, i) => `${ESC}[48;5;${i * 16 + 1}m  ${ESC}[0m`).join('');
  const gradient = Array.from({ length: 32 }, (_, i) => `${ESC}[38;2;${255 - i * 8};${i * 8};200m█`).join('') + `${ESC}[0m`;
  await emit('build', [`${ESC}[1;34m▶ Compiling${ESC}[0m 256 colours: ${palette}`, `24-bit: ${gradient}`]);
  // A progress bar as a terminal prints it: one line rewritten with \r; Logscope keeps its final state.
  const frames = [0, 20, 40, 60, 80, 100].map((pct) => `Bundling [${'#'.repeat(pct / 5).padEnd(20, '.')}] ${String(pct).padStart(3)}%`);
  await sleep(1200);
  await emit('build', [frames.join('\r')]);
  await emit('build', [`${ESC}[33mwarning${ESC}[0m: unused variable \`cache\` in src/cache.ts:41`, `${ESC}[1;32mBuild finished${ESC}[0m in 3.2s`]);
  await status('build', 'success');

  await status('test', 'running');
  await emit('test', ['$ npm test', ' PASS  src/parser.test.ts (41 tests)', ' PASS  src/render.test.ts (12 tests)']);
  await sleep(800);
  await emit('test', [
    ` ${ESC}[41;1m FAIL ${ESC}[0m src/cache.test.ts`,
    `  ${ESC}[31m●${ESC}[0m cache › evicts the oldest entry`,
    `    expect(received).toBe(expected)`,
    `    Expected: ${ESC}[32m"b"${ESC}[0m`,
    `    Received: ${ESC}[31m"a"${ESC}[0m`,
    'Tests: 1 failed, 53 passed, 54 total',
  ], 'err');
  await status('test', 'failure');
  await call('POST', `/jobs/${jobId}/complete`, token, { status: 'failure' });
}

async function main(): Promise<void> {
  for (let run = 1; ; run++) {
    try {
      await runDemo(run);
    } catch (error) {
      console.error(`logscope demo: ${(error as Error).message}`);
    }
    if (!(repeatMs > 0)) return;
    await sleep(repeatMs);
  }
}

void main();
