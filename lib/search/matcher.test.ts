import { describe, expect, it } from 'vitest';
import { plainText } from '../ansi/plain';
import { AppError } from '../errors';
import { cutText } from './line-preview';
import { MAX_RANGES_PER_LINE, MAX_REGEX_SCAN_CHARS, compileMatcher, type Range } from './matcher';

const ESC = '\x1b';

interface Case {
  name: string;
  q: string;
  regex?: boolean;
  caseSensitive?: boolean;
  text: string;
  want: Range[] | null;
}

const cases: Case[] = [
  { name: 'substring, case-insensitive by default', q: 'error', text: 'Error: ERROR error', want: [[0, 5], [7, 12], [13, 18]] },
  { name: 'substring, case-sensitive', q: 'error', caseSensitive: true, text: 'Error: ERROR error', want: [[13, 18]] },
  { name: 'no match', q: 'warn', text: 'all good', want: null },
  { name: 'substring matches are non-overlapping', q: 'aa', text: 'aaaaa', want: [[0, 2], [2, 4]] },
  { name: 'regex metacharacters are literal in a substring search', q: 'a.c(', text: 'abc( a.c(', want: [[5, 9]] },
  { name: 'offsets refer to the plain text: escapes stripped', q: 'fail', text: `${ESC}[31mFAIL${ESC}[0m ${ESC}[1mfail${ESC}[0m`, want: [[0, 4], [5, 9]] },
  { name: 'a match across a colour change', q: 'ab', text: `a${ESC}[32mb`, want: [[0, 2]] },
  { name: 'emoji counts as two UTF-16 units', q: 'x', text: '🎉x🎉x', want: [[2, 3], [5, 6]] },
  { name: 'multibyte text, case-insensitive', q: 'ÉTÉ', text: 'un été chaud', want: [[3, 6]] },
  { name: 'case folding that changes length keeps offsets', q: 'x', text: 'İİx', want: [[2, 3]] },
  { name: 'regex', q: 'err(or)?\\s+\\d+', regex: true, text: 'ERR 1, error  22', want: [[0, 5], [7, 16]] },
  { name: 'regex, case-sensitive', q: '[A-Z]+', regex: true, caseSensitive: true, text: 'abC DEf', want: [[2, 3], [4, 6]] },
  { name: 'regex over emoji', q: 'b.c', regex: true, text: '🎉b\u00e9c', want: [[2, 5]] },
  { name: 'zero-length regex: the line matches, nothing to highlight', q: '^', regex: true, text: 'anything', want: [] },
  { name: 'zero-length and real matches mixed', q: 'a*', regex: true, text: 'baab', want: [[1, 3]] },
  { name: 'case-insensitive regex through case classes', q: '^err[a-z]+ \\w+$', regex: true, text: 'ERROR Foo', want: [[0, 9]] },
  { name: 'case-insensitive negated class', q: '[^e]+', regex: true, text: 'EEab', want: [[2, 4]] },
  { name: 'catastrophic pattern, no match', q: '(a|aa)+$', regex: true, text: 'a'.repeat(40) + 'b', want: null },
  { name: '$ does not match where a long line is cut for the regex scan', q: '(a|aa)+$', regex: true, text: 'a'.repeat(MAX_REGEX_SCAN_CHARS + 10) + '!', want: null },
  { name: 'a match touching the cut from inside still counts', q: 'a{3}', regex: true, text: 'b'.repeat(MAX_REGEX_SCAN_CHARS - 3) + 'aaaa', want: [[MAX_REGEX_SCAN_CHARS - 3, MAX_REGEX_SCAN_CHARS]] },
  { name: 'a match reaching past the cut is not reported', q: 'b\\s', regex: true, text: 'a'.repeat(MAX_REGEX_SCAN_CHARS - 1) + 'b c', want: null },
  { name: 'catastrophic pattern, a match', q: '(x+x+)+y', regex: true, text: 'xxxxy', want: [[0, 5]] },
];

describe('compileMatcher', () => {
  it.each(cases)('$name', ({ q, regex, caseSensitive, text, want }) => {
    const match = compileMatcher({ q, regex: regex ?? false, caseSensitive: caseSensitive ?? false });
    expect(match(plainText(text))).toEqual(want);
  });

  it.each([
    ['invalid regex', '(unclosed', 'bad_request', 'invalid regex: '],
    ['invalid class', '[z-a]', 'bad_request', 'invalid regex: '],
    ['lookahead', '(?=x)', 'regex_unsupported', 'regex lookahead'],
    ['backreference', '(a)\\1', 'regex_unsupported', 'regex backreferences'],
  ])('refuses %s', (_name, q, code, message) => {
    let caught: unknown;
    try {
      compileMatcher({ q, regex: true, caseSensitive: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe(code);
    expect((caught as AppError).message.startsWith(message)).toBe(true);
  });

  it('the same invalid source is fine as a substring', () => {
    expect(compileMatcher({ q: '(a+)+$', regex: false, caseSensitive: false })('x(a+)+$')).toEqual([[1, 7]]);
  });

  it('a regex only sees the first MAX_REGEX_SCAN_CHARS of a line', () => {
    const match = compileMatcher({ q: 'needle', regex: true, caseSensitive: false });
    expect(match('x'.repeat(MAX_REGEX_SCAN_CHARS) + 'needle')).toBeNull();
    expect(match('x'.repeat(MAX_REGEX_SCAN_CHARS - 6) + 'needle')).toEqual([[MAX_REGEX_SCAN_CHARS - 6, MAX_REGEX_SCAN_CHARS]]);
  });

  it('caps the ranges of one line', () => {
    for (const regex of [false, true]) {
      const ranges = compileMatcher({ q: 'a', regex, caseSensitive: true })('a'.repeat(1000));
      expect(ranges).toHaveLength(MAX_RANGES_PER_LINE);
    }
  });

  it('a zero-length regex over a long line terminates', () => {
    expect(compileMatcher({ q: 'q*', regex: true, caseSensitive: false })('x'.repeat(100_000))).toEqual([]);
  });
});

describe('cutText', () => {
  it.each([
    ['short text is kept', 'abc', 10, 'abc'],
    ['plain text is cut at max', 'abcdefghij', 4, 'abcd'],
    ['a CSI straddling the cut is dropped', `ab${ESC}[31mcd`, 5, 'ab'],
    ['a complete CSI before the cut is kept', `ab${ESC}[1mcdef`, 8, `ab${ESC}[1mcd`],
    ['an OSC straddling the cut is dropped', `a${ESC}]8;;http://x${ESC}\\link`, 12, 'a'],
    ['a cut inside the string terminator', `a${ESC}]8;;u${ESC}\\z`, 8, 'a'],
    ['never half a surrogate pair', 'ab🎉', 3, 'ab'],
  ])('%s', (_name, text, max, want) => {
    expect(cutText(text, max)).toBe(want);
  });
});
