import type { HunkBuilder } from './hunks';

/**
 * Myers' greedy shortest edit script ("An O(ND) Difference Algorithm", 1986) between two
 * ranges of symbols, bounded: it gives up (and emits nothing) once the script would need more
 * than `maxEdits` edits or the shared work budget runs out, and the caller reports the region
 * as replaced. Time O((n+m)·D); memory O(D²) small integers for the trace of the furthest
 * points (D ≤ MAX_MYERS_EDITS), reused across calls through MyersScratch.
 */

/** Edits one Myers run may need; past it the region is not aligned this way. Its trace is ≤ (D+1)(D+2)/2 integers (2 MB at 1,024). */
export const MAX_MYERS_EDITS = 1024;

/** Buffers reused by every call of one diff, and its remaining work (diagonal steps plus snake steps). */
export class MyersScratch {
  v = new Int32Array(0);
  trace = new Int32Array(0);
  moves = new Int32Array(0);

  constructor(public work: number) {}

  ensure(maxD: number): void {
    if (this.v.length < 2 * maxD + 3) this.v = new Int32Array(2 * maxD + 3);
    const traceSize = ((maxD + 1) * (maxD + 2)) / 2;
    if (this.trace.length < traceSize) this.trace = new Int32Array(traceSize);
    if (this.moves.length < 3 * maxD) this.moves = new Int32Array(3 * maxD);
  }
}

/** Where the furthest points of edit count d start in the trace: d(d+1)/2 (d+1 diagonals each). */
const traceBase = (d: number): number => (d * (d + 1)) / 2;

/**
 * Aligns a[a0, a1) with b[b0, b1) and emits the edits into `out`; false (nothing emitted)
 * when over `maxEdits` or the budget. Ranges are assumed trimmed of equal ends by the caller,
 * but need not be.
 */
export function myers(a: Int32Array, a0: number, a1: number, b: Int32Array, b0: number, b1: number, maxEdits: number, scratch: MyersScratch, out: HunkBuilder): boolean {
  const n = a1 - a0;
  const m = b1 - b0;
  const maxD = Math.min(n + m, maxEdits);
  scratch.ensure(maxD);
  const { v, trace } = scratch;
  const off = maxD + 1;
  v[off + 1] = 0;
  let found = -1;
  for (let d = 0; d <= maxD && found < 0; d++) {
    if (scratch.work <= 0) return false;
    scratch.work -= d + 1;
    const base = traceBase(d);
    for (let k = -d; k <= d; k += 2) {
      const left = v[off + k - 1] ?? 0;
      const right = v[off + k + 1] ?? 0;
      let x = k === -d || (k !== d && left < right) ? right : left + 1;
      let y = x - k;
      const start = x;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      scratch.work -= x - start;
      v[off + k] = x;
      trace[base + ((k + d) >> 1)] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;

  // Walk back from (n, m): each edit count d was reached by one edit from d-1's furthest
  // point, then a snake. Record (x, y, inserted) of every edit, last first.
  const { moves } = scratch;
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const k = x - y;
    const prev = traceBase(d - 1);
    const at = (kk: number): number => trace[prev + ((kk + d - 1) >> 1)] ?? 0;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    const i = 3 * (d - 1);
    moves[i] = prevX;
    moves[i + 1] = prevY;
    moves[i + 2] = down ? 1 : 0;
    x = prevX;
    y = prevY;
  }
  let cx = 0;
  for (let d = 0; d < found; d++) {
    const ex = moves[3 * d] ?? 0;
    const inserted = moves[3 * d + 2] === 1;
    out.equal(ex - cx);
    if (inserted) {
      out.added(1);
      cx = ex;
    } else {
      out.removed(1);
      cx = ex + 1;
    }
  }
  out.equal(n - cx);
  return true;
}
