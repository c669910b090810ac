import { NORMALISE_RULE_IDS, type NormaliseRuleId } from '../contracts/diff-names';
import { plainText } from '../ansi/plain';

/**
 * What a log line is compared as, in a diff of two runs (docs/diff.md "Normalisation"): the
 * text it shows (escapes removed, lib/ansi/plain.ts), bounded, then the noise that differs
 * between any two runs replaced by a placeholder, rule by rule in NORMALISE_RULES order.
 * The diff view still shows the real lines; only the comparison uses this.
 *
 * Linear time, whatever the line: at most MAX_READ_CHARS of a stored line are read and
 * MAX_COMPARE_CHARS of what they show are compared, and each rule is linear on its own. V8
 * runs these patterns on its backtracking engine, so each is shaped to backtrack little: a
 * match attempt starts only at a cheap anchor (a word boundary, a literal, one delimiter
 * character), and an unbounded run is either the pattern's end (nothing after it can fail)
 * or a character class that stops where the next part must start (a host before `:`, a user
 * name before `\`); other counts are small and bounded. Every pattern can also run on V8's
 * linear-time engine (no lookaround, backreference, `i` or `u` flag, small counts), which a
 * process that enabled it (lib/search/engine.ts) falls back to. normalise.test.ts checks the
 * latter and runs every rule, unbounded, on hostile 1 MB inputs.
 *
 * Placeholders are longer than some of what they replace (`1s` → `<duration>`), so a
 * normalised line may be longer than MAX_COMPARE_CHARS: at most 5 times (a 2-character match
 * becomes at most 10 characters).
 *
 * Pure: no Node API; it runs on the server, in a worker or in a browser.
 */

/** Characters of a line's visible text that are compared; the rest of a longer line is not. */
export const MAX_COMPARE_CHARS = 4096;
/**
 * Characters of a stored line read to find its visible text: room for colour escapes (5-20
 * characters each) between the visible ones. A line whose first MAX_READ_CHARS characters are
 * mostly escapes is compared on fewer visible characters; both sides are cut the same way.
 */
export const MAX_READ_CHARS = 4 * MAX_COMPARE_CHARS;

export { NORMALISE_RULE_IDS } from '../contracts/diff-names';
export type { NormaliseRuleId } from '../contracts/diff-names';

export interface NormaliseRule {
  id: NormaliseRuleId;
  /** a short label for the UI's list of rules */
  title: string;
  /** what the rule matches and what it leaves alone */
  description: string;
  /** one line before and after this rule alone (normalise.test.ts checks it) */
  example: { input: string; output: string };
  /** the rule's patterns, for the linear-engine check */
  patterns: readonly RegExp[];
  /** false when the rule can only match text holding a digit: a line without one skips it */
  needsDigit: boolean;
  apply(text: string): string;
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const FRACTION = '(?:[.,]\\d{1,9})?';

/** Where a path may start: the line start or a character that cannot be inside a path. */
const PATH_START = '(^|[\\s"\'`(\\[{<=:,;])';
/** A path's characters, up to whitespace, a quote, a bracket or a separator; nothing follows them, so no backtracking. */
const PATH_REST = '[^\\s"\'`<>()\\[\\]{},;|]*';
const UNIX_TEMP = new RegExp(`${PATH_START}(?:/tmp/|/var/tmp/|/dev/shm/|(?:/private)?/var/folders/|/home/runner/work/_temp/)${PATH_REST}`, 'g');
const WINDOWS_TEMP = new RegExp(
  `${PATH_START}[A-Za-z]:[\\\\/](?:Users[\\\\/][^\\\\/\\s"'<>|]+[\\\\/]AppData[\\\\/]Local[\\\\/]Temp|Windows[\\\\/]Temp|a[\\\\/]_temp)(?:[\\\\/]${PATH_REST})?`,
  'g',
);

const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;

const ZONE = '(?: ?(?:Z|UTC|[+-]\\d{2}(?::?\\d{2})?))?';
const ISO_DATE_TIME = new RegExp(`\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}${FRACTION})?${ZONE})?`, 'g');
const SLASH_DATE_TIME = new RegExp(`\\b\\d{4}/\\d{2}/\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}${FRACTION}${ZONE}`, 'g');
const COMPACT_DATE_TIME = /\b\d{8}T\d{6}(?:\.\d{1,9})?Z?\b/g;

const RFC2822 = new RegExp(`\\b(?:${WEEKDAY}, )?\\d{1,2} ${MONTH} \\d{4} \\d{2}:\\d{2}(?::\\d{2})?(?: (?:GMT|UTC|[+-]\\d{4}))?`, 'g');
const JS_DATE = new RegExp(`\\b${WEEKDAY} ${MONTH} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2}(?: GMT[+-]\\d{4})?(?: \\([A-Za-z ]+\\))?`, 'g');

const SYSLOG = new RegExp(`\\b(?:${WEEKDAY} )?${MONTH} [ \\d]?\\d \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?(?: (?:UTC|GMT|[A-Z]{1,2}[SD]T)\\b)?(?: \\d{4}\\b)?`, 'g');

const CLOCK = /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?Z?\b/g;

const DURATION_UNIT = '(?:ns|us|µs|ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)';
const DURATION_PART = `\\d+(?:\\.\\d+)? ?${DURATION_UNIT}`;
const DURATION = new RegExp(`\\b${DURATION_PART}(?: ?${DURATION_PART}){0,3}\\b`, 'g');

const URL_SCHEMES = '(?:https?|wss?|tcp|udp|grpcs?|postgres(?:ql)?|mysql|redis|amqps?|mongodb|nats|ftp)';
const URL_PORT = new RegExp(`\\b(${URL_SCHEMES}://(?:[^\\s/@]+@)?(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])):\\d{1,5}\\b`, 'g');
const LOCAL_PORT = /\b(localhost|127\.0\.0\.1|0\.0\.0\.0):\d{1,5}\b/g;
const LOCAL_V6_PORT = /(\[::1?\]):\d{1,5}\b/g;

const PID_WORD = /\b([Pp][Ii][Dd][ =:#]{1,2})\d{1,10}\b/g;
const PID_BRACKET = /(^|[^\w.-])([A-Za-z_][\w.-]*)\[\d{2,10}\]:/g;

/** A prefix kept before a hash (git describe's `-g`, C's `0x`), then the run of hex digits. */
const HEX = /(?:-g|0x|\b)(?:[0-9a-f]{7,}|[0-9A-F]{7,})\b/g;

const PROGRESS_BRACKET = /\[ {0,3}\d{1,9} {0,3}\/ {0,3}\d{1,9} {0,3}\]/g;
const PROGRESS_PERCENT = /(^|[\s(])\d{1,3}(?:\.\d{1,2})?%/g;
const PROGRESS_FRACTION = /(^|[\s(])\d{1,9}\/\d{1,9}\b/g;

/*
 * Each rule first checks a cheap necessary condition (a literal its patterns cannot match
 * without) and returns the text unchanged when it fails: most lines meet only a few rules.
 */
const MONTH_QUICK = new RegExp(`${MONTH} `);
const PID_QUICK = /[Pp][Ii][Dd]|\]:/;

function hasMonthTime(text: string): boolean {
  return text.includes(':') && MONTH_QUICK.test(text);
}

function hasPortHost(text: string): boolean {
  return text.includes('://') || text.includes('localhost:') || text.includes('127.0.0.1:') || text.includes('0.0.0.0:') || text.includes(']:');
}

/** Whether `text` has 7 hex digits in a row (HEX's shortest match). */
function hasHexRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigitCode(c) || isHexLetterCode(c)) {
      if (++run === 7) return true;
    } else run = 0;
  }
  return false;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexLetterCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexToken(match: string): string {
  const prefix = match.startsWith('-g') || match.startsWith('0x') ? match.slice(0, 2) : '';
  let digit = false;
  let letter = false;
  for (let i = prefix.length; i < match.length && !(digit && letter); i++) {
    const c = match.charCodeAt(i);
    if (isDigitCode(c)) digit = true;
    else if (isHexLetterCode(c)) letter = true;
  }
  return digit && letter ? `${prefix}<hash>` : match;
}

function fraction(match: string, before: string, offset: number, text: string): string {
  // `1/2/2024` and `3/4.5` are not counters: the character after the match must not continue it.
  const next = text.charCodeAt(offset + match.length);
  return next === 0x2f || next === 0x2e ? match : `${before}<n>/<n>`;
}

function replaceAll(text: string, patterns: readonly RegExp[], replacement: string): string {
  let out = text;
  for (const pattern of patterns) out = out.replace(pattern, replacement);
  return out;
}

export const NORMALISE_RULES: readonly NormaliseRule[] = [
  {
    id: 'temp-path',
    title: 'Temporary paths',
    description:
      'A path under /tmp/, /var/tmp/, /dev/shm/, macOS /var/folders/ (also /private/var/folders/), the GitHub runner\'s /home/runner/work/_temp/, Windows C:\\Users\\…\\AppData\\Local\\Temp, C:\\Windows\\Temp or D:\\a\\_temp, up to the next space, quote, bracket, comma or semicolon, becomes <tmp>. It must start a word (after a space, quote, bracket, = or :): /home/me/tmp/x is kept.',
    example: { input: "wrote /tmp/tmp.Xa3bc9/out.json and C:\\Users\\RUNNER~1\\AppData\\Local\\Temp\\x1\\a.txt", output: 'wrote <tmp> and <tmp>' },
    patterns: [UNIX_TEMP, WINDOWS_TEMP],
    needsDigit: false,
    apply: (text) =>
      text.includes('/tmp/') || text.includes('/var/') || text.includes('/dev/shm/') || text.includes('_temp') || text.includes('Temp')
        ? replaceAll(text, [UNIX_TEMP, WINDOWS_TEMP], '$1<tmp>')
        : text,
  },
  {
    id: 'timestamp-iso',
    title: 'ISO-8601 timestamps',
    description:
      'ISO-8601 and RFC 3339 dates and date-times (2024-01-02, 2024-01-02T03:04:05Z, 2024-01-02 03:04:05,123 +01:00, up to 9 fraction digits, so GitHub Actions\' 2024-01-02T03:04:05.1234567Z prefix too), Go\'s log 2024/01/02 03:04:05 and the compact 20240102T030405Z become <ts>.',
    example: { input: '2024-01-02T03:04:05.1234567Z Run npm ci', output: '<ts> Run npm ci' },
    patterns: [ISO_DATE_TIME, SLASH_DATE_TIME, COMPACT_DATE_TIME],
    needsDigit: true,
    apply: (text) => (text.includes('-') || text.includes('/') || text.includes('T') ? replaceAll(text, [ISO_DATE_TIME, SLASH_DATE_TIME, COMPACT_DATE_TIME], '<ts>') : text),
  },
  {
    id: 'timestamp-rfc2822',
    title: 'RFC 2822 and HTTP dates',
    description: 'RFC 2822 / HTTP dates (Tue, 02 Jan 2024 03:04:05 GMT) and JavaScript\'s Date string (Tue Jan 02 2024 03:04:05 GMT+0000 (Coordinated Universal Time)) become <ts>.',
    example: { input: 'Date: Tue, 02 Jan 2024 03:04:05 GMT', output: 'Date: <ts>' },
    patterns: [RFC2822, JS_DATE],
    needsDigit: true,
    apply: (text) => (hasMonthTime(text) ? replaceAll(text, [RFC2822, JS_DATE], '<ts>') : text),
  },
  {
    id: 'timestamp-syslog',
    title: 'Syslog timestamps',
    description: 'Syslog\'s Jan  2 03:04:05 and date(1)\'s Tue Jan  2 03:04:05 UTC 2024 (a weekday, a zone like UTC or CEST and a year are optional) become <ts>.',
    example: { input: 'Jan  2 03:04:05 runner sshd[812]: Accepted key', output: '<ts> runner sshd[812]: Accepted key' },
    patterns: [SYSLOG],
    needsDigit: true,
    apply: (text) => (hasMonthTime(text) ? text.replace(SYSLOG, '<ts>') : text),
  },
  {
    id: 'timestamp-clock',
    title: 'Times of day and elapsed times',
    description:
      'H:MM:SS or HH:MM:SS with an optional fraction (03:04:05, [03:04:05.123], 3:04:05,123) becomes <time>. An elapsed time such as 00:01:02 has the same shape and is taken by this rule too. A file:line:col location (a.go:12:3) has only two numbers and is kept.',
    example: { input: '[03:04:05.123] step 2 took 00:01:02', output: '[<time>] step 2 took <time>' },
    patterns: [CLOCK],
    needsDigit: true,
    apply: (text) => (text.includes(':') ? text.replace(CLOCK, '<time>') : text),
  },
  {
    id: 'uuid',
    title: 'UUIDs',
    description: 'A UUID (8-4-4-4-12 hex digits, either case) becomes <uuid>.',
    example: { input: 'request 123e4567-e89b-12d3-a456-426614174000 done', output: 'request <uuid> done' },
    patterns: [UUID],
    needsDigit: true,
    apply: (text) => (text.includes('-') ? text.replace(UUID, '<uuid>') : text),
  },
  {
    id: 'duration',
    title: 'Durations',
    description:
      'A number with a time unit (ns, us, µs, ms, s, sec(s), second(s), m, min(s), minute(s), h, hr(s), hour(s); lower case, an optional space before the unit), up to four in a row (1m 2s, 1h2m3.5s, 0m1.234s), becomes <duration>. The unit must end the word: 1st, 3 users and 12mb are kept.',
    example: { input: 'Ran 12 tests in 1.23s (setup 12ms, total 1m 2s)', output: 'Ran 12 tests in <duration> (setup <duration>, total <duration>)' },
    patterns: [DURATION],
    needsDigit: true,
    apply: (text) => text.replace(DURATION, '<duration>'),
  },
  {
    id: 'url-port',
    title: 'Ports in URLs',
    description:
      'The port of a URL (http, https, ws, wss, tcp, udp, grpc, postgres, mysql, redis, amqp, mongodb, nats, ftp) and of localhost, 127.0.0.1, 0.0.0.0, [::1] and [::] becomes <port>; the host stays. Every port is replaced, fixed ones too: both runs use the same, so nothing is lost but a change of port.',
    example: { input: 'listening on http://localhost:41234/ and 127.0.0.1:5173', output: 'listening on http://localhost:<port>/ and 127.0.0.1:<port>' },
    patterns: [URL_PORT, LOCAL_PORT, LOCAL_V6_PORT],
    needsDigit: true,
    apply: (text) => (hasPortHost(text) ? replaceAll(text, [URL_PORT, LOCAL_PORT, LOCAL_V6_PORT], '$1:<port>') : text),
  },
  {
    id: 'pid',
    title: 'Process ids',
    description:
      'The number after the word pid (any case, then space, =, : or #: pid 1234, PID=1234, (pid: 1234)) and the bracketed number after a process name followed by a colon, as syslog writes it (sshd[1234]:, at least two digits), become <pid>. Other bracketed numbers (test_x[1], args[0]) are kept.',
    example: { input: 'worker exited (pid 4121); sshd[812]: closed', output: 'worker exited (pid <pid>); sshd[<pid>]: closed' },
    patterns: [PID_WORD, PID_BRACKET],
    needsDigit: true,
    apply: (text) => (PID_QUICK.test(text) ? text.replace(PID_WORD, '$1<pid>').replace(PID_BRACKET, '$1$2[<pid>]:') : text),
  },
  {
    id: 'hex-hash',
    title: 'Hashes and addresses',
    description:
      'A word of 7 or more hex digits, all lower or all upper case, holding at least one digit and one letter (a git SHA, a short SHA, a SHA-256, a docker image id) becomes <hash>; after git describe\'s -g or C\'s 0x the prefix stays. Words without a digit (deadbeef, facade) or without a letter (1234567) are kept, and so are mixed-case words.',
    example: { input: 'HEAD is now at 3f2a9c1 (v1.2.3-4-gabc1234), ptr 0x7ffd5e8c3a10', output: 'HEAD is now at <hash> (v1.2.3-4-g<hash>), ptr 0x<hash>' },
    patterns: [HEX],
    needsDigit: true,
    apply: (text) => (hasHexRun(text) ? text.replace(HEX, hexToken) : text),
  },
  {
    id: 'progress',
    title: 'Progress counters',
    description:
      'A bracketed counter ([3/10], [ 3/10]) becomes [<n>/<n>]; a count N/M after a space, a bracket or the line start (12/340) becomes <n>/<n>, unless a / or . follows (1/2/2024); a percentage after a space, a bracket or the line start ( 45%, (99.5%)) becomes <pct>. A changed coverage percentage is hidden by it too.',
    example: { input: '[3/10] Building 12/340 objects  45%', output: '[<n>/<n>] Building <n>/<n> objects  <pct>' },
    patterns: [PROGRESS_BRACKET, PROGRESS_PERCENT, PROGRESS_FRACTION],
    needsDigit: true,
    apply: (text) =>
      text.includes('/') || text.includes('%')
        ? text.replace(PROGRESS_BRACKET, '[<n>/<n>]').replace(PROGRESS_PERCENT, '$1<pct>').replace(PROGRESS_FRACTION, fraction)
        : text,
  },
];

const HAS_DIGIT = /\d/;

/** The visible text of a stored line's first MAX_READ_CHARS characters, at most MAX_COMPARE_CHARS of it. */
export function visibleForCompare(text: string): string {
  const visible = plainText(text.length > MAX_READ_CHARS ? text.slice(0, MAX_READ_CHARS) : text);
  return visible.length > MAX_COMPARE_CHARS ? visible.slice(0, MAX_COMPARE_CHARS) : visible;
}

/** Applies `rules` in order to text that is already visible and bounded. */
function applyRules(rules: readonly NormaliseRule[], visible: string): string {
  const digits = HAS_DIGIT.test(visible);
  let out = visible;
  for (const rule of rules) if (digits || !rule.needsDigit) out = rule.apply(out);
  return out;
}

/** Normalises a stored line with the rules named by `ids` (all of them, in their fixed order, by default). */
export function createNormaliser(ids: readonly NormaliseRuleId[] = NORMALISE_RULE_IDS): (text: string) => string {
  const wanted = new Set(ids);
  const rules = NORMALISE_RULES.filter((rule) => wanted.has(rule.id));
  return (text) => applyRules(rules, visibleForCompare(text));
}

/** A stored line as a diff compares it: visible, bounded, every rule applied. */
export const normaliseLine: (text: string) => string = createNormaliser();

/** The normalised line and the ids of the rules that changed it, in order (for the UI's "why equal"). */
export function explainLine(text: string): { text: string; rules: NormaliseRuleId[] } {
  let out = visibleForCompare(text);
  const digits = HAS_DIGIT.test(out);
  const fired: NormaliseRuleId[] = [];
  for (const rule of NORMALISE_RULES) {
    if (!digits && rule.needsDigit) continue;
    const next = rule.apply(out);
    if (next !== out) fired.push(rule.id);
    out = next;
  }
  return { text: out, rules: fired };
}
