/** PostgreSQL part of scripts/bench-search.ts (filled in below). */
import type { LogStore } from '../lib/store/types';

export async function benchPostgres(
  _url: string,
  _jobs: number,
  _lines: number,
  _global: (name: string, store: LogStore, filled: () => Promise<void>) => Promise<void>,
): Promise<void> {
  throw new Error('not yet');
}
