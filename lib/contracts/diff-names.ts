/**
 * The diff API's names and page sizes (docs/api.md "Diff"), without zod: lib/diff (pure, for
 * a worker or a browser) takes them from here, and diff.ts's schemas check against them.
 */

/** The normalisation rules' ids, in the order they run (lib/diff/normalise.ts defines each rule). */
export const NORMALISE_RULE_IDS = [
  'temp-path',
  'timestamp-iso',
  'timestamp-rfc2822',
  'timestamp-syslog',
  'timestamp-clock',
  'uuid',
  'duration',
  'url-port',
  'pid',
  'hex-hash',
  'progress',
] as const;
export type NormaliseRuleId = (typeof NORMALISE_RULE_IDS)[number];

export const HUNK_KINDS = ['equal', 'added', 'removed', 'changed'] as const;
export type HunkKind = (typeof HUNK_KINDS)[number];

/** Hunks a page holds when the caller does not say. */
export const DEFAULT_HUNKS_PER_PAGE = 100;
/** The most hunks one page holds, whatever the caller asks (a page is a bounded reply). */
export const MAX_HUNKS_PER_PAGE = 1000;
