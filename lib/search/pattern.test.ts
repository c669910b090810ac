import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { compileQuery, type CompiledQuery } from './pattern';

const regex = (q: string, caseSensitive = false) => compileQuery({ q, regex: true, caseSensitive });

describe('compileQuery: accepted regexes and the source they run as', () => {
  it.each([
    ['case-sensitive: kept as written', 'err(or)?\\s+\\d+', true, 'err(or)?\\s+\\d+'],
    ['letters become case classes', 'abc', false, '[Aa][Bb][Cc]'],
    ['digits and punctuation stay', '1+2\\.x', false, '1+2\\.[Xx]'],
    ['`s` does not match the long s (non-Unicode folding)', 's', false, '[Ss]'],
    ['`k` does not match the Kelvin sign', 'k', false, '[Kk]'],
    ['non-ASCII letters', 'é', false, '[\\u00c9\\u00e9]'],
    ['micro sign folds with Greek mu', 'µ', false, '[\\u00b5\\u039c\\u03bc]'],
    ['a range gains its other case', '[a-c]', false, '[A-Ca-c]'],
    ['a negated class gains it too', '[^x]', false, '[^Xx]'],
    ['class escapes stay, members are listed', '[\\d_a]', false, '[\\dA\\u005fa]'],
    ['assertions and escapes stay', '\\bfoo\\b', false, '\\b[Ff][Oo][Oo]\\b'],
    ['named groups and quantifiers stay', '(?<name>ab)+', false, '(?<name>[Aa][Bb])+'],
    ['lazy counted quantifier', 'a{2,3}?', false, '[Aa]{2,3}?'],
    ['non-capturing group and alternation', '(?:x|y)*', false, '(?:[Xx]|[Yy])*'],
    ['catastrophic patterns are accepted (linear fallback)', '(a|aa)+$', false, '([Aa]|[Aa][Aa])+$'],
    ['\\w is already closed under folding', '^(\\w+\\s?)*$', false, '^(\\w+\\s?)*$'],
    ['dot stays', '.*.*.*.*~', false, '.*.*.*.*~'],
  ])('%s: %s', (_name, q, caseSensitive, source) => {
    expect(regex(q, caseSensitive)).toEqual({ kind: 'regex', source });
  });
});

describe('compileQuery: substrings', () => {
  it.each<[string, string, boolean, CompiledQuery]>([
    ['case-sensitive: indexOf', 'a.c(', true, { kind: 'substring', needle: 'a.c(' }],
    ['ASCII, case-insensitive: indexOf on lowercased text', 'Error (x)', false, { kind: 'folded', needle: 'error (x)', source: '[Ee][Rr][Rr][Oo][Rr] \\([Xx]\\)' }],
    ['non-ASCII, case-insensitive: a case-class regex', 'été', false, { kind: 'regex', source: '[\\u00c9\\u00e9][Tt][\\u00c9\\u00e9]' }],
  ])('%s', (_name, q, caseSensitive, want) => {
    expect(compileQuery({ q, regex: false, caseSensitive })).toEqual(want);
  });
});

describe('compileQuery: refused regexes', () => {
  it.each([
    ['(?=a)', 'regex_unsupported', 'lookahead'],
    ['x(?!a)', 'regex_unsupported', 'lookahead'],
    ['(?<=a)b', 'regex_unsupported', 'lookbehind'],
    ['(?<!a)b', 'regex_unsupported', 'lookbehind'],
    ['(a)\\1', 'regex_unsupported', 'backreference'],
    ['(?<n>a)\\k<n>', 'regex_unsupported', 'backreference'],
    ['((?=a))+', 'regex_unsupported', 'lookahead'],
    ['(', 'bad_request', undefined],
    ['[z-a]', 'bad_request', undefined],
    ['a**', 'bad_request', undefined],
  ])('%s → %s %s', (q, code, feature) => {
    let caught: unknown;
    try {
      regex(q);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe(code);
    expect((caught as AppError).details.feature).toBe(feature);
  });
});

/** Lines with case pairs, non-ASCII letters, the long s, the Kelvin sign and a dotted I. */
const TEXTS = ['Error: ERROR error', 'ſtop STOP stop', 'K k \u212a', 'İstanbul ISTANBUL', 'été ÉTÉ Été', 'µs ΜS μs', 'x_1 [X] a-b', ''];
const PATTERNS = ['error', 'e[a-z]+', '[^a-z ]+', 'st(op)?', 'k', '[k-l]', 'i', '\\w+', 'É|é', '[à-ÿ]+', 'µ', '[\\d_x]', '\\bs', '(?:er)+o?'];

describe('the rewritten pattern matches what `i` matched', () => {
  it.each(PATTERNS)('%s', (q) => {
    const compiled = regex(q);
    if (compiled.kind !== 'regex') throw new Error('expected a regex');
    const folded = new RegExp(compiled.source, 'g');
    const original = new RegExp(q, 'gi');
    for (const text of TEXTS) {
      const got = [...text.matchAll(folded)].map((m) => [m.index, m[0]]);
      const want = [...text.matchAll(original)].map((m) => [m.index, m[0]]);
      expect(got, `${q} on ${text}`).toEqual(want);
    }
  });
});

describe('the worst patterns finish in linear time', () => {
  it.each([
    ['(a|aa)+$', 'a'.repeat(5000) + 'b'],
    ['^(\\w+\\s?)*$', 'word '.repeat(1000) + '!'],
    ['(x+x+)+y', 'x'.repeat(5000)],
    ['.*.*.*.*~', 'a'.repeat(5000)],
  ])('%s', (q, text) => {
    for (const caseSensitive of [true, false]) {
      const compiled = regex(q, caseSensitive);
      if (compiled.kind !== 'regex') throw new Error('expected a regex');
      const started = performance.now();
      expect(new RegExp(compiled.source, 'g').exec(text)).toBeNull();
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });
});
