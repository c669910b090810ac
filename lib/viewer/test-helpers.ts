import type { Group, StepMeta, StepStatus } from '@/lib/contracts';

/** Builders for test tables: a step or group with only the fields a case cares about. */
export function step(id: string, lines: number, status: StepStatus = 'success', extra: Partial<StepMeta> = {}): StepMeta {
  return { id, name: id, parent: null, status, startedAt: null, endedAt: null, lines, groups: [], ...extra };
}

export function group(id: string, start: number, end: number | null, extra: Partial<Group> = {}): Group {
  return { id, name: id, parent: null, start, end, startedAt: null, endedAt: null, ...extra };
}
