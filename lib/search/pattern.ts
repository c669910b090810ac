import 'server-only';
import { RegExpParser } from '@eslint-community/regexpp';
import type { AST } from '@eslint-community/regexpp';
import { AppError, badRequest } from '../errors';
import { caseVariants, closeUnderCase } from './case-fold';
import { runsInLinearTime } from './engine';

/**
 * What a search runs, decided once per request on the request thread (cheap: the query is at
 * most MAX_SEARCH_QUERY characters) and sent to a search worker:
 * - `substring`: exact `indexOf`;
 * - `folded`: an ASCII needle, lowercased, found with `indexOf` in the lowercased line; a line
 *   whose lowercase has another length (`İ`) is searched with `source` instead, so offsets stay exact;
 * - `regex`: a RegExp source without the `i` flag that V8's linear-time engine accepts.
 */
export type CompiledQuery =
  | { kind: 'substring'; needle: string }
  | { kind: 'folded'; needle: string; source: string }
  | { kind: 'regex'; source: string };

export interface QueryOptions {
  q: string;
  regex: boolean;
  /** true = case-sensitive */
  caseSensitive: boolean;
}

/** Regex syntax the linear-time engine cannot run, as named in a `regex_unsupported` error. */
export type UnsupportedFeature = 'backreference' | 'lookahead' | 'lookbehind' | 'syntax';

export function unsupported(feature: UnsupportedFeature, message: string): AppError {
  return new AppError('regex_unsupported', message, { feature });
}

const parser = new RegExpParser({ ecmaVersion: 2024 });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles an untrusted query. A regex that is invalid is a `bad_request`; one the linear engine cannot run, a `regex_unsupported`. */
export function compileQuery(options: QueryOptions): CompiledQuery {
  if (!options.regex) {
    if (options.caseSensitive) return { kind: 'substring', needle: options.q };
    const source = foldSource(escapeRegExp(options.q));
    if (/^[\x00-\x7f]*$/.test(options.q)) return { kind: 'folded', needle: options.q.toLowerCase(), source };
    return { kind: 'regex', source };
  }
  try {
    new RegExp(options.q);
  } catch (error) {
    throw badRequest(`invalid regex: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pattern = parse(options.q);
  refuseUnsupported(pattern);
  const source = options.caseSensitive ? options.q : emit(pattern);
  if (!runsInLinearTime(source)) throw unsupported('syntax', 'regex uses syntax the linear-time engine cannot run');
  return { kind: 'regex', source };
}

function parse(source: string): AST.Pattern {
  try {
    return parser.parsePattern(source, 0, source.length, { unicode: false, unicodeSets: false });
  } catch (error) {
    throw badRequest(`invalid regex: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Backreferences and lookarounds need backtracking: refused with the feature's name. */
function refuseUnsupported(node: AST.Node): void {
  switch (node.type) {
    case 'Backreference':
      throw unsupported('backreference', `regex backreferences (${node.raw}) are not supported`);
    case 'Assertion':
      if (node.kind === 'lookahead') throw unsupported('lookahead', `regex lookahead (${node.raw}) is not supported`);
      if (node.kind === 'lookbehind') throw unsupported('lookbehind', `regex lookbehind (${node.raw}) is not supported`);
      return;
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      for (const alternative of node.alternatives) refuseUnsupported(alternative);
      return;
    case 'Alternative':
      for (const element of node.elements) refuseUnsupported(element);
      return;
    case 'Quantifier':
      refuseUnsupported(node.element);
      return;
    default:
      return;
  }
}

/** A case-insensitive literal as a case-sensitive source (`ab` → `[Aa][Bb]`). */
function foldSource(escaped: string): string {
  return emit(parse(escaped));
}

function unitSource(unit: number): string {
  const c = String.fromCharCode(unit);
  return /[0-9A-Za-z]/.test(c) ? c : `\\u${unit.toString(16).padStart(4, '0')}`;
}

/** A class body (without brackets) listing the members of `set` as ranges. */
function setSource(set: Uint8Array): string {
  let out = '';
  for (let unit = 0; unit < set.length; unit++) {
    if (set[unit] !== 1) continue;
    let end = unit;
    while (end + 1 < set.length && set[end + 1] === 1) end++;
    out += end === unit ? unitSource(unit) : end === unit + 1 ? unitSource(unit) + unitSource(end) : `${unitSource(unit)}-${unitSource(end)}`;
    unit = end;
  }
  return out;
}

/**
 * The pattern's source with every character and class closed under case folding (case-fold.ts),
 * so that it matches without the `i` flag exactly what it matched with it. Everything else is
 * copied as written; `\d \s \w` and `.` are already closed under non-Unicode folding.
 */
function emit(node: AST.Node): string {
  switch (node.type) {
    case 'Pattern':
      return node.alternatives.map(emit).join('|');
    case 'Alternative':
      return node.elements.map(emit).join('');
    case 'Group':
    case 'CapturingGroup': {
      const first = node.alternatives[0];
      const open = first ? node.raw.slice(0, first.start - node.start) : node.raw.slice(0, -1);
      return `${open}${node.alternatives.map(emit).join('|')})`;
    }
    case 'Quantifier':
      return emit(node.element) + node.raw.slice(node.element.end - node.start);
    case 'Character': {
      const units = caseVariants(node.value);
      return units.length > 1 ? `[${units.map(unitSource).join('')}]` : node.raw;
    }
    case 'CharacterClass':
      return emitClass(node);
    default:
      return node.raw;
  }
}

function emitClass(node: AST.CharacterClass): string {
  const set = new Uint8Array(0x10000);
  let escapes = '';
  for (const element of node.elements) {
    if (element.type === 'Character') set[element.value] = 1;
    else if (element.type === 'CharacterClassRange') set.fill(1, element.min.value, element.max.value + 1);
    else escapes += element.raw;
  }
  closeUnderCase(set);
  return `[${node.negate ? '^' : ''}${escapes}${setSource(set)}]`;
}
