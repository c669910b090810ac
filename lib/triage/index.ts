/** Error-line recognition (docs/triage.md): pure, bounded, linear; runs at ingest, in a worker or in a browser. */
export { classifyLine, initialTriageState, MAX_BLOCK_LINES, RULE_IDS } from './rules';
export type { BlockKind, ClassifyContext, ClassifyInput, ErrorMatch, RuleId, TriageState } from './rules';
export { MAX_CLASSIFY_CHARS } from './scan';
export { createErrorIndex, MAX_ERRORS_PER_STEP, parseErrorIndex } from './error-index';
export type { ErrorEntry, ErrorIndex, ErrorIndexJson } from './error-index';
export { errorSummary, errorsPage, firstJobError } from './summary';
