/**
 * Log diff (docs/diff.md): the normalisation rules and the streaming, bounded line diff.
 * Pure: no Node API, no server-only marker; a route reads both steps from the store page by
 * page and passes the pages in, then returns a page of hunks.
 */
export { DiffReader, diffLogs, diffSymbols, MAX_DIFF_LINES, MAX_PATIENCE_DEPTH, MYERS_WORK_FLOOR, MYERS_WORK_PER_LINE, DIFF_BYTES_PER_LINE, DIFF_FIXED_BYTES } from './diff';
export type { DiffOptions, DiffPage, DiffSource } from './diff';
export { DEFAULT_HUNKS_PER_PAGE, HUNK_KINDS, LineDiff, MAX_HUNKS_PER_PAGE } from './hunks';
export type { DiffCounts, DiffHunk, DiffHunkPage, DiffSummary, HunkKind, LineDiffParts } from './hunks';
export { addedAmong, matchSteps } from './steps';
export type { StepLike, StepMatch } from './steps';
export { MAX_MYERS_EDITS } from './myers';
export { createNormaliser, explainLine, MAX_COMPARE_CHARS, MAX_READ_CHARS, NORMALISE_RULE_IDS, NORMALISE_RULES, normaliseLine } from './normalise';
export type { NormaliseRule, NormaliseRuleId } from './normalise';
