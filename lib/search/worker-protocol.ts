import 'server-only';
import type { BlockResult } from './match-block';
import type { CompiledQuery } from './pattern';
import type { ScanSegment, SidecarScanResult } from './sidecar-scan';

/**
 * Request thread → search worker: match `texts` (stored line texts) until `deadline` (ms since the
 * epoch), or (`segments`) scan step sidecars, keeping `want` hits after the first `skip` (absent: 0).
 */
export type WorkerRequest =
  | { id: number; kind?: 'texts'; query: CompiledQuery; texts: string[]; deadline: number }
  | { id: number; kind: 'sidecars'; query: CompiledQuery; segments: ScanSegment[]; want: number; skip?: number; deadline: number };

/** Search worker → request thread: one reply per request, in order. */
export type WorkerReply =
  | { id: number; ok: true; result: BlockResult | SidecarScanResult }
  | { id: number; ok: false; message: string };
