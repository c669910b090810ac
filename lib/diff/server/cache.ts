import 'server-only';
import type { LineDiff } from '../hunks';

/**
 * Finished diffs, least recently used first out, within a byte budget (docs/diff.md
 * "Serving"). A diff is kept as its hunk list (12 bytes a hunk) and summary; its key names the
 * two jobs (and when they were created: a deleted and re-created job is another), the two
 * steps, the normalisation and both steps' line counts, so a live step that grew misses and is
 * diffed again. `latest` remembers, per pair of steps and normalisation (the "slot"), the
 * last diff stored, which serves a live step while its grown diff is being computed.
 */

/** Bytes the cache may hold: about 270 diffs of two 1M-line steps differing in 1 %. */
export const DIFF_CACHE_BYTES = 64 * 1024 * 1024;
/** What an entry costs beside its hunk list: the summary, the keys, the maps' own slots. */
export const DIFF_ENTRY_OVERHEAD_BYTES = 1024;

export interface CachedDiff {
  diff: LineDiff;
  /** the head step's added error lines, once counted, and the step's error count they were counted at */
  addedErrors?: { count: number; errors: number };
}

interface Entry extends CachedDiff {
  slot: string;
  bytes: number;
}

export class DiffCache {
  private readonly entries = new Map<string, Entry>();
  private readonly latestBySlot = new Map<string, string>();
  private used = 0;

  constructor(private readonly budget: number = DIFF_CACHE_BYTES) {}

  /** The diff stored under `key`, now the most recently used. */
  get(key: string): CachedDiff | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** The last diff stored for `slot` (any line counts), if still cached. */
  latest(slot: string): CachedDiff | undefined {
    const key = this.latestBySlot.get(slot);
    return key === undefined ? undefined : this.get(key);
  }

  /**
   * Stores a diff; the slot's previous one goes (superseded), then the least recently used
   * until the budget holds. A diff larger than the whole budget is not kept.
   */
  set(key: string, slot: string, value: CachedDiff): void {
    const bytes = value.diff.bytes + DIFF_ENTRY_OVERHEAD_BYTES;
    const previous = this.latestBySlot.get(slot);
    if (previous !== undefined) this.remove(previous);
    this.remove(key);
    if (bytes > this.budget) return;
    this.entries.set(key, { ...value, slot, bytes });
    this.latestBySlot.set(slot, key);
    this.used += bytes;
    for (const [oldest] of this.entries) {
      if (this.used <= this.budget) break;
      this.remove(oldest);
    }
  }

  /** Bytes held (entries and their overhead). */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
    if (this.latestBySlot.get(entry.slot) === key) this.latestBySlot.delete(entry.slot);
  }
}
