import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AppError, type ErrorCode } from '../errors';
import { EVENT_SCHEMAS, type Line } from '../contracts';
import type { StoreEvent } from '../store/types';
import type { LiveHub, OpenOptions } from './hub';

// vitest only: reads what a viewer's browser would, to check the hub through its real bytes.

/**
 * A hub stream read back as store events, parsed from its SSE bytes: `lines` frames without an
 * id (the first parts of a large event) are joined to the next one, as a cursor names a whole
 * event; an `error` frame is thrown as an AppError with its code. The stream is read one chunk
 * at a time, only as the caller asks for events, so a caller that stops asking is a reader that
 * does not keep up.
 */
export async function* sseEvents(response: Response): AsyncGenerator<StoreEvent> {
  // the first frames of a large `lines` or `update` event (no id yet), by event name
  let pending: Line[] = [];
  for await (const batch of sseMessages(response)) {
    for (const message of batch) {
      const data: unknown = JSON.parse(message.data);
      const cursor = message.id ?? '';
      if (message.event === 'error') {
        const { code, message: text } = EVENT_SCHEMAS.error.parse(data);
        throw new AppError(code as ErrorCode, text);
      }
      if (message.event === 'lines' || message.event === 'update') {
        const type = message.event;
        const { step, lines } = EVENT_SCHEMAS[type].parse(data);
        pending.push(...lines);
        if (message.id === undefined) continue;
        const event: StoreEvent = { type, cursor, step, lines: pending };
        pending = [];
        yield event;
      } else if (message.event === 'step') {
        yield { type: 'step', cursor, step: EVENT_SCHEMAS.step.parse(data).step };
      } else if (message.event === 'job') {
        yield { type: 'job', cursor, job: EVENT_SCHEMAS.job.parse(data) };
      } else if (message.event === 'end') {
        yield { type: 'end', cursor, status: EVENT_SCHEMAS.end.parse(data).status };
      }
    }
  }
}

/**
 * An SSE response's messages, one batch per chunk read, each chunk read only when the caller
 * asks for the next batch (a caller that stops asking is a reader that does not keep up). The
 * body is cancelled when the caller stops.
 */
export async function* sseMessages(response: Response): AsyncGenerator<EventSourceMessage[]> {
  const reader = response.body!.getReader();
  let parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => parsed.push(message) });
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      const batch = parsed;
      parsed = [];
      yield batch;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A viewer of the job through the hub, as store events (see sseEvents). */
export function watch(hub: LiveHub, jobId: string, after: string | null, signal: AbortSignal, options: Partial<OpenOptions> = {}): AsyncGenerator<StoreEvent> {
  return sseEvents(hub.open({ jobId, after, signal, ...options }));
}
