import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects } from './subjects';

/** Test support: unique stream prefixes per run, deleted afterwards. Not used by production code. */
export const NATS_TEST_URL = process.env.LOGSCOPE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export async function natsReachable(url = NATS_TEST_URL): Promise<boolean> {
  try {
    const nc = await connect({ servers: url.replace(/^nats:\/\//, '').split('?')[0]?.split(',') ?? [], timeout: 2_000, maxReconnectAttempts: 0 });
    try {
      await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

export function uniquePrefix(): string {
  return `lst${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes the two streams of a prefix (ignoring ones that were never created). */
export async function deleteStreams(url: string, prefix: string): Promise<void> {
  const subjects = new Subjects(prefix);
  const nc = await connect({ servers: url.replace(/^nats:\/\//, '').split('?')[0]?.split(',') ?? [], timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    for (const name of [subjects.logStream, subjects.metaStream]) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

export function withPrefix(url: string, prefix: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}prefix=${prefix}`;
}
