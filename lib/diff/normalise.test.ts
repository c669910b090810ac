import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsInLinearTime } from '../search/engine';
import {
  createNormaliser,
  explainLine,
  MAX_COMPARE_CHARS,
  MAX_READ_CHARS,
  NORMALISE_RULE_IDS,
  NORMALISE_RULES,
  normaliseLine,
  type NormaliseRule,
  type NormaliseRuleId,
} from './normalise';

const ESC = '\x1b';

function ruleById(id: NormaliseRuleId): NormaliseRule {
  const rule = NORMALISE_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
}

/** Per rule: lines it rewrites (input → output, this rule alone) and lines it must leave alone. */
const TABLE: Record<NormaliseRuleId, { rewrites: [string, string][]; keeps: string[] }> = {
  'temp-path': {
    rewrites: [
      ['cd /tmp/tmp.Xa3bc9', 'cd <tmp>'],
      ["open '/var/folders/x7/k2j3h4_n5m6/T/jest_dx/a.snap'", "open '<tmp>'"],
      ['at /private/var/folders/x7/T/a.js:12:3', 'at <tmp>'],
      ['FILE=/var/tmp/build-123/out.log,', 'FILE=<tmp>,'],
      ['(/home/runner/work/_temp/8f1e.sh)', '(<tmp>)'],
      ['C:\\Users\\RUNNER~1\\AppData\\Local\\Temp\\tmpab12.txt done', '<tmp> done'],
      ['D:\\a\\_temp\\1234.ps1', '<tmp>'],
      ['c:/Users/me/AppData/Local/Temp/x', '<tmp>'],
      ['/tmp/a /tmp/b', '<tmp> <tmp>'],
    ],
    keeps: ['/home/me/tmp/x', 'cd /tmp', 'C:\\Users\\me\\Documents\\a.txt', 'src/tmp/file.ts', 'http://x/tmp/y'],
  },
  uuid: {
    rewrites: [
      ['id=123e4567-e89b-12d3-a456-426614174000', 'id=<uuid>'],
      ['{123E4567-E89B-12D3-A456-426614174000}', '{<uuid>}'],
    ],
    keeps: ['123e4567-e89b-12d3-a456-42661417400', '123e4567-e89b-12d3-a456-4266141740001', 'x123e4567-e89b-12d3-a456-426614174000', '2024-01-02-03'],
  },
  'timestamp-iso': {
    rewrites: [
      ['2024-01-02T03:04:05.1234567Z ##[group]Run actions/checkout@v4', '<ts> ##[group]Run actions/checkout@v4'],
      ['at 2024-01-02T03:04:05Z.', 'at <ts>.'],
      ['2024-01-02T03:04:05+01:00 x', '<ts> x'],
      ['2024-01-02 03:04:05,123 INFO start', '<ts> INFO start'],
      ['2024-01-02 03:04:05.123456 +0100 x', '<ts> x'],
      ['2024-01-02 03:04 UTC', '<ts>'],
      ['released 2024-01-02', 'released <ts>'],
      ['2024/01/02 03:04:05 listening', '<ts> listening'],
      ['build-20240102T030405Z.tar', 'build-<ts>.tar'],
    ],
    keeps: ['v2024-01-02', '1.2024-01', '2024/01/02', '12024-01-02x', '2024-1-2'],
  },
  'timestamp-rfc2822': {
    rewrites: [
      ['Date: Tue, 02 Jan 2024 03:04:05 GMT', 'Date: <ts>'],
      ['2 Jan 2024 03:04 +0100', '<ts>'],
      ['at Tue Jan 02 2024 03:04:05 GMT+0000 (Coordinated Universal Time).', 'at <ts>.'],
    ],
    keeps: ['Tue, 02 Jan', '02 January 2024', '2 Jan 24 03:04'],
  },
  'timestamp-syslog': {
    rewrites: [
      ['Jan  2 03:04:05 host sshd[1]: x', '<ts> host sshd[1]: x'],
      ['Dec 31 23:59:59 ERROR disk full', '<ts> ERROR disk full'],
      ['Tue Jan  2 03:04:05 UTC 2024', '<ts>'],
      ['Tue Jan  2 03:04:05 CEST 2024', '<ts>'],
      ['Jan 12 03:04:05.123456 ERROR x', '<ts> ERROR x'],
    ],
    keeps: ['January 2 03:04:05', 'Jan 2 3:04:05', 'xJan  2 03:04:05'],
  },
  'timestamp-clock': {
    rewrites: [
      ['[03:04:05] start', '[<time>] start'],
      ['3:04:05,123 x', '<time> x'],
      ['elapsed 00:01:02.5', 'elapsed <time>'],
      ['at 03:04:05Z', 'at <time>'],
    ],
    keeps: ['main.go:12:3: undefined', 'a.c:12:34: error', 'ratio 12:30', '123:04:05', '03:04:05abc', '1:2:3'],
  },
  duration: {
    rewrites: [
      ['took 1.23s', 'took <duration>'],
      ['(12ms)', '(<duration>)'],
      ['total 1m 2s.', 'total <duration>.'],
      ['real\t0m1.234s', 'real\t<duration>'],
      ['Time:        2.345 s', 'Time:        <duration>'],
      ['in 150µs', 'in <duration>'],
      ['after 1h2m3.5s', 'after <duration>'],
      ['waited 3 seconds, 5 min', 'waited <duration>, <duration>'],
      ['ok  \tgithub.com/a/b\t0.012s', 'ok  \tgithub.com/a/b\t<duration>'],
    ],
    keeps: ['1st place', '3 users', '12mb', '5 hosts', 'x12ms', 'v1.2', '12MB', '2 matches'],
  },
  'url-port': {
    rewrites: [
      ['GET http://localhost:41234/api', 'GET http://localhost:<port>/api'],
      ['postgres://user:secret@db.internal:5432/test', 'postgres://user:secret@db.internal:<port>/test'],
      ['ws://[::1]:9229/abc', 'ws://[::1]:<port>/abc'],
      ['listening on 0.0.0.0:3000', 'listening on 0.0.0.0:<port>'],
      ['bound [::]:8080', 'bound [::]:<port>'],
      ['https://example.com:8443', 'https://example.com:<port>'],
    ],
    keeps: ['http://localhost/api', 'host:1234', 'a.go:12:3', 'https://example.com/x:12', 'localhost:abc'],
  },
  pid: {
    rewrites: [
      ['Started worker pid 1234', 'Started worker pid <pid>'],
      ['PID=99821 exited', 'PID=<pid> exited'],
      ['(pid: 42)', '(pid: <pid>)'],
      ['Pid #7 done', 'Pid #<pid> done'],
      ['node[4121]: ready', 'node[<pid>]: ready'],
      ['systemd-journald[812]: x', 'systemd-journald[<pid>]: x'],
    ],
    keeps: ['rapid 3', 'pidfile 12', 'test_x[12] PASSED', 'args[0]: 1', 'x[7]: one digit', 'pid abc'],
  },
  'hex-hash': {
    rewrites: [
      ['HEAD is now at 3f2a9c1 fix', 'HEAD is now at <hash> fix'],
      ['commit 9fceb02d0ae598e95dc970b74767f19372d61af8', 'commit <hash>'],
      ['sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4', 'sha256:<hash>'],
      ['v1.2.3-4-gabc1234', 'v1.2.3-4-g<hash>'],
      ['at 0x7ffd5e8c3a10', 'at 0x<hash>'],
      ['IMAGE 0A1B2C3D4E', 'IMAGE <hash>'],
    ],
    keeps: ['deadbeef', 'facade', '1234567', '1700000000000', 'abc123', 'DeadBeef123', 'x3f2a9c1', '3f2a9c1x'],
  },
  progress: {
    rewrites: [
      ['[3/10] Linking', '[<n>/<n>] Linking'],
      ['[ 3/10 ] x', '[<n>/<n>] x'],
      ['Receiving objects: 12/340', 'Receiving objects: <n>/<n>'],
      ['Receiving objects:  45% (153/340)', 'Receiving objects:  <pct> (<n>/<n>)'],
      ['100%', '<pct>'],
      ['coverage (99.5%)', 'coverage (<pct>)'],
    ],
    keeps: ['on 1/2/2024', 'api/1/2', 'v1/2', 'ratio 3/4.5', 'x45%', '1000%'],
  },
};

describe('the rule table', () => {
  it('lists every rule once, in NORMALISE_RULE_IDS order', () => {
    expect(NORMALISE_RULES.map((r) => r.id)).toEqual([...NORMALISE_RULE_IDS]);
  });
  it.each(NORMALISE_RULES.map((r) => [r.id, r] as const))('%s: its own example holds and it is documented', (_id, rule) => {
    expect(rule.apply(rule.example.input)).toBe(rule.example.output);
    expect(rule.example.output).not.toBe(rule.example.input);
    expect(rule.title.length).toBeGreaterThan(0);
    expect(rule.description.length).toBeGreaterThan(40);
  });
  it('docs/diff.md has one table row per rule, in order', () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/diff.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| /gm)].map((m) => m[1]);
    expect(rows).toEqual([...NORMALISE_RULE_IDS]);
  });
});

describe.each(NORMALISE_RULE_IDS.map((id) => [id] as const))('rule %s', (id) => {
  const rule = ruleById(id);
  const { rewrites, keeps } = TABLE[id];
  it.each(rewrites)('rewrites %j', (input, output) => {
    expect(rule.apply(input)).toBe(output);
  });
  it.each(keeps.map((k) => [k] as const))('keeps %j', (input) => {
    expect(rule.apply(input)).toBe(input);
  });
  it('is idempotent on its own output', () => {
    for (const [, output] of rewrites) expect(rule.apply(output)).toBe(output);
  });
  it('declares needsDigit truthfully: every rewrite it makes holds a digit, or it says so', () => {
    if (rule.needsDigit) for (const [input] of rewrites) expect(/\d/.test(input)).toBe(true);
  });
});

describe('normaliseLine', () => {
  it('two runs of a CI log line compare equal', () => {
    const a = `2024-01-02T03:04:05.1234567Z ${ESC}[32m✓${ESC}[0m built 3f2a9c1 in 1.23s at http://localhost:41234/ (pid 4121) [3/10] 45%`;
    const b = `2024-03-09T11:22:33.7654321Z ${ESC}[32m✓${ESC}[0m built 9b8e7d6 in 12ms at http://localhost:5173/ (pid 77) [4/10] 99%`;
    expect(normaliseLine(a)).toBe(normaliseLine(b));
    expect(normaliseLine(a)).toBe('<ts> ✓ built <hash> in <duration> at http://localhost:<port>/ (pid <pid>) [<n>/<n>] <pct>');
  });
  it('compares visible text: colours do not matter, what they show does', () => {
    expect(normaliseLine(`${ESC}[31merror${ESC}[0m: x`)).toBe('error: x');
    expect(normaliseLine(`${ESC}[1m${ESC}[31merror${ESC}[0m: x`)).toBe(normaliseLine('error: x'));
    expect(normaliseLine('old text\rnew text')).toBe(normaliseLine('new text')); // what a terminal shows after \r
    expect(normaliseLine('error: x')).not.toBe(normaliseLine('error: y'));
  });
  it('keeps real differences', () => {
    expect(normaliseLine('FAIL src/a.test.ts')).not.toBe(normaliseLine('PASS src/a.test.ts'));
    expect(normaliseLine('expected 3, got 4')).not.toBe(normaliseLine('expected 3, got 5'));
  });
  it('timestamps go before the clock and pid rules: a syslog line becomes one <ts>', () => {
    expect(normaliseLine('Jan  2 03:04:05 host sshd[812]: ok')).toBe('<ts> host sshd[<pid>]: ok');
  });
  it('UUIDs survive the timestamp rules that run before them', () => {
    expect(normaliseLine('2024-01-02T03:04:05Z job 20240102-e89b-12d3-a456-426614174000 at 12:00:00')).toBe('<ts> job <uuid> at <time>');
  });
  it('a line without a digit only meets the rules that need none', () => {
    expect(normaliseLine('cd /tmp/abc and deadbeef')).toBe('cd <tmp> and deadbeef');
  });
  it('createNormaliser applies only the rules asked for', () => {
    const onlyHash = createNormaliser(['hex-hash']);
    expect(onlyHash('at 3f2a9c1 in 1.23s')).toBe('at <hash> in 1.23s');
    expect(createNormaliser([])('at 3f2a9c1')).toBe('at 3f2a9c1');
  });
  it('explainLine names the rules that changed the line, in order', () => {
    expect(explainLine('2024-01-02T03:04:05Z built 3f2a9c1 in 2s')).toEqual({ text: '<ts> built <hash> in <duration>', rules: ['timestamp-iso', 'duration', 'hex-hash'] });
    expect(explainLine('plain')).toEqual({ text: 'plain', rules: [] });
  });
});

describe('bounded and linear', () => {
  it('every pattern can run on V8\'s linear-time engine (no lookaround, backreference, i or u flag)', () => {
    const patterns = NORMALISE_RULES.flatMap((r) => r.patterns);
    expect(patterns.length).toBeGreaterThan(10);
    expect(patterns.filter((re) => !runsInLinearTime(re.source)).map((re) => re.source)).toEqual([]);
    expect(patterns.filter((re) => re.flags !== 'g').map((re) => re.source)).toEqual([]);
  });
  it('compares only MAX_COMPARE_CHARS visible characters of a long line', () => {
    const long = 'x'.repeat(MAX_COMPARE_CHARS);
    expect(normaliseLine(`${long}a`)).toBe(normaliseLine(`${long}b`));
    expect(normaliseLine(`${long.slice(1)}a`)).not.toBe(normaliseLine(`${long.slice(1)}b`));
    expect(normaliseLine('y'.repeat(1 << 20))).toHaveLength(MAX_COMPARE_CHARS);
  });
  it('reads only MAX_READ_CHARS of a stored line, escapes included', () => {
    const colours = `${ESC}[31m`.repeat(Math.ceil(MAX_READ_CHARS / 5));
    expect(normaliseLine(`${colours}late text`)).toBe('');
  });

  const mb = 1 << 20;
  /** Shapes that make a backtracking pattern re-read a long run from many starts. */
  const HOSTILE = [
    'a'.repeat(mb),
    '1'.repeat(mb),
    '1 '.repeat(mb / 2),
    '1.'.repeat(mb / 2),
    '1:'.repeat(mb / 2),
    '12:'.repeat(mb / 3),
    '1-'.repeat(mb / 2),
    '1/'.repeat(mb / 2),
    '0123456789abcdef'.repeat(mb / 16) + 'g',
    'ab1-'.repeat(mb / 4),
    '-g'.repeat(mb / 2),
    '0x'.repeat(mb / 2),
    '1m '.repeat(mb / 3) + 'x',
    '1m1s'.repeat(mb / 4) + 'x',
    '1 s1 '.repeat(mb / 5),
    '/tmp/'.repeat(mb / 5),
    ' /tmp/x'.repeat(mb / 7),
    'C:\\Users\\'.repeat(mb / 9),
    'http://'.repeat(mb / 7),
    'http://a:'.repeat(mb / 9),
    'pid '.repeat(mb / 4),
    'pid=1'.repeat(mb / 5),
    'a['.repeat(mb / 2),
    'a[12]'.repeat(mb / 5),
    '[1/'.repeat(mb / 3),
    ' 1%'.repeat(mb / 3),
    'Jan  2 '.repeat(mb / 7),
    'Tue, 02 Jan 2024 '.repeat(mb / 17),
    '2024-01-02T'.repeat(mb / 11),
    '2024-01-02 03:04'.repeat(mb / 16),
    '12345678-1234-'.repeat(mb / 14),
    `${ESC}[31m`.repeat(mb / 5),
    `${ESC}]8;;`.repeat(mb / 5),
  ];
  it('every rule, unbounded, completes on hostile 1 MB inputs (a quadratic rule would not finish)', () => {
    for (const rule of NORMALISE_RULES) {
      for (const text of HOSTILE) expect(typeof rule.apply(text)).toBe('string');
    }
  });
  it('normaliseLine completes on them and stops at the bound (placeholders grow a match at most 5 times)', () => {
    for (const text of HOSTILE) expect(normaliseLine(text).length).toBeLessThanOrEqual(5 * MAX_COMPARE_CHARS);
  });
});
