import { describe, expect, it } from 'vitest';
import type { StepStatus } from '@/lib/contracts';
import { defaultStepOpen, INITIAL_VIEW_STATE, isGroupOpen, isStepOpen, setAll, setOpen } from './collapse';
import { buildSections, rememberStatuses } from './sections';
import { group, step } from './test-helpers';

describe('default step state', () => {
  const table: [StepStatus, boolean][] = [
    ['running', true],
    ['failure', true],
    ['cancelled', true],
    ['success', false],
    ['pending', false],
    ['skipped', false],
  ];
  it.each(table)('%s → open=%s', (status, open) => {
    expect(defaultStepOpen(status)).toBe(open);
  });
});

describe('collapse state', () => {
  const [section] = buildSections([step('s', 10, 'failure', { groups: [group('g', 2, 3)] })]);

  it('keys with prototype names are plain data', () => {
    const s = setOpen(INITIAL_VIEW_STATE, '__proto__', false);
    expect(s.open.get('__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('a toggle after collapse-all wins; expand-all forgets toggles', () => {
    const toggled = setOpen(setAll(INITIAL_VIEW_STATE, false), 's', true);
    expect(isStepOpen(toggled, section!)).toBe(true);
    expect(isGroupOpen(toggled, section!, section!.groups[0]!)).toBe(false);
    const all = setAll(setOpen(INITIAL_VIEW_STATE, 's', false), true);
    expect(isStepOpen(all, section!)).toBe(true);
  });

  it('a group in a failed step opens by default', () => {
    expect(isGroupOpen(INITIAL_VIEW_STATE, section!, section!.groups[0]!)).toBe(true);
  });
});

describe('defaults follow the first status seen', () => {
  it('a step watched while running stays open (with its groups) after it passes', () => {
    const memory = new Map<string, StepStatus>();
    expect(rememberStatuses(memory, [step('w', 3, 'pending'), step('old', 2, 'success')])).toBe(true);
    expect(memory.has('w')).toBe(false);
    rememberStatuses(memory, [step('w', 3, 'running')]);
    const passed = [step('w', 3, 'success', { groups: [group('g', 1, 2)] }), step('old', 2, 'success')];
    expect(rememberStatuses(memory, passed)).toBe(false);
    const [watched, old] = buildSections(passed, undefined, memory);
    expect(isStepOpen(INITIAL_VIEW_STATE, watched!)).toBe(true);
    expect(isGroupOpen(INITIAL_VIEW_STATE, watched!, watched!.groups[0]!)).toBe(true);
    expect(isStepOpen(INITIAL_VIEW_STATE, old!)).toBe(false);
  });
});

describe("the producer's hints", () => {
  // Buildkite: `+++` expanded (collapsed: false), `---`/`~~~` collapsed; GitLab `[collapsed=…]`.
  const table: [StepStatus, boolean | undefined, boolean][] = [
    ['success', false, true],
    ['success', undefined, false],
    ['success', true, false],
    ['failure', true, true], // holds the failed step's last line: where the error is
    ['failure', undefined, true],
    ['running', false, true],
  ];
  it.each(table)('a group in a %s step with collapsed=%s → open=%s', (status, collapsed, open) => {
    const [section] = buildSections([step('s', 10, status, { groups: [group('g', 2, 10, collapsed === undefined ? {} : { collapsed })] })]);
    expect(isGroupOpen(INITIAL_VIEW_STATE, section!, section!.groups[0]!)).toBe(open);
  });
});
