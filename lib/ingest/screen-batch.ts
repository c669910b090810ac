import 'server-only';
import type { IngestOptions, IngestOutput, RawLine } from './index';
import type { IngestState } from './state';

/** A batch that reads or changes rows of the screen (lib/ansi/screen.ts). */
export function ingestWithScreen(st: IngestState, lines: readonly RawLine[], masks: readonly string[], options: IngestOptions, rows: number): IngestOutput {
  void st;
  void lines;
  void masks;
  void options;
  void rows;
  throw new Error('screen ingest: not yet');
}
