import 'server-only';
import { endEventSchema, jobEventSchema, stepMetaSchema } from '../../contracts';
import type { StoreEvent } from '../types';
import { isMark, isUpdate, linesOf, toLinesMessage, updatesOf } from './codec';
import { decodeToken, type Subjects } from './subjects';

/** A log-stream message as a StoreEvent (cursor = stream sequence); marks (seals, fences) are not events. */
export function toEvent(subjects: Subjects, subject: string, seq: number, value: unknown): StoreEvent | null {
  const cursor = String(seq);
  const stepToken = subject.split('.')[3] ?? '';
  switch (subjects.kindOf(subject)) {
    case 'lines': {
      const message = toLinesMessage(value);
      if (isMark(message)) return null;
      // an update message of a run holds the run's earlier rewrites too: replaying them is idempotent
      if (isUpdate(message)) return { type: 'update', cursor, step: decodeToken(stepToken), lines: updatesOf(message) };
      return { type: 'lines', cursor, step: decodeToken(stepToken), lines: linesOf(message) };
    }
    case 'step':
      return { type: 'step', cursor, step: stepMetaSchema.parse(value) };
    case 'job':
      return { type: 'job', cursor, job: jobEventSchema.parse(value) };
    case 'end':
      return { type: 'end', cursor, status: endEventSchema.parse(value).status };
    case 'deleted':
      return { type: 'deleted', cursor, job: decodeToken(subject.split('.')[1] ?? '') };
    default:
      return null;
  }
}
