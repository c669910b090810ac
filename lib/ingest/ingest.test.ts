import { describe, expect, it } from 'vitest';
import type { Group, MarkerDialect } from '../contracts';
import { everyByteSplit, runIngest } from './test-harness';

const E = '\x1b';
const R = `${E}[0m`;
const ST = `${E}\\`;

interface Case {
  name: string;
  input: string | Uint8Array;
  masks?: string[];
  texts?: string[];
  ts?: number[];
  groups?: Array<Partial<Group>>;
  newMasks?: string[];
  markers?: MarkerDialect;
}

/** Single-line terminal semantics: `\r`, erase, moves, controls, SGR, links, hostile input. */
const terminalCases: Case[] = [
  { name: 'progress bar collapses to its last state', input: 'Downloading 10%\rDownloading 55%\rDownloading 100%', texts: ['Downloading 100%'] },
  { name: 'a shorter overwrite keeps the tail, as a terminal does', input: 'hello world\rHEY', texts: ['HEYlo world'] },
  { name: 'CR then ESC[K erases the old text', input: 'hello world\r\x1b[KHEY', texts: ['HEY'] },
  { name: 'ESC[0K after the new text', input: 'hello world\rHEY\x1b[0K', texts: ['HEY'] },
  { name: 'ESC[1K erases from the start to the cursor', input: 'abcdef\x1b[3G\x1b[1KZ', texts: ['  Zdef'] },
  { name: 'ESC[2K erases the line, cursor stays', input: 'abc\x1b[2Kd', texts: ['   d'] },
  { name: 'ESC[1G returns to column 1', input: 'abcdef\x1b[1GX', texts: ['Xbcdef'] },
  { name: 'ESC[nG pads with spaces', input: '\x1b[5Gx', texts: ['    x'] },
  { name: 'ESC[nC / ESC[nD move right and left', input: 'abcdef\x1b[3D\x1b[1CX', texts: ['abcdXf'] },
  { name: 'backspace moves left', input: 'abc\b\bX', texts: ['aXc'] },
  { name: 'backspace stops at column 0', input: '\b\bab', texts: ['ab'] },
  { name: 'tabs stay', input: 'a\tb\t', texts: ['a\tb\t'] },
  { name: 'C0 controls become control pictures, BEL is dropped', input: 'a\x00b\x07c\x7fd\x01\x0c', texts: ['a\u2400bc\u2421d\u2401\u240c'] },
  { name: 'C1 controls become U+FFFD', input: 'x\u009b31my\u0085', texts: ['x\ufffd31my\ufffd'] },
  { name: 'CRLF and doubled CR end lines', input: 'a\r\nb\r\r\nc\r\n', texts: ['a', 'b', 'c'] },
  { name: 'combined SGR is split, one attribute each', input: '\x1b[1;38;5;208mX', texts: [`${E}[1m${E}[38;5;208mX${R}`] },
  { name: 'truecolor fg, palette bg', input: '\x1b[1;38;2;10;20;30;48;5;4mX', texts: [`${E}[1m${E}[38;2;10;20;30m${E}[44mX${R}`] },
  { name: 'colon sub-parameters', input: '\x1b[38:2::10:20:30;4mX\x1b[4:0mY', texts: [`${E}[4m${E}[38;2;10;20;30mX${R}${E}[38;2;10;20;30mY${R}`] },
  { name: '256-colour background', input: '\x1b[48;5;208mX', texts: [`${E}[48;5;208mX${R}`] },
  { name: '16 colours, bright fg', input: '\x1b[31;42;91mX', texts: [`${E}[91m${E}[42mX${R}`] },
  { name: 'palette index below 16 is written as a 16-colour code', input: '\x1b[38;5;1mX', texts: [`${E}[31mX${R}`] },
  { name: 'removing an attribute resets and rebuilds', input: '\x1b[1;31ma\x1b[22mb', texts: [`${E}[1m${E}[31ma${R}${E}[31mb${R}`] },
  { name: 'recolouring resets and rebuilds', input: '\x1b[31ma\x1b[32mb', texts: [`${E}[31ma${R}${E}[32mb${R}`] },
  { name: 'adding an attribute is additive', input: '\x1b[31ma\x1b[1mb', texts: [`${E}[31ma${E}[1mb${R}`] },
  { name: 'all attributes in canonical order', input: '\x1b[9;7;4;3;2mX', texts: [`${E}[2m${E}[3m${E}[4m${E}[7m${E}[9mX${R}`] },
  { name: 'ESC[m resets', input: '\x1b[1ma\x1b[mb', texts: [`${E}[1ma${R}b`] },
  { name: 'unrendered codes are dropped', input: '\x1b[5;53;10;58;5;3mX', texts: ['X'] },
  { name: 'styles on erased text vanish', input: '\x1b[31mold\x1b[0m\r\x1b[Knew', texts: ['new'] },
  { name: 'OSC 8 https link, ST terminated', input: `${E}]8;;https://example.com/a?b=1${ST}link${E}]8;;${ST} done`, texts: [`${E}]8;;https://example.com/a?b=1${ST}link${E}]8;;${ST} done`] },
  { name: 'OSC 8 link, BEL terminated, with id param', input: `${E}]8;id=1;http://e.com\x07x${E}]8;;\x07`, texts: [`${E}]8;;http://e.com${ST}x${E}]8;;${ST}`] },
  { name: 'javascript: link keeps its text only', input: `${E}]8;;javascript:alert(1)${ST}click${E}]8;;${ST}`, texts: ['click'] },
  { name: 'file: link keeps its text only', input: `${E}]8;;file:///etc/passwd${ST}f${E}]8;;${ST}`, texts: ['f'] },
  { name: 'OSC title is consumed', input: `${E}]0;title\x07text`, texts: ['text'] },
  { name: 'Buildkite inline image OSC is consumed', input: `${E}]1338;url=artifact://a.png;alt=x\x07after`, texts: ['after'] },
  { name: 'unterminated OSC drops the rest of the line', input: `before${E}]0;never ends`, texts: ['before'] },
  { name: 'OSC cancelled by another ESC', input: `a${E}]0;x${E}[1mb`, texts: [`a${E}[1mb${R}`] },
  { name: 'DCS is consumed', input: `a${E}Pq#0;1;2${ST}b`, texts: ['ab'] },
  { name: 'private modes are consumed', input: 'a\x1b[?25lb\x1b[?1049hc\x1b[?2004ld', texts: ['abcd'] },
  // the screen (lib/ansi/screen.test.ts has one case per control): up clamps at the first row, CUP goes to the next row and its column (clamped), ED 2 empties the screen
  { name: 'row moves and huge positions are bounded', input: 'a\x1b[2Ab\x1b[999999999;999999999Hc\x1b[?25ld\x1b[2Je', texts: ['', `${' '.repeat(1026)}e`] },
  { name: 'cursor to column 999999999 is bounded', input: '\x1b[999999999Gx', texts: [`${' '.repeat(1024)}x`] },
  { name: 'unterminated CSI with 13 parameters', input: 'a\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13', texts: ['a'] },
  { name: 'huge parameter values are clamped', input: `\x1b[${'9'.repeat(5000)}mX`, texts: ['X'] },
  { name: 'a control cancels a CSI and is kept', input: 'a\x1b[12\x00b', texts: ['a\u2400b'] },
  { name: 'lone ESC at the end is dropped', input: 'a\x1b', texts: ['a'] },
  { name: 'charset selection is consumed', input: '\x1b(Bx\x1b)0y', texts: ['xy'] },
  { name: 'concealed text is not stored', input: 'a\x1b[8mha:////AAAA\x1b[28mb', texts: ['ab'] },
  { name: 'Buildkite timestamp is stripped and becomes ts', input: '\x1b_bk;t=1700000000123\x07hello', texts: ['hello'], ts: [1700000000123] },
  { name: 'Buildkite timestamp mid-line', input: 'a\x1b_bk;t=5\x07b', texts: ['ab'], ts: [5] },
  { name: 'multibyte UTF-8 survives every split', input: 'héllo ✓ 😀 日本', texts: ['héllo ✓ 😀 日本'] },
  { name: 'invalid UTF-8 becomes U+FFFD', input: new Uint8Array([0x61, 0xff, 0x62, 0xc3, 0x0a, 0xed, 0xa0, 0x80, 0x63]), texts: ['a\ufffdb\ufffd', '\ufffd\ufffd\ufffdc'] },
  { name: 'a BOM at the start is dropped', input: '\ufeffa\n\ufeffb', texts: ['a', '\ufeffb'] },
];

/** Styles and links carried from line to line. */
const carryCases: Case[] = [
  { name: 'colour carries to the next lines until reset', input: '\x1b[31mred\nstill red\n\x1b[0mplain', texts: [`${E}[31mred${R}`, `${E}[31mstill red${R}`, 'plain'] },
  { name: 'bold carries across an empty line', input: '\x1b[1mx\n\nbold', texts: [`${E}[1mx${R}`, '', `${E}[1mbold${R}`] },
  { name: 'a link carries', input: `${E}]8;;https://a.b${ST}x\ny${E}]8;;${ST}z`, texts: [`${E}]8;;https://a.b${ST}x${E}]8;;${ST}`, `${E}]8;;https://a.b${ST}y${E}]8;;${ST}z`] },
  { name: 'a reset after CR still ends the carry', input: '\x1b[32mgreen\r\x1b[0m\nx', texts: [`${E}[32mgreen${R}`, 'x'] },
  { name: 'conceal carries', input: 'a\x1b[8m\nhidden\n\x1b[0mshown', texts: ['a', '', 'shown'] },
  { name: 'ESC[39m resets only the colour', input: '\x1b[1;34mx\ny\x1b[39mz', texts: [`${E}[1m${E}[34mx${R}`, `${E}[1m${E}[34my${R}${E}[1mz${R}`] },
];

const groupCases: Case[] = [
  {
    name: 'GitHub nested groups',
    input: '::group::Outer\n::group::Inner\nx\n::endgroup::\n::endgroup::\nafter',
    groups: [
      { id: 'g1', name: 'Outer', parent: null, start: 1, end: 5, startedAt: 1000, endedAt: 1004 },
      { id: 'g2', name: 'Inner', parent: 'g1', start: 2, end: 4 },
    ],
    texts: ['::group::Outer', '::group::Inner', 'x', '::endgroup::', '::endgroup::', 'after'],
  },
  {
    name: 'GitHub download form with timestamps',
    input: '2025-10-12T01:28:29.8868624Z ##[group]Runner Image\n2025-10-12T01:28:29.8868624Z x\n2025-10-12T01:28:29.8873933Z ##[endgroup]',
    groups: [{ id: 'g1', name: 'Runner Image', parent: null, start: 1, end: 3 }],
  },
  { name: 'stray end is ignored', input: '::endgroup::\n::group::A\nx', groups: [{ id: 'g2', name: 'A', start: 2, end: 3 }] },
  {
    name: 'unterminated groups close at step end',
    input: '::group::A\n::group::B\nx',
    groups: [
      { id: 'g1', start: 1, end: 3, endedAt: 1002 },
      { id: 'g2', parent: 'g1', start: 2, end: 3 },
    ],
  },
  { name: 'empty GitHub group name', input: '::group::\n::endgroup::', groups: [{ id: 'g1', name: 'group', start: 1, end: 2 }] },
  {
    name: 'GitLab sections nested, several markers on one line',
    input: 'section_start:100:outer[collapsed=true]\r\x1b[0Ksection_start:101:inner\r\x1b[0Kwork\nsection_end:102:inner\r\x1b[0Ksection_end:103:outer\r\x1b[0K\nlast',
    texts: ['work', '', 'last'],
    groups: [
      { id: 'g1', name: 'outer', parent: null, start: 1, end: 2, startedAt: 100000, endedAt: 103000, collapsed: true },
      { id: 'g1-2', name: 'inner', parent: 'g1', start: 1, end: 2, startedAt: 101000, endedAt: 102000 },
    ],
  },
  {
    name: 'GitLab end closes the innermost of that name and what it contains; unknown end ignored',
    input: 'section_start:1:a\r\x1b[0K\nsection_start:2:b\r\x1b[0K\nsection_end:3:zzz\r\x1b[0K\nsection_end:4:a\r\x1b[0K\nz',
    groups: [
      { id: 'g1', name: 'a', start: 1, end: 4, endedAt: 4000 },
      { id: 'g2', name: 'b', parent: 'g1', start: 2, end: 4, endedAt: 4000 },
    ],
  },
  {
    name: 'GitLab marker followed by newline, behind SGR (runner 10 form)',
    input: '\x1b[0;msection_start:1522927103:prepare_script\n\x1b[0KRunning\nsection_end:1522927104:prepare_script\n',
    groups: [{ id: 'g1', name: 'prepare_script', start: 1, end: 3, startedAt: 1522927103000, endedAt: 1522927104000 }],
  },
  { name: 'an echoed section marker is not a marker', input: '$ echo section_start:1:x\nsection_end:2:x', groups: [] },
  {
    name: 'Travis folds',
    input: 'travis_fold:start:install\r\x1b[0Kx\ntravis_fold:end:install\r\x1b[0K',
    groups: [{ id: 'g1', name: 'install', start: 1, end: 2, startedAt: 1000, endedAt: 1001 }],
  },
  {
    name: 'Buildkite headers end the previous group at the line before',
    input: '--- A\nx\n+++ B\ny\n~~~ C\n^^^ +++\nz',
    groups: [
      { id: 'g1', name: 'A', parent: null, start: 1, end: 2, collapsed: true },
      { id: 'g3', name: 'B', parent: null, start: 3, end: 4, collapsed: false },
      { id: 'g5', name: 'C', parent: null, start: 5, end: 7, collapsed: false },
    ],
  },
  { name: 'a Buildkite header in a GitHub step is text', input: '::group::G\n--- B\nx', groups: [{ id: 'g1', name: 'G', start: 1, end: 3 }] },
  {
    name: 'Buildkite header behind the APC timestamp',
    input: '\x1b_bk;t=1700000000000\x07~~~ :hammer: Running',
    groups: [{ id: 'g1', name: ':hammer: Running', startedAt: 1700000000000, collapsed: true }],
    texts: ['~~~ :hammer: Running'],
  },
  { name: 'look-alikes are not groups', input: '+++-====\n---- test x stdout ----\n---\n--- \n~~~\n+++  \n^^^ ---\n::groupx::a', groups: [] },
  {
    name: 'nesting deeper than 16 is ignored, and so are its ends',
    input: `${'::group::g\n'.repeat(17)}${'::endgroup::\n'.repeat(17)}::group::after\n`,
    groups: [
      ...Array.from({ length: 16 }, (_, d) => ({ id: `g${d + 1}`, parent: d === 0 ? null : `g${d}`, start: d + 1, end: 35 - d - 1 })),
      { id: 'g35', name: 'after', parent: null, start: 35, end: 35 },
    ],
  },
];

const DIFF = 'diff --git a/src/x.ts b/src/x.ts\nindex 1a2b3c4..5d6e7f8 100644\n--- a/src/x.ts\n+++ b/src/x.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n';

/** Which markers count in a step: declared dialect, else the first one seen (dialects.ts). */
const dialectCases: Case[] = [
  {
    name: 'a git diff inside GitHub groups gives only the groups',
    input: `::group::Lint\n${DIFF}::endgroup::\n::group::Test\nok\n::endgroup::`,
    groups: [
      { id: 'g1', name: 'Lint', start: 1, end: 11 },
      { id: 'g12', name: 'Test', start: 12, end: 14 },
    ],
  },
  { name: 'a git diff before any marker is no group', input: `${DIFF}after`, groups: [] },
  { name: 'a git diff without prefixes (diff --git, index) is no group', input: 'diff --git x.ts x.ts\nindex 1a2b..3c4d 100644\n--- x.ts\n+++ x.ts\nrest', groups: [] },
  { name: 'diff -u headers with their TAB and date are no group', input: '--- old.txt\t2026-01-01 10:00:00\n+++ new.txt\t2026-01-01 10:00:01\nz', groups: [] },
  { name: 'a new file against /dev/null is no group', input: '--- /dev/null\n+++ b/new.ts\nz', groups: [] },
  {
    name: 'a ---/+++ pair followed by a hunk header is withdrawn, the group before it open again',
    input: '--- Build\nx\n--- f.py\n+++ f.py\n@@ -1 +1 @@\n-a\n+b\nafter',
    groups: [{ id: 'g1', name: 'Build', parent: null, start: 1, end: 8, collapsed: true }],
  },
  { name: 'a ---/+++ pair alone, with no group before, is withdrawn', input: '--- f.py\n+++ f.py\n@@ -1,2 +1,2 @@', groups: [] },
  {
    name: 'a ---/+++ pair not followed by a hunk stays two groups',
    input: '--- A\n+++ B\nz',
    groups: [
      { id: 'g1', name: 'A', start: 1, end: 1 },
      { id: 'g2', name: 'B', start: 2, end: 3, collapsed: false },
    ],
  },
  {
    name: 'lines inside a hunk are content (a removed -- comment), the header after it counts',
    input: '--- Build\n@@ -1,2 +1,1 @@\n--- comment\n ctx\n+++ More\ny',
    groups: [
      { id: 'g1', name: 'Build', start: 1, end: 4 },
      { id: 'g5', name: 'More', start: 5, end: 6 },
    ],
  },
  { name: 'Go test results are no group', input: '=== RUN   TestX\n--- FAIL: TestX (0.00s)\n--- PASS: TestY (0.01s)', groups: [] },
  { name: 'a Buildkite header behind a colour is text', input: '\x1b[33m--- Build\x1b[0m\nx\n\x1b[?25h~~~ Hook', groups: [] },
  { name: 'a Buildkite header behind a CR is text', input: 'x\r--- Build', groups: [] },
  {
    name: 'Buildkite headers with a diff inside still work (Buildkite step)',
    input: `\x1b_bk;t=10\x07--- :lint: Lint\n\x1b_bk;t=11\x07${DIFF.trimEnd().split('\n').join('\n\x1b_bk;t=11\x07')}\n\x1b_bk;t=12\x07+++ :test: Test\n\x1b_bk;t=13\x07ok`,
    groups: [
      { id: 'g1', name: ':lint: Lint', start: 1, end: 10, startedAt: 10, endedAt: 12 },
      { id: 'g11', name: ':test: Test', start: 11, end: 12, collapsed: false },
    ],
  },
  {
    name: 'a Buildkite timestamp locks the step: GitHub markers are text',
    input: '\x1b_bk;t=5\x07x\n::group::G\n~~~ Run\ny',
    groups: [{ id: 'g3', name: 'Run', start: 3, end: 4 }],
  },
  {
    name: 'a GitLab section locks the step: GitHub and Buildkite markers are text',
    input: 'section_start:1:a\r\x1b[0K\n::group::G\n--- B\n::endgroup::\nsection_end:2:a\r\x1b[0K',
    groups: [{ id: 'g1', name: 'a', start: 1, end: 5 }],
  },
  {
    name: 'a plain Buildkite header counts but locks nothing: the first GitHub marker ends it and locks',
    input: '--- Build\nx\n::group::G\ny\n::endgroup::\n--- Next\nz',
    groups: [
      { id: 'g1', name: 'Build', start: 1, end: 2 },
      { id: 'g3', name: 'G', parent: null, start: 3, end: 5 },
    ],
  },
  { name: 'declared github: Buildkite headers are text', markers: 'github', input: '--- B\nx\n::group::G\n::endgroup::', groups: [{ id: 'g3', name: 'G', start: 3, end: 4 }] },
  {
    name: 'declared buildkite: GitHub and GitLab markers are text, a plain header counts',
    markers: 'buildkite',
    input: '::group::G\nsection_start:1:s\r\x1b[0K\n--- B\nx',
    groups: [{ id: 'g3', name: 'B', start: 3, end: 4 }],
  },
  { name: 'declared gitlab: Travis folds are text', markers: 'gitlab', input: 'travis_fold:start:t\r\x1b[0K\nsection_start:1:s\r\x1b[0K\nx', groups: [{ id: 'g2', name: 's', start: 2, end: 3 }] },
  { name: 'declared none: no groups at all', markers: 'none', input: '::group::G\n--- B\nsection_start:1:s\r\x1b[0K\n::endgroup::', groups: [] },
  { name: 'declared auto is the default', markers: 'auto', input: '::group::G\n--- B', groups: [{ id: 'g1', name: 'G', start: 1, end: 2 }] },
];

const maskCases: Case[] = [
  {
    name: 'add-mask masks its own line and later lines',
    input: 'early s3cr3t\n::add-mask::s3cr3t\nthe s3cr3t is here\nagain s3cr3ts3cr3t',
    texts: ['early s3cr3t', '::add-mask::***', 'the *** is here', 'again ***'],
    newMasks: ['s3cr3t'],
  },
  { name: 'values shorter than 3 chars are ignored', input: '::add-mask::ab\nab cd', texts: ['::add-mask::ab', 'ab cd'], newMasks: [] },
  { name: 'caller masks match across colour changes', masks: ['hunter2'], input: 'pw: \x1b[31mhun\x1b[1mter2\x1b[0m!', texts: [`pw: ${E}[31m***${R}!`] },
  { name: 'masks match the visible text after CR collapse', masks: ['topsecret'], input: 'topXXXXXX\rtopsecret\ntopsecret\r\x1b[Kok', texts: ['***', 'ok'] },
  { name: 'masks apply to group names', input: '::add-mask::Deploy-Key\n::group::use Deploy-Key now', groups: [{ id: 'g2', name: 'use *** now' }], texts: ['::add-mask::***', '::group::use *** now'] },
  { name: 'overlapping masks merge', masks: ['abcd', 'cdef'], input: 'xabcdefx', texts: ['x***x'] },
  {
    name: 'OSC 8 link URLs are masked, on the line and on the lines the link carries to',
    masks: ['tok-123'],
    input: `${E}]8;;https://h.io/?t=tok-123${ST}a\nb${E}]8;;${ST}c`,
    texts: [`${E}]8;;https://h.io/?t=***${ST}a${E}]8;;${ST}`, `${E}]8;;https://h.io/?t=***${ST}b${E}]8;;${ST}c`],
  },
  { name: 'a link registered before its mask is masked on later lines', input: `::add-mask::tok-123\n${E}]8;;https://h.io/tok-123${ST}x`, texts: ['::add-mask::***', `${E}]8;;https://h.io/***${ST}x${E}]8;;${ST}`] },
  {
    name: 'base64, percent- and JSON-escaped forms are masked',
    input: `::add-mask::p@ss w"rd\nauth ${Buffer.from('user:p@ss w"rd').toString('base64')}\nurl ?p=p%40ss%20w%22rd\njson {"p":"p@ss w\\"rd"}`,
    texts: ['::add-mask::***', 'auth dXNlcjpw***Q=', 'url ?p=***', 'json {"p":"***"}'],
    newMasks: ['p@ss w"rd'],
  },
  { name: 'encoded forms in coloured text', masks: ['hunter22'], input: `${E}[32maHVudGVy${E}[1mMjI=${E}[0m`, texts: [`${E}[32m***${E}[1mI=${R}`] },
  { name: 'group names are masked in their encoded forms too', masks: ['Deploy-Key'], input: '::group::use RGVwbG95LUtle now', groups: [{ id: 'g1', name: 'use *** now' }] },
  { name: 'an add-mask value too long to register still hides its own line', input: `::add-mask::${'k'.repeat(5000)}\nk`, texts: ['::add-mask::***', 'k'], newMasks: ['k'.repeat(5000)] },
];

const allCases = [...terminalCases, ...carryCases, ...groupCases, ...dialectCases, ...maskCases];

function check(c: Case): void {
  const run = runIngest(c.input, { masks: c.masks, markers: c.markers });
  if (c.texts) expect(run.lines.map((l) => l.text)).toEqual(c.texts);
  if (c.ts) expect(run.lines.map((l) => l.ts)).toEqual(c.ts);
  if (c.groups) {
    expect(run.groups).toHaveLength(c.groups.length);
    expect(run.groups).toMatchObject(c.groups);
  }
  if (c.newMasks) expect(run.masks.slice(c.masks?.length ?? 0)).toEqual(c.newMasks);
}

describe('ingest cases', () => {
  it.each(allCases.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c));
});

describe('ingest cases split at every byte and batched 1/2/3 lines', () => {
  it.each(allCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const whole = runIngest(c.input, { masks: c.masks, markers: c.markers });
    for (const { cut, run } of everyByteSplit(c.input, { masks: c.masks, markers: c.markers })) {
      expect(run, `cut at byte ${cut}`).toEqual(whole);
    }
  });
});
