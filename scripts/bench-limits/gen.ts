/**
 * Deterministic generated logs for scripts/bench-limits.ts, carried here so that the bench runs
 * without ../shared:
 * - `writePlain100`: the ingest bench's lines (same algorithm and seed as
 *   shared/bench/live/ingest.mjs, so the same bytes): ISO timestamp, coloured level,
 *   256-colour worker tag, `#<line number>`, words; exactly `lineBytes` bytes a line. Beside it,
 *   the same lines without escape codes (what `grep` reads and what search matches).
 * - `writeAnsiHeavy`: a CI log in the spirit of shared/bench/render/gen-logs.mjs (~200 B a
 *   line): 16/256/truecolor SGR, bold/dim/backgrounds, GitHub `##[group]` and GitLab
 *   `section_start` boundaries, ~5 % lines of 500–3000 characters, ~1 % `\r` progress lines.
 */
import fs from 'node:fs';
import { prng } from '../../test/support/prng';


/** Buffered writer of a big text file (1 MiB writes). */
function writer(file: string) {
  const fd = fs.openSync(file, 'w');
  let buf = '';
  let bytes = 0;
  return {
    add(s: string) {
      buf += s;
      if (buf.length > 1 << 20) {
        bytes += fs.writeSync(fd, buf);
        buf = '';
      }
    },
    close(): number {
      bytes += fs.writeSync(fd, buf);
      fs.closeSync(fd);
      return bytes;
    },
  };
}

const WORDS =
  'build cache layer module chunk vendor runtime worker shard retry resolve fetch compile bundle assets config plugin loader transform emit optimize minify hash entry graph request response timeout socket stream buffer parser token schema index'.split(
    ' ',
  );
const LEVELS: [string, number][] = [
  ['\x1b[32mINFO\x1b[0m ', 70],
  ['\x1b[36mDEBUG\x1b[0m', 15],
  ['\x1b[33mWARN\x1b[0m ', 10],
  ['\x1b[1;31mERROR\x1b[0m', 5],
];
const SGR = /\x1b\[[0-9;]*m/g;

/** `n` lines of `lineBytes` bytes into `file`, and the same without escapes into `plainFile`. */
export function writePlain100(file: string, plainFile: string, n: number, lineBytes = 100, seed = 1): { bytes: number; plainBytes: number } {
  const r = prng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)] as T;
  const out = writer(file);
  const plain = writer(plainFile);
  let t = Date.UTC(2024, 4, 1, 12, 0, 0);
  for (let i = 1; i <= n; i++) {
    t += Math.floor(r() * 40);
    let x = r() * 100;
    let level = LEVELS[0]![0];
    for (const [l, w] of LEVELS) {
      if ((x -= w) < 0) {
        level = l;
        break;
      }
    }
    let line = `${new Date(t).toISOString()} ${level} \x1b[38;5;${16 + Math.floor(r() * 216)}m[worker-${Math.floor(r() * 16)}]\x1b[39m #${i}`;
    while (line.length < lineBytes - 1) line += ' ' + pick(WORDS);
    line = line.slice(0, lineBytes - 1);
    out.add(line + '\n');
    plain.add(line.replace(SGR, '') + '\n');
  }
  return { bytes: out.close(), plainBytes: plain.close() };
}

const E = '\x1b[';
const c16 = (code: number, s: string) => `${E}${code}m${s}${E}39m`;
const c256 = (n: number, s: string) => `${E}38;5;${n}m${s}${E}39m`;
const rgb = (r: number, g: number, b: number, s: string) => `${E}38;2;${r};${g};${b}m${s}${E}39m`;
const bold = (s: string) => `${E}1m${s}${E}22m`;
const dim = (s: string) => `${E}2m${s}${E}22m`;
const bg = (code: number, s: string) => `${E}${code}m${s}${E}49m`;
const PKGS = 'react react-dom lodash typescript esbuild rollup postcss eslint prettier vitest jest babel-core semver debug chalk commander yargs glob ws undici zod'.split(' ');
const FILES = 'src/app/page.tsx src/lib/store/file.ts src/lib/ingest/split.ts src/lib/live/fanout.ts src/components/log-viewer/LogLine.tsx src/api/jobs/route.ts test/ingest.test.ts'.split(' ');

/** A ~200 B/line ANSI-heavy CI log of `n` lines (the first and last carry markers). */
export function writeAnsiHeavy(file: string, n: number, seed = 42): { bytes: number } {
  const r = prng(seed);
  const int = (a: number, b: number) => a + Math.floor(r() * (b - a + 1));
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)] as T;
  const hex = (k: number) => Array.from({ length: k }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const words = (k: number) => Array.from({ length: k }, () => pick(WORDS)).join(' ');
  let t = Date.UTC(2024, 4, 1, 12, 0, 0);
  const ts = () => {
    t += int(0, 40);
    return new Date(t).toISOString().replace('Z', '0000Z');
  };
  const normal = [
    () => `${c16(90, 'npm')} ${c16(32, 'http')} fetch GET 200 https://registry.example.test/${pick(PKGS)}/-/${pick(PKGS)}-${int(0, 9)}.${int(0, 30)}.${int(0, 20)}.tgz ${int(3, 900)}ms ${dim('(cache hit)')}`,
    () => `${c16(90, 'npm')} ${bg(43, c16(30, 'WARN'))} ${c16(35, 'deprecated')} ${pick(PKGS)}: ${words(int(4, 10))}`,
    () => `  ${dim(`${int(1, 400)}:${int(1, 80)}`)}  ${c16(33, 'warning')}  ${words(int(3, 9))}  ${dim('react-hooks/exhaustive-deps')}`,
    () => `${rgb(142, 214, 251, '[webpack]')} asset ${c16(32, bold(`chunk-${hex(8)}.${hex(20)}.js`))} ${int(1, 2000)} KiB ${c16(32, '[emitted]')} ${dim('[minimized]')}`,
    () => `  ${c16(32, '✓')} ${words(int(3, 9))} ${dim(`(${int(0, 400)} ms)`)}`,
    () => `${bold(bg(42, c16(30, ' PASS ')))} ${dim('src/lib/')}${bold(pick(FILES).replace(/^.*\//, ''))} ${dim(`(${int(1, 20)}.${int(0, 999)} s)`)}`,
    () => `${c256(39, `#${int(1, 40)}`)} ${c256(75, `[build ${int(1, 9)}/12]`)} RUN ${pick(['npm ci', 'npm run build', 'apk add --no-cache tini'])}`,
    () => `${rgb(255, 95, 135, '[server]')} ${pick([c16(34, 'INFO'), c16(33, 'WARN'), c16(31, 'ERROR')])} ${words(int(4, 12))} ${dim(`req=${hex(12)}`)}`,
    () => `    ${c16(90, 'at')} Object.<anonymous> ${c16(36, `(${pick(FILES)}:${int(1, 400)}:${int(1, 60)})`)}`,
  ];
  const longLine = () => {
    const target = int(500, 3000);
    let s = `${c16(36, 'debug')} payload={`;
    while (s.length < target) s += r() < 0.3 ? c256(int(16, 231), words(int(1, 4))) + ' ' : `"${pick(WORDS)}_${int(0, 999)}":"${hex(int(4, 30))}",`;
    return s.slice(0, target);
  };
  const progress = () => {
    const id = hex(12);
    const k = int(3, 12);
    const segs: string[] = [];
    for (let i = 1; i <= k; i++) {
      const p = Math.round((100 * i) / k);
      segs.push(`Downloading ${id} ${c256(70, '━'.repeat(Math.round(p / 5)).padEnd(20, ' '))} ${String(p).padStart(3)}% ${c256(244, `${int(1, 99)}.${int(0, 9)} MB/s`)}`);
    }
    return segs.join('\r');
  };
  const out = writer(file);
  out.add(`${ts()} ${bold(c16(36, 'Logscope bench log'))} BENCH-FIRST-LINE seed=${seed} lines=${n}\n`);
  let written = 1;
  let stepNo = 0;
  while (written < n - 1) {
    stepNo++;
    const len = Math.min(n - 1 - written, int(200, Math.min(20000, Math.max(400, Math.floor(n / 12)))));
    const gitlab = stepNo % 3 === 0;
    const name = `step_${stepNo}`;
    for (let i = 0; i < len; i++) {
      let line: string;
      if (len >= 4 && i === 0) line = gitlab ? `section_start:${1714521600 + stepNo}:${name}\r${E}0K${bold(c16(36, `$ Run step (#${stepNo})`))}` : `${ts()} ##[group]Run step (#${stepNo})`;
      else if (len >= 4 && i === len - 1) line = gitlab ? `section_end:${1714521600 + stepNo}:${name}\r${E}0K` : `${ts()} ##[endgroup]`;
      else {
        const x = r();
        line = `${ts()} ${x < 0.05 ? longLine() : x < 0.06 ? progress() : pick(normal)()}`;
      }
      out.add(line + '\n');
    }
    written += len;
  }
  out.add(`${ts()} ${bold(c16(32, 'Finishing: SUCCESS'))} BENCH-LAST-LINE lines=${n}\n`);
  return { bytes: out.close() };
}
