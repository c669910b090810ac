import 'server-only';
import type { PutJobBody, PutStepBody } from '../contracts';
import { maskPlain } from './masks';

/**
 * Names a producer sends in `PUT job` / `PUT step` bodies, masked with the job's masks as they
 * are when the request is handled (group names come from the log and are masked by ingest).
 * A masked name is never longer: a value has at least MIN_MASK_CHARS characters and `***` 3.
 */

export function maskJobBody(body: PutJobBody, masks: readonly string[]): PutJobBody {
  if (masks.length === 0) return body;
  const out: PutJobBody = { ...body };
  if (body.title !== undefined) out.title = maskPlain(body.title, masks);
  if (body.labels !== undefined) {
    out.labels = Object.fromEntries(Object.entries(body.labels).map(([k, v]) => [maskPlain(k, masks), maskPlain(v, masks)]));
  }
  if (body.steps !== undefined) out.steps = body.steps.map((s) => (s.name === undefined ? s : { ...s, name: maskPlain(s.name, masks) }));
  return out;
}

export function maskStepBody(body: PutStepBody, masks: readonly string[]): PutStepBody {
  if (masks.length === 0 || body.name === undefined) return body;
  return { ...body, name: maskPlain(body.name, masks) };
}
