import { describe, expect, it } from 'vitest';
import type { Group, Line, PutJobBody, StepMeta } from '../../contracts';
import { JobCompletedError, LineGapError, QuotaError, StaleAppendError } from '../../errors';
import { MAX_EVENT_LINES } from './lines';
import { endedStepStatus, planAppend, planComplete, planGroups, planPutJob, planPutStep, planStart, type JobHead } from './plans';
import { newStep } from './steps';
import { MAX_GROUPS_PER_STEP, MAX_JOB_BYTES, MAX_STEPS_PER_JOB } from './quotas';

const NOW = 1_700_000_000_000;
const EARLIER = NOW - 5000;

function step(id: string, patch: Partial<StepMeta> = {}): StepMeta {
  return { ...newStep(id), ...patch };
}

function lines(from: number, to: number): Line[] {
  const out: Line[] = [];
  for (let n = from; n <= to; n++) out.push({ n, ts: n, stream: 'out', text: `l${n}` });
  return out;
}

const group: Group = { id: 'g', name: 'G', parent: null, start: 1, end: null, startedAt: null, endedAt: null };

const running: JobHead = { id: 'job', status: 'running', title: 'Build', labels: { a: '1' }, endedAt: null };
const completed: JobHead = { ...running, status: 'failure', endedAt: EARLIER };

describe('planPutStep', () => {
  it.each([
    { name: 'creates a pending step named after its id', existing: undefined, body: {}, changed: true, step: step('s') },
    { name: 'creates and starts', existing: undefined, body: { status: 'running' as const }, changed: true, step: step('s', { status: 'running', startedAt: NOW }) },
    { name: 'renames', existing: step('s'), body: { name: 'Lint' }, changed: true, step: step('s', { name: 'Lint' }) },
    { name: 'no change is no write', existing: step('s', { name: 'Lint' }), body: { name: 'Lint' }, changed: false, step: step('s', { name: 'Lint' }) },
    {
      name: 'running again keeps startedAt',
      existing: step('s', { status: 'running', startedAt: EARLIER }),
      body: { status: 'running' as const },
      changed: false,
      step: step('s', { status: 'running', startedAt: EARLIER }),
    },
    {
      name: 'a final status stamps endedAt and a missing startedAt',
      existing: step('s'),
      body: { status: 'skipped' as const, internal: true, parent: 'p' },
      changed: true,
      step: step('s', { status: 'skipped', startedAt: NOW, endedAt: NOW, internal: true, parent: 'p' }),
    },
  ])('$name', ({ existing, body, changed, step: expected }) => {
    const plan = planPutStep(existing, 's', body, NOW, { steps: 1 });
    expect(plan.changed).toBe(changed);
    expect(plan.step).toEqual(expected);
    if (!changed) expect(plan.step).toBe(existing);
  });
});

describe('planPutJob', () => {
  const steps = new Map([['a', step('a', { name: 'A', status: 'running', startedAt: EARLIER, lines: 7 })]]);

  it.each([
    { name: 'nothing given', job: running, body: {}, title: 'Build', labels: { a: '1' }, changed: false, event: false, steps: [] },
    { name: 'same title and labels', job: running, body: { title: 'Build', labels: { a: '1' } }, title: 'Build', labels: { a: '1' }, changed: false, event: false, steps: [] },
    { name: 'new title', job: running, body: { title: 'Deploy' }, title: 'Deploy', labels: { a: '1' }, changed: true, event: true, steps: [] },
    { name: 'labels replaced, not merged', job: running, body: { labels: { b: '2' } }, title: 'Build', labels: { b: '2' }, changed: true, event: false, steps: [] },
    { name: 'a completed job takes a body that changes nothing', job: completed, body: { title: 'Build', labels: { a: '1' } }, title: 'Build', labels: { a: '1' }, changed: false, event: false, steps: [] },
    {
      name: 'declares new steps and renames known ones, keeping their state',
      job: running,
      body: { steps: [{ id: 'b', internal: true }, { id: 'a', name: 'Compile' }] },
      title: 'Build',
      labels: { a: '1' },
      changed: false,
      event: false,
      steps: [step('b', { internal: true }), step('a', { name: 'Compile', status: 'running', startedAt: EARLIER, lines: 7 })],
    },
    { name: 'an unchanged declaration is no write', job: running, body: { steps: [{ id: 'a', name: 'A' }] }, title: 'Build', labels: { a: '1' }, changed: false, event: false, steps: [] },
    { name: 'a completed job takes an unchanged declaration', job: completed, body: { steps: [{ id: 'a', name: 'A' }] }, title: 'Build', labels: { a: '1' }, changed: false, event: false, steps: [] },
    {
      name: 'a step declared twice builds on its first declaration',
      job: running,
      body: { steps: [{ id: 'c', name: 'C' }, { id: 'c', parent: 'a' }] },
      title: 'Build',
      labels: { a: '1' },
      changed: false,
      event: false,
      steps: [step('c', { name: 'C', parent: 'a' })],
    },
  ])('$name', ({ job, body, title, labels, changed, event, steps: expected }) => {
    const plan = planPutJob(job, steps, body as PutJobBody, NOW, { steps: 1 });
    expect(plan).toMatchObject({ title, labels, changed });
    expect(plan.event).toEqual(event ? { id: 'job', status: 'running', title, endedAt: null } : null);
    expect(plan.steps).toEqual(expected);
  });

  it.each([
    { name: 'a new step', decl: { id: 'new' } },
    { name: 'a rename', decl: { id: 'a', name: 'Renamed' } },
  ])('refuses a declaration of $name on a completed job', ({ decl }) => {
    expect(() => planPutJob(completed, steps, { steps: [decl] }, NOW, { steps: 1 })).toThrow(JobCompletedError);
  });

  it.each<{ name: string; body: PutJobBody }>([
    { name: 'a new title', body: { title: 'Deploy' } },
    { name: 'new labels', body: { labels: { b: '2' } } },
    { name: 'no labels', body: { labels: {} } },
  ])('refuses $name on a completed job (it is immutable)', ({ body }) => {
    expect(() => planPutJob(completed, steps, body, NOW, { steps: 1 })).toThrow(JobCompletedError);
  });

  it('refuses declarations past the steps quota, counting the job\'s steps, and takes a redeclaration', () => {
    const full = { steps: MAX_STEPS_PER_JOB - 1 };
    expect(planPutJob(running, steps, { steps: [{ id: 'b' }, { id: 'b', name: 'B' }] }, NOW, full).steps).toHaveLength(1);
    expect(() => planPutJob(running, steps, { steps: [{ id: 'b' }, { id: 'c' }] }, NOW, full)).toThrow(
      expect.objectContaining({ code: 'quota_exceeded', status: 409, details: { limit: 'steps_per_job', max: MAX_STEPS_PER_JOB } }),
    );
    expect(planPutJob(running, steps, { steps: [{ id: 'a', name: 'A2' }] }, NOW, { steps: MAX_STEPS_PER_JOB }).steps).toHaveLength(1);
  });
});

describe('quotas', () => {
  it('refuses a new step past steps_per_job in PUT step and append, but not a known one', () => {
    const full = { steps: MAX_STEPS_PER_JOB };
    expect(() => planPutStep(undefined, 'new', {}, NOW, full)).toThrow(QuotaError);
    expect(() => planStart(undefined, 'new', NOW, full)).toThrow(QuotaError);
    expect(() => planAppend(undefined, 'new', { lines: lines(1, 1) }, NOW, { ...full, bytes: 0 })).toThrow(QuotaError);
    expect(planPutStep(step('s'), 's', { name: 'S' }, NOW, full).changed).toBe(true);
    expect(planAppend(step('s'), 's', { lines: lines(1, 1) }, NOW, { ...full, bytes: 0 }).accepted).toHaveLength(1);
  });

  it('refuses groups past groups_per_step', () => {
    const many = Array.from({ length: MAX_GROUPS_PER_STEP + 1 }, (_, i) => ({ ...group, id: `g${i}` }));
    expect(() => planGroups(step('s'), many)).toThrow(expect.objectContaining({ code: 'quota_exceeded', details: { limit: 'groups_per_step', max: MAX_GROUPS_PER_STEP } }));
    expect(planGroups(step('s'), many.slice(1))?.groups).toHaveLength(MAX_GROUPS_PER_STEP);
  });

  it('refuses a batch that would pass job_bytes, whole, and counts the accepted bytes', () => {
    const batch = { lines: [{ n: 1, ts: 1, stream: 'out' as const, text: 'héllo' }] };
    expect(planAppend(undefined, 's', batch, NOW, { steps: 0, bytes: 0 }).bytes).toBe(6);
    expect(planAppend(undefined, 's', batch, NOW, { steps: 0, bytes: MAX_JOB_BYTES - 6 }).bytes).toBe(6);
    expect(() => planAppend(undefined, 's', batch, NOW, { steps: 0, bytes: MAX_JOB_BYTES - 5 })).toThrow(
      expect.objectContaining({ code: 'quota_exceeded', details: { limit: 'job_bytes', max: MAX_JOB_BYTES } }),
    );
    // a retry of stored lines adds nothing, so it is never refused
    expect(planAppend(step('s', { lines: 1 }), 's', batch, NOW, { steps: 1, bytes: MAX_JOB_BYTES }).duplicates).toBe(1);
  });
});

describe('planAppend at the end', () => {
  const live = step('s', { status: 'running', startedAt: EARLIER, lines: 10 });
  it.each([
    { name: 'numbers after the last line, whatever n the lines carry', existing: live, ns: [1, 1, 7], base: undefined, first: 11 },
    { name: 'numbers a new step from 1', existing: undefined, ns: [0, 0], base: undefined, first: 1 },
    { name: 'takes a base equal to the last line', existing: live, ns: [11, 12], base: 10, first: 11 },
  ])('$name', ({ existing, ns, base, first }) => {
    const batch = { mode: 'end' as const, lines: ns.map((n) => ({ n, ts: 1, stream: 'out' as const, text: `t${n}` })), ...(base === undefined ? {} : { base }) };
    const plan = planAppend(existing, 's', batch, NOW, { steps: 1, bytes: 0 });
    expect(plan.accepted.map((l) => l.n)).toEqual(ns.map((_, i) => first + i));
    expect(plan.accepted.map((l) => l.text)).toEqual(ns.map((n) => `t${n}`));
    expect(plan).toMatchObject({ duplicates: 0, last: first + ns.length - 1 });
  });

  it('refuses a stale base with the step\'s last line, before anything else', () => {
    const error = (() => {
      try {
        planAppend(live, 's', { mode: 'end', base: 8, lines: lines(9, 9) }, NOW, { steps: 1, bytes: 0 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StaleAppendError);
    expect(error).toMatchObject({ code: 'conflict', last: 10 });
  });
});

describe('planStart', () => {
  it.each([
    { name: 'unknown step: created running', existing: undefined, started: step('s', { status: 'running', startedAt: NOW }) },
    { name: 'pending step: started', existing: step('s', { name: 'S' }), started: step('s', { name: 'S', status: 'running', startedAt: NOW }) },
    { name: 'pending step keeps an earlier startedAt', existing: step('s', { startedAt: EARLIER }), started: step('s', { status: 'running', startedAt: EARLIER }) },
    { name: 'running step: unchanged', existing: step('s', { status: 'running', startedAt: EARLIER }), started: null },
    { name: 'ended step: unchanged', existing: step('s', { status: 'success', startedAt: EARLIER, endedAt: EARLIER }), started: null },
  ])('$name', ({ existing, started }) => {
    expect(planStart(existing, 's', NOW, { steps: 1 })).toEqual(started);
  });
});

describe('planGroups', () => {
  it.each([
    { name: 'no groups given', current: [], groups: undefined, next: null },
    { name: 'same groups', current: [group], groups: [{ ...group }], next: null },
    { name: 'new groups', current: [], groups: [group], next: [group] },
    { name: 'cleared groups', current: [group], groups: [], next: [] },
  ])('$name', ({ current, groups, next }) => {
    const plan = planGroups(step('s', { groups: current }), groups);
    expect(plan?.groups ?? null).toEqual(next);
    if (plan && groups) expect(plan.groups).not.toBe(groups);
  });
});

describe('planAppend', () => {
  const live = step('s', { status: 'running', startedAt: EARLIER, lines: 10 });

  it.each([
    {
      name: 'first lines of an unknown step',
      existing: undefined,
      batch: { lines: lines(1, 3) },
      accepted: 3,
      duplicates: 0,
      last: 3,
      started: step('s', { status: 'running', startedAt: NOW }),
      chunks: [3],
      regrouped: null,
    },
    {
      name: 'first lines of a pending step',
      existing: step('s', { name: 'S' }),
      batch: { lines: lines(1, 2) },
      accepted: 2,
      duplicates: 0,
      last: 2,
      started: step('s', { name: 'S', status: 'running', startedAt: NOW }),
      chunks: [2],
      regrouped: null,
    },
    { name: 'more lines of a running step', existing: live, batch: { lines: lines(11, 12) }, accepted: 2, duplicates: 0, last: 12, started: null, chunks: [2], regrouped: null },
    { name: 'an overlapping retry', existing: live, batch: { lines: lines(6, 15) }, accepted: 5, duplicates: 5, last: 15, started: null, chunks: [5], regrouped: null },
    { name: 'a whole retry', existing: live, batch: { lines: lines(1, 10) }, accepted: 0, duplicates: 10, last: 10, started: null, chunks: [], regrouped: null },
    {
      name: 'a big batch is cut into events',
      existing: live,
      batch: { lines: lines(11, 10 + MAX_EVENT_LINES * 2 + 1) },
      accepted: MAX_EVENT_LINES * 2 + 1,
      duplicates: 0,
      last: 10 + MAX_EVENT_LINES * 2 + 1,
      started: null,
      chunks: [MAX_EVENT_LINES, MAX_EVENT_LINES, 1],
      regrouped: null,
    },
    {
      name: 'new groups with lines: the step carries the new line count',
      existing: live,
      batch: { lines: lines(11, 11), groups: [group] },
      accepted: 1,
      duplicates: 0,
      last: 11,
      started: null,
      chunks: [1],
      regrouped: { ...live, lines: 11, groups: [group] },
    },
    {
      name: 'new groups on a retry still change the groups',
      existing: live,
      batch: { lines: lines(10, 10), groups: [group] },
      accepted: 0,
      duplicates: 1,
      last: 10,
      started: null,
      chunks: [],
      regrouped: { ...live, groups: [group] },
    },
    { name: 'unchanged groups', existing: { ...live, groups: [group] }, batch: { lines: [], groups: [group] }, accepted: 0, duplicates: 0, last: 10, started: null, chunks: [], regrouped: null },
    {
      name: 'groups of a new step build on the started step',
      existing: undefined,
      batch: { lines: lines(1, 1), groups: [group] },
      accepted: 1,
      duplicates: 0,
      last: 1,
      started: step('s', { status: 'running', startedAt: NOW }),
      chunks: [1],
      regrouped: step('s', { status: 'running', startedAt: NOW, lines: 1, groups: [group] }),
    },
  ])('$name', ({ existing, batch, accepted, duplicates, last, started, chunks, regrouped }) => {
    const plan = planAppend(existing, 's', batch, NOW, { steps: 1, bytes: 0 });
    expect(plan.accepted).toEqual(batch.lines.filter((l) => l.n > (existing?.lines ?? 0)));
    expect(plan.accepted).toHaveLength(accepted);
    expect(plan).toMatchObject({ duplicates, last, started, regrouped });
    expect(plan.chunks.map((c) => c.length)).toEqual(chunks);
  });

  it('refuses a gap before deciding anything else', () => {
    expect(() => planAppend(undefined, 's', { lines: lines(2, 3), groups: [group] }, NOW, { steps: 0, bytes: 0 })).toThrow(LineGapError);
    expect(() => planAppend(live, 's', { lines: lines(12, 13) }, NOW, { steps: 1, bytes: 0 })).toThrow(LineGapError);
  });
});

describe('planComplete', () => {
  const steps = [
    step('pending'),
    step('running', { status: 'running', startedAt: EARLIER }),
    step('done', { status: 'failure', startedAt: EARLIER, endedAt: EARLIER }),
    step('skipped', { status: 'skipped', startedAt: EARLIER, endedAt: EARLIER }),
  ];

  it.each([
    { status: 'success' as const, ended: 'success' },
    { status: 'failure' as const, ended: 'cancelled' },
    { status: 'cancelled' as const, ended: 'cancelled' },
  ])('a $status job ends its open steps as $ended', ({ status, ended }) => {
    expect(endedStepStatus(status)).toBe(ended);
    const plan = planComplete({ id: 'job', title: 'Build' }, steps, status, NOW);
    expect(plan.ended.map((s) => [s.id, s.status, s.startedAt, s.endedAt])).toEqual([
      ['pending', ended, NOW, NOW],
      ['running', ended, EARLIER, NOW],
    ]);
    expect(plan.steps.map((s) => s.status)).toEqual([ended, ended, 'failure', 'skipped']);
    expect(plan.steps[2]).toBe(steps[2]);
    expect(plan.job).toEqual({ id: 'job', status, title: 'Build', endedAt: NOW });
  });

  it('ends nothing when every step has ended', () => {
    expect(planComplete({ id: 'job', title: '' }, [], 'success', NOW)).toEqual({ steps: [], ended: [], job: { id: 'job', status: 'success', title: '', endedAt: NOW } });
  });
});
