import 'server-only';
import { plainText } from '../ansi/plain';
import { matcherFor, type Matcher, type Range } from './matcher';
import type { CompiledQuery } from './pattern';
import { PreparedQuery } from './sidecar-scan';

/** How often (in lines) a block checks the search's deadline: a block of long lines can take a while. */
const CLOCK_CHECK_LINES = 256;

/** A matching line of a block: its index in the block and its ranges in the plain text. */
export type BlockHit = [index: number, ranges: Range[]];

export interface BlockResult {
  /** lines of the block looked at: fewer than sent when the deadline came first */
  scanned: number;
  hits: BlockHit[];
}

/** Matches a block of stored line texts (escapes are stripped here, it is part of the work) until `deadline` (ms since the epoch). */
export function matchBlock(matcher: Matcher, texts: readonly string[], deadline: number, now: () => number = Date.now): BlockResult {
  const hits: BlockHit[] = [];
  let scanned = 0;
  for (const text of texts) {
    if (scanned % CLOCK_CHECK_LINES === CLOCK_CHECK_LINES - 1 && now() >= deadline) break;
    const ranges = matcher(plainText(text));
    if (ranges) hits.push([scanned, ranges]);
    scanned++;
  }
  return { scanned, hits };
}

/** One compiled matcher kept per query: a search sends the same query with every block. */
export class MatcherCache {
  private key = '';
  private matcher: Matcher | null = null;
  private preparedKey = '';
  private preparedQuery: PreparedQuery | null = null;

  get(query: CompiledQuery): Matcher {
    const key = JSON.stringify(query);
    if (this.matcher === null || key !== this.key) {
      this.matcher = matcherFor(query);
      this.key = key;
    }
    return this.matcher;
  }

  /** The query as a sidecar scan needs it (sidecar-scan.ts). */
  prepared(query: CompiledQuery): PreparedQuery {
    const key = JSON.stringify(query);
    if (this.preparedQuery === null || key !== this.preparedKey) {
      this.preparedQuery = new PreparedQuery(query);
      this.preparedKey = key;
    }
    return this.preparedQuery;
  }
}
