/**
 * `npm run bench -- diff`: lib/diff on two runs of a CI-like log (lib/diff/test-logs.ts),
 * streamed in pages of 1,000 lines: lines that differ only in timestamps, durations, hashes,
 * ports, PIDs, temp paths, progress and colours, and 0.1 % or 1 % of lines changed for real.
 * Prints the time, the peak memory (heap + typed arrays, sampled at every page) and the
 * counts. Figures only: it never passes or fails on them. The baseline is taken after a full
 * GC (MemorySampler); garbage made during the run counts until V8 collects it.
 * The corpus part reads LOGSCOPE_CORPUS (test/support/corpus.ts) and skips when it is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffLogs, DIFF_BYTES_PER_LINE, DIFF_FIXED_BYTES, explainLine, type NormaliseRuleId } from '../lib/diff';
import { changedLines, ciLog, MemorySampler } from '../lib/diff/test-logs';
import { runBench } from '../test/support/bench';
import { CORPUS_ABSENT, CORPUS_DIR, corpusPresent } from '../test/support/corpus';

const MiB = 1024 * 1024;
const CASES = [
  { lines: 100_000, changeEvery: 1000, label: '0.1 %' },
  { lines: 1_000_000, changeEvery: 1000, label: '0.1 %' },
  { lines: 1_000_000, changeEvery: 100, label: '1 %' },
];

async function main(): Promise<void> {
  // `--corpus-only`: only the corpus count (seconds, not minutes).
  if (process.argv.includes('--corpus-only')) return corpusNoise();
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
  corpusNoise();
}

/**
 * The corpus holds one run of each log, not two, so this counts what normalisation rewrites
 * in each: the lines that carry run-to-run noise, which a raw diff of two runs would show as
 * changed even where nothing changed (an upper bound: a rewritten part may happen to be equal).
 */
function corpusNoise(): void {
  if (!corpusPresent()) {
    console.log(`\ncorpus: ${CORPUS_ABSENT}, skipped`);
    return;
  }
  let lines = 0;
  let rewritten = 0;
  const byRule = new Map<NormaliseRuleId, number>();
  for (const file of readdirSync(CORPUS_DIR).filter((f) => !f.endsWith('.md'))) {
    for (const line of readFileSync(path.join(CORPUS_DIR, file), 'utf8').split('\n')) {
      lines++;
      const { rules } = explainLine(line);
      if (rules.length > 0) rewritten++;
      for (const rule of rules) byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
  }
  const rules = [...byRule].map(([rule, count]) => `${rule} ${count.toLocaleString('en')}`).join(', ');
  console.log(`\ncorpus: normalisation rewrites ${rewritten.toLocaleString('en')} of ${lines.toLocaleString('en')} lines (${((100 * rewritten) / lines).toFixed(0)} %); lines per rule: ${rules}`);
}

runBench(main);
