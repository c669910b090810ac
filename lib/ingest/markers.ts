import 'server-only';
/**
 * In-band group markers (docs/api.md), recognised per line:
 * - GitHub `::group::NAME` / `::endgroup::` and the runner's `##[group]NAME` / `##[endgroup]`,
 *   at the start of the visible text, optionally behind the ISO timestamp that GitHub's log
 *   download puts in front of every line;
 * - GitLab `section_start:TS:NAME[opts]` / `section_end:TS:NAME` (and Travis
 *   `travis_fold:start:NAME` / `travis_fold:end:NAME`), found in the raw text because the
 *   `\r ESC[0K` that follows erases them from the visible line; several may share a line;
 *   each must start the line or follow a `\r`, possibly behind CSI codes (so an echoed
 *   command mentioning one is not a marker);
 * - Buildkite `--- NAME`, `+++ NAME` (expanded), `~~~ NAME` (collapsed) and `^^^ +++`
 *   (expand the current group), on the visible text after the APC timestamp is stripped.
 *   Look-alikes (`---`, `--- `, `---- x ----`, `+++-===`) are not markers. The raw line must
 *   start with the marker too, behind nothing but Buildkite's own timestamps
 *   (`buildkiteAtLineStart`): a coloured `ESC[1m--- a/x` (git diff --color) is text.
 * Which of these count in a step is decided by its dialect (dialects.ts).
 */

/** Group names longer than this are cut (the step/group name cap of the contracts). */
export const MAX_GROUP_NAME_CHARS = 200;

export type SectionMarker =
  | { kind: 'section-start'; dialect: 'gitlab' | 'travis'; name: string; ts: number | null; collapsed?: boolean }
  | { kind: 'section-end'; dialect: 'gitlab' | 'travis'; name: string; ts: number | null };

export type LineMarker =
  | { kind: 'github-start'; name: string }
  | { kind: 'github-end' }
  | { kind: 'buildkite-start'; mark: '---' | '+++' | '~~~'; name: string; collapsed: boolean }
  | { kind: 'buildkite-expand' };

const SECTION =
  /(?:^|\r)(?:\x1b\[[0-9;]{0,16}[A-Za-z]){0,8}(?:section_(start|end):(\d{1,13}):([A-Za-z0-9_.-]{1,200})(?:\[([^\]\r\n\x1b]{0,200})\])?|travis_fold:(start|end):([A-Za-z0-9_.-]{1,200}))/g;

const NONE: readonly SectionMarker[] = [];

export function findSectionMarkers(raw: string): readonly SectionMarker[] {
  if (!raw.includes('section_') && !raw.includes('travis_fold:')) return NONE;
  const out: SectionMarker[] = [];
  for (const m of raw.matchAll(SECTION)) {
    const gitlab = m[1];
    const type = gitlab ?? m[5];
    const name = (gitlab ? m[3] : m[6]) ?? '';
    const ts = gitlab ? Number(m[2]) * 1000 : null;
    const dialect = gitlab ? 'gitlab' : 'travis';
    if (type === 'start') {
      const marker: SectionMarker = { kind: 'section-start', dialect, name, ts };
      const collapsed = gitlab ? parseCollapsed(m[4]) : undefined;
      if (collapsed !== undefined) marker.collapsed = collapsed;
      out.push(marker);
    } else {
      out.push({ kind: 'section-end', dialect, name, ts });
    }
  }
  return out;
}

function parseCollapsed(options: string | undefined): boolean | undefined {
  if (!options) return undefined;
  for (const option of options.split(',')) {
    const [key, value] = option.split('=');
    if (key?.trim() === 'collapsed') return value?.trim() === 'true';
  }
  return undefined;
}

const GITHUB_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z /;
const GITHUB = /^(?:::group::|##\[group\])(.*)$|^(?:::endgroup::|##\[endgroup\])\s*$/;
const BUILDKITE = /^(---|\+\+\+|~~~) +(\S.*)$/;
const BUILDKITE_EXPAND = /^\^\^\^ \+\+\+\s*$/;

export function findLineMarker(visible: string): LineMarker | null {
  const first = visible.charCodeAt(0);
  // cheap reject: markers start with ':', '#', '-', '+', '~', '^' or a digit (timestamp)
  if (!(first === 0x3a || first === 0x23 || first === 0x2d || first === 0x2b || first === 0x7e || first === 0x5e || (first >= 0x30 && first <= 0x39))) {
    return null;
  }
  const stamp = GITHUB_TIMESTAMP.exec(visible);
  const text = stamp ? visible.slice(stamp[0].length) : visible;
  const gh = GITHUB.exec(text);
  if (gh) {
    if (gh[1] === undefined) return { kind: 'github-end' };
    return { kind: 'github-start', name: cleanName(gh[1]) || 'group' };
  }
  if (stamp) return null;
  const bk = BUILDKITE.exec(text);
  if (bk) {
    const name = cleanName(bk[2] ?? '');
    const mark = bk[1] === '+++' ? '+++' : bk[1] === '~~~' ? '~~~' : '---';
    if (name) return { kind: 'buildkite-start', mark, name, collapsed: mark !== '+++' };
  }
  if (BUILDKITE_EXPAND.test(text)) return { kind: 'buildkite-expand' };
  return null;
}

/** Buildkite's APC timestamps (`ESC_bk;t=MS` ended by BEL or ST), the only thing allowed before its markers. */
const BUILDKITE_STAMPS = /^(?:\x1b_bk;t=\d{1,15}(?:\x07|\x1b\\))*/;

/**
 * The raw line starts with a Buildkite marker's first character behind nothing but
 * Buildkite timestamps: no colour, cursor move, `\r` or other escape before it (as the
 * agent writes them; a tool that colours its `---` is printing text).
 */
export function buildkiteAtLineStart(raw: string): boolean {
  const at = BUILDKITE_STAMPS.exec(raw)?.[0].length ?? 0;
  const c = raw.charCodeAt(at);
  return c === 0x2d || c === 0x2b || c === 0x7e || c === 0x5e; // - + ~ ^
}

export function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length <= MAX_GROUP_NAME_CHARS) return trimmed;
  const cut = trimmed.slice(0, MAX_GROUP_NAME_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut; // never half a surrogate pair
}
