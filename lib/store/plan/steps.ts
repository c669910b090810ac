import 'server-only';
import type { MarkerDialect, PutStepBody, StepMeta, StepStatus } from '../../contracts';

/** Statuses after which a step has ended. */
export const FINAL_STEP_STATUSES: ReadonlySet<StepStatus> = new Set(['success', 'failure', 'cancelled', 'skipped']);

/** The fields the status machine reads; a NATS step record (no `lines`) is one too. */
export interface StepLike {
  name: string;
  parent: string | null;
  internal?: boolean;
  markers?: MarkerDialect;
  status: StepStatus;
  startedAt: number | null;
  endedAt: number | null;
}

/** A step nobody described yet: pending, named after its id, no lines. */
export function newStep(id: string): StepMeta {
  return { id, name: id, parent: null, status: 'pending', startedAt: null, endedAt: null, lines: 0, groups: [] };
}

/**
 * The step status machine every backend shares: a transition to running stamps startedAt
 * once; a final status stamps endedAt (and a missing startedAt). No change, same object.
 */
export function withStatus<S extends StepLike>(step: S, status: StepStatus, now: number): S {
  if (step.status === status) return step;
  const next = { ...step, status };
  if (status === 'running') next.startedAt = step.startedAt ?? now;
  if (FINAL_STEP_STATUSES.has(status)) {
    next.startedAt = step.startedAt ?? now;
    next.endedAt = now;
  }
  return next;
}

/**
 * `PUT step` applied to a step: name, parent, internal and markers as given, then the status machine.
 * A step declaration of `PUT job` is the same patch without a status.
 */
export function applyStepPatch<S extends StepLike>(step: S, body: PutStepBody, now: number): S {
  let next: S = { ...step };
  if (body.name !== undefined) next.name = body.name;
  if (body.parent !== undefined) next.parent = body.parent;
  if (body.internal !== undefined) next.internal = body.internal;
  if (body.markers !== undefined) next.markers = body.markers;
  if (body.status !== undefined) next = withStatus(next, body.status, now);
  return next;
}
