/**
 * Masks benchmark: lines/s of ingestLines over 200k typical lines (plain and coloured, ~80
 * chars, one in 50 holding a secret or its base64) with 0, 1, 10, 100 mask values (each with
 * its encoded forms), in batches of 500 as the write path feeds them. A print, not a test.
 * Usage: npx tsx scripts/bench-masks.ts
 */
import { ingestLines, type RawLine } from '../lib/ingest';
import { maskMatcher } from '../lib/ingest/mask-matcher';

const LINES = 200_000;
const BATCH = 500;

function lines(secret: string): RawLine[] {
  const b64 = Buffer.from(`user:${secret}`).toString('base64');
  return Array.from({ length: LINES }, (_, i): RawLine => {
    const text =
      i % 50 === 0 ? `auth ${i % 100 === 0 ? secret : b64} for request ${i}`
        : i % 3 === 0 ? `\x1b[32m✓\x1b[0m test ${i} passed in ${i % 97} ms (src/components/module-${i % 13}/file.test.ts)`
          : `  at Object.<anonymous> (/home/runner/work/app/app/src/lib/thing-${i % 31}.ts:${i % 400}:17) line ${i}`;
    return { n: i + 1, ts: i, stream: 'out', text };
  });
}

for (const count of [0, 1, 10, 100]) {
  const masks = Array.from({ length: count }, (_, i) => `s3cr3t-value-${i}-${'x'.repeat(i % 20)}`);
  const raw = lines(masks[count - 1] ?? 'no-secret-here');
  const patterns = maskMatcher(masks).patterns.length;
  const t = process.hrtime.bigint();
  let state: unknown = null;
  let masked = 0;
  for (let i = 0; i < raw.length; i += BATCH) {
    const out = ingestLines(state, raw.slice(i, i + BATCH), masks);
    state = out.state;
    for (const l of out.lines) if (l.text.includes('***')) masked++;
  }
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`${String(count).padStart(3)} masks, ${String(patterns).padStart(5)} patterns: ${Math.round(LINES / seconds / 1000)}k lines/s, ${masked} lines masked`);
}
