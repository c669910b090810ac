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
 *   Look-alikes (`---`, `--- `, `---- x ----`, `+++-===`) are not markers.
 */

/** Group names longer than this are cut (the step/group name cap of the contracts). */
export const MAX_GROUP_NAME_CHARS = 200;

export type SectionMarker =
  | { kind: 'section-start'; name: string; ts: number | null; collapsed?: boolean }
  | { kind: 'section-end'; name: string; ts: number | null };

export type LineMarker =
  | { kind: 'github-start'; name: string }
  | { kind: 'github-end' }
  | { kind: 'buildkite-start'; name: string; collapsed: boolean }
  | { kind: 'buildkite-expand' };

const SECTION =
  /(?:^|\r)(?:\x1b\[[0-9;]{0,16}[A-Za-z]){0,8}(?:section_(start|end):(\d{1,13}):([A-Za-z0-9_.-]{1,200})(?:\[([^\]\r\n\x1b]{0,200})\])?|travis_fold:(start|end):([A-Za-z0-9_.-]{1,200}))/g;

export function findSectionMarkers(raw: string): SectionMarker[] {
  if (!raw.includes('section_') && !raw.includes('travis_fold:')) return [];
  const out: SectionMarker[] = [];
  for (const m of raw.matchAll(SECTION)) {
    const gitlab = m[1];
    const type = gitlab ?? m[5];
    const name = (gitlab ? m[3] : m[6]) ?? '';
    const ts = gitlab ? Number(m[2]) * 1000 : null;
    if (type === 'start') {
      const marker: SectionMarker = { kind: 'section-start', name, ts };
      const collapsed = gitlab ? parseCollapsed(m[4]) : undefined;
      if (collapsed !== undefined) marker.collapsed = collapsed;
      out.push(marker);
    } else {
      out.push({ kind: 'section-end', name, ts });
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
    if (name) return { kind: 'buildkite-start', name, collapsed: bk[1] !== '+++' };
  }
  if (BUILDKITE_EXPAND.test(text)) return { kind: 'buildkite-expand' };
  return null;
}

export function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length <= MAX_GROUP_NAME_CHARS) return trimmed;
  const cut = trimmed.slice(0, MAX_GROUP_NAME_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut; // never half a surrogate pair
}
