import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, type FlagSpec } from './args';

const spec: FlagSpec = {
  job: { kind: 'string' },
  step: { kind: 'string' },
  label: { kind: 'list' },
  quiet: { kind: 'boolean', short: 'q' },
};

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, booleans, lists and the command after --', () => {
    const a = parseArgs(['--job', 'j', '--step=s', '-q', '--label', 'a=1', '--label=b=2', '--', 'make', '--job', 'x'], spec);
    expect(a.strings).toEqual({ job: 'j', step: 's' });
    expect([...a.booleans]).toEqual(['quiet']);
    expect(a.lists.label).toEqual(['a=1', 'b=2']);
    expect(a.rest).toEqual(['make', '--job', 'x']);
    expect(a.sawSeparator).toBe(true);
  });

  it('stops at the first positional when asked (run CMD without --)', () => {
    const a = parseArgs(['--job', 'j', 'make', '-j4', '--step', 'x'], spec, { stopAtPositional: true });
    expect(a.strings).toEqual({ job: 'j' });
    expect(a.rest).toEqual(['make', '-j4', '--step', 'x']);
  });

  it('keeps positionals otherwise', () => {
    expect(parseArgs(['file.yml', '--job', 'j'], spec).positionals).toEqual(['file.yml']);
  });

  it('keeps an empty value given with =', () => {
    expect(parseArgs(['--job='], spec).strings.job).toBe('');
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['-x'], 'unknown option -x'],
    [['--job'], '--job needs a value'],
    [['--job', '--'], '--job needs a value'],
    [['--quiet=yes'], '--quiet takes no value'],
    [['--job', 'a', '--job', 'b'], '--job given twice'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(new UsageError(message));
  });
});
