/**
 * `npm run bench -- diff`: lib/diff on two runs of a CI-like log (lib/diff/test-logs.ts),
 * streamed in pages of 1,000 lines: lines that differ only in timestamps, durations, hashes,
 * ports, PIDs, temp paths, progress and colours, and 0.1 % or 1 % of lines changed for real.
 * Prints the time, the peak memory (heap + typed arrays, sampled at every page) and the
 * counts. Figures only: it never passes or fails on them. Run with --expose-gc for a cleaner
 * baseline (scripts/bench.ts does not; the figures then include some garbage).
 */
import { diffLogs, DIFF_BYTES_PER_LINE, DIFF_FIXED_BYTES } from '../lib/diff';
import { changedLines, ciLog, MemorySampler } from '../lib/diff/test-logs';
import { runBench } from '../test/support/bench';

const MiB = 1024 * 1024;
const CASES = [
  { lines: 100_000, changeEvery: 1000, label: '0.1 %' },
  { lines: 1_000_000, changeEvery: 1000, label: '0.1 %' },
  { lines: 1_000_000, changeEvery: 100, label: '1 %' },
];

async function main(): Promise<void> {
  console.log('| lines per side | changed | time (CPU) | lines/s by CPU (both sides) | peak heap delta | bound | added / removed / unchanged | hunks | replaced regions |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  // Wall time and CPU time both: on a loaded machine the wall clock mostly measures the others.
  for (const { lines, changeEvery, label } of CASES) {
    const memory = new MemorySampler();
    const onPage = () => memory.sample();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const diff = await diffLogs(ciLog({ lines, side: 'base', changeEvery, onPage }), ciLog({ lines, side: 'head', changeEvery, onPage }));
    memory.sample();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const { added, removed, unchanged } = diff.summary.counts;
    const bound = (DIFF_BYTES_PER_LINE * 2 * lines + DIFF_FIXED_BYTES) / MiB;
    const expected = changedLines(lines, changeEvery);
    console.log(
      `| ${lines.toLocaleString('en')} | ${label} (${expected}) | ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s) | ${Math.round((2 * lines) / cpuSeconds).toLocaleString('en')} | ${(memory.delta / MiB).toFixed(0)} MiB | ${bound.toFixed(0)} MiB | ${added} / ${removed} / ${unchanged} | ${diff.total} | ${diff.summary.replacedRegions} |`,
    );
  }
  // The same 100k-line runs compared as raw text: what a plain `diff` of the two downloads sees.
  const raw = await diffLogs(ciLog({ lines: 100_000, side: 'base', changeEvery: 1000 }), ciLog({ lines: 100_000, side: 'head', changeEvery: 1000 }), { normalise: (text) => text });
  console.log(`\nwithout normalisation (100,000 lines, 0.1 % changed): ${raw.summary.counts.unchanged.toLocaleString('en')} lines equal, ${raw.summary.counts.removed.toLocaleString('en')} removed, ${raw.summary.counts.added.toLocaleString('en')} added, ${raw.summary.replacedRegions} regions replaced`);
  console.log(`max RSS of the process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

runBench(main);
