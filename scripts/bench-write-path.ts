/**
 * Write-path benchmark without HTTP: a file's bytes through `writeLines` (body splitter →
 * ingest → file store), as one streamed body in 64 KiB chunks and as `?first=N` bodies of
 * 10,000 lines, into a temp file store. Isolates the server's own work from Next's.
 * Prints wall lines/s and the process's CPU µs per line (steadier than wall time on a shared
 * machine). Usage: npx tsx --conditions=react-server scripts/bench-write-path.ts [FILE] [--modes stream,chunked]
 * Without FILE: 200,000 generated lines of ~100 B coloured text (timestamp, SGR level, 256-colour
 * component, words), like the shared ingest harness's.
 * `--modes redraw` (issue 13's terminal screen): 200,000 generated producer lines that redraw a
 * 20-row progress display (each frame `ESC[20A`, then 20 rows `ESC[2K layer … n%`, as docker
 * compose pull does), one streamed body: every batch reads the screen and rewrites stored lines.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStore } from '../lib/store/file';
import { writeLines } from '../lib/writes/line-writer';

const CHUNK = 64 * 1024;

function streamOf(file: string): ReadableStream<Uint8Array> {
  const rs = createReadStream(file, { highWaterMark: CHUNK });
  const it = rs[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      const { done, value } = (await it.next()) as { done: boolean; value: Buffer };
      if (done) c.close();
      else c.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
  });
}

function bodyOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + CHUNK));
      at += CHUNK;
    },
  });
}

const LEVELS = ['\x1b[32mINFO\x1b[0m ', '\x1b[36mDEBUG\x1b[0m', '\x1b[33mWARN\x1b[0m ', '\x1b[1;31mERROR\x1b[0m'];
const WORDS = 'build cache layer module chunk vendor runtime worker shard retry resolve fetch compile bundle assets'.split(' ');

async function generated(dir: string): Promise<string> {
  const file = path.join(dir, 'generated.txt');
  let text = '';
  let t = Date.UTC(2024, 4, 1, 12);
  for (let i = 1; i <= 200_000; i++) {
    t += i % 37;
    let line = `${new Date(t).toISOString()} ${LEVELS[i % 7 === 0 ? 2 : i % 3] ?? ''} \x1b[38;5;${(i * 7) % 256}m[worker-${i % 16}]\x1b[39m #${i}`;
    for (let w = i; line.length < 100; w = (w * 31 + 7) % 1009) line += ` ${WORDS[w % WORDS.length] ?? ''}`;
    text += `${line.slice(0, 100)}\n`;
  }
  await writeFile(file, text);
  return file;
}

/** 10,000 frames of a 20-row display, each frame moving up over the previous one. */
function redrawText(): Buffer {
  const ROWS = 20;
  const parts: string[] = [];
  for (let row = 0; row < ROWS; row++) parts.push(`layer ${row.toString(16).padStart(12, '0')}: waiting`);
  for (let frame = 1; parts.length < 200_000; frame++) {
    for (let row = 0; row < ROWS; row++) {
      const pct = Math.min(100, Math.floor((frame * (row + 1)) / 50));
      parts.push(`${row === 0 ? `\x1b[${ROWS}A` : ''}\x1b[2Klayer ${row.toString(16).padStart(12, '0')}: \x1b[36m${'='.repeat(pct / 5)}>\x1b[0m ${pct}%`);
    }
  }
  return Buffer.from(`${parts.join('\n')}\n`);
}

async function main(): Promise<void> {
  const modesAt = process.argv.indexOf('--modes');
  const modes = (modesAt > 0 ? (process.argv[modesAt + 1] ?? '') : 'stream,chunked').split(',');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'logscope-wpath-'));
  const store = await createFileStore({ dir: path.join(dir, 'store') });
  try {
    const given = process.argv[2];
    const file = given && !given.startsWith('--') ? given : await generated(dir);
    const plain = await readFile(file);
    for (const mode of modes) {
      const data = mode === 'redraw' ? redrawText() : plain;
      let lines = 0;
      for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) lines++;
      const job = `wp-${mode}-${Date.now()}`;
      await store.putJob(job, { title: 'bench' }, { tokenHash: '0'.repeat(64) });
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let last = 0;
      let rows: number | undefined;
      if (mode === 'stream' || mode === 'redraw') {
        const body = mode === 'stream' ? streamOf(file) : bodyOf(data);
        const r = await writeLines(store, { jobId: job, stepId: 'main', body, format: 'text', first: 1, stream: 'out', maxBodyBytes: 2 ** 40 });
        last = r.last;
        rows = r.lines;
      } else {
        let from = 0;
        let n = 1;
        while (from < data.length) {
          let to = from;
          for (let k = 0; k < 10_000 && to < data.length; k++) {
            const nl = data.indexOf(10, to);
            to = nl < 0 ? data.length : nl + 1;
          }
          const r = await writeLines(store, { jobId: job, stepId: 'main', body: bodyOf(data.subarray(from, to)), format: 'text', first: n, stream: 'out', maxBodyBytes: 2 ** 40 });
          last = r.last;
          n = last + 1;
          from = to;
        }
      }
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuUs = (cpu.user + cpu.system) / lines;
      console.log(`${mode}: ${lines} lines (${(data.length / 2 ** 20).toFixed(1)} MiB) in ${s.toFixed(2)} s = ${Math.round(lines / s).toLocaleString('en')} lines/s, CPU ${cpuUs.toFixed(2)} µs/line, last ${last}${rows === undefined ? '' : `, stored lines ${rows}`}`);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
