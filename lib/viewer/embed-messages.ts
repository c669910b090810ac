/**
 * The messages the iframe route (`/embed/jobs/{job}`) posts to its parent window: docs/api.md
 * "Embedding: postMessage events". Versioned: a change that breaks a listener gets a new `v`.
 * Sent only to the `?parentOrigin=` the page was given, and only when that origin is one of
 * LOGSCOPE_EMBED_ORIGINS (never to `*`). The frame listens to no message.
 */

/** The schema version of every message. */
export const EMBED_MESSAGE_VERSION = 1;
/** The `source` of every message, for a parent that listens to several kinds. */
export const EMBED_MESSAGE_SOURCE = 'logscope';

interface Base {
  source: typeof EMBED_MESSAGE_SOURCE;
  v: typeof EMBED_MESSAGE_VERSION;
  /** the job shown */
  job: string;
}

export type EmbedMessage =
  /** the viewer has loaded the job and shows its log */
  | (Base & { type: 'ready'; /** the step shown alone (`?step=`), else null */ step: string | null })
  /** the height (CSS px) the frame's content needs to show without scrolling; sent when it changes */
  | (Base & { type: 'height'; height: number })
  /** a click on a line number: the selection it made (lines `line`..`to` of `step`) and its Logscope URL */
  | (Base & { type: 'line'; step: string; line: number; to: number; url: string })
  /** the job ended (sent once; at load if it already had) */
  | (Base & { type: 'ended'; status: 'success' | 'failure' | 'cancelled' });

type Body<T extends EmbedMessage['type']> = Omit<Extract<EmbedMessage, { type: T }>, keyof Base | 'type'>;

export function embedMessage<T extends EmbedMessage['type']>(type: T, job: string, body: Body<T>): Extract<EmbedMessage, { type: T }> {
  const message = { source: EMBED_MESSAGE_SOURCE, v: EMBED_MESSAGE_VERSION, type, job, ...body };
  // TypeScript cannot narrow a generic spread to the union member; Body<T> is exactly its rest
  return message as unknown as Extract<EmbedMessage, { type: T }>;
}
