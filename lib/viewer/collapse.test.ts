import { describe, expect, it } from 'vitest';
import type { StepStatus } from '@/lib/contracts';
import { defaultStepOpen, INITIAL_VIEW_STATE, isGroupOpen, isStepOpen, setAll, setOpen } from './collapse';
import { buildSections } from './sections';
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
    expect(defaultStepOpen(step('s', 1, status))).toBe(open);
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
