/**
 * A small, strict argument parser for the CLI: `--flag value`, `--flag=value`, boolean
 * switches, repeatable flags, and `--` (everything after it is the command to run). Parsing
 * stops at the first positional when `stopAtPositional` is set, so that
 * `logscope run --step s make -j4` hands `-j4` to make, as `env` and `nohup` do.
 */
export type FlagKind = 'string' | 'boolean' | 'list';
export type FlagSpec = Record<string, { kind: FlagKind; short?: string }>;

export interface ParsedArgs {
  strings: Record<string, string>;
  lists: Record<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
  /** the words after `--` (or after the first positional with stopAtPositional) */
  rest: string[];
  sawSeparator: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, options: { stopAtPositional?: boolean } = {}): ParsedArgs {
  const parsed: ParsedArgs = { strings: {}, lists: {}, booleans: new Set(), positionals: [], rest: [], sawSeparator: false };
  const byShort = new Map(Object.entries(spec).flatMap(([name, s]) => (s.short ? [[s.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      parsed.sawSeparator = true;
      parsed.rest = argv.slice(i + 1);
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option ${arg}`);
    } else {
      if (options.stopAtPositional) {
        parsed.rest = argv.slice(i);
        break;
      }
      parsed.positionals.push(arg);
      continue;
    }
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option --${name}`);
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.booleans.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next === '--') throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (flag.kind === 'list') (parsed.lists[name] ??= []).push(value);
    else {
      if (name in parsed.strings) throw new UsageError(`--${name} given twice`);
      parsed.strings[name] = value;
    }
  }
  return parsed;
}
