import 'server-only';
import { connect } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { badRequest } from '../../errors';
import type { LogStore } from '../types';
import { Context } from './context';
import { toStoreError } from './errors';
import { NatsStore } from './store';
import { Subjects } from './subjects';

export interface NatsStoreConfig {
  /**
   * `nats://host:4222[,host2:4222,…][?replicas=3&prefix=logscope]`. Several hosts are one
   * cluster (the client fails over between them); `replicas` applies when the streams are
   * created; `prefix` names the streams and subjects (tests use a unique one per run).
   */
  url: string;
}

/** Connect and JetStream API timeouts: a stopped server becomes a 503 within this bound. */
const TIMEOUT_MS = 5_000;
const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

export function parseNatsUrl(url: string): { servers: string[]; replicas: number; prefix: string } {
  const [hosts = '', query = ''] = url.replace(/^nats:\/\//, '').split('?', 2);
  const params = new URLSearchParams(query);
  const replicas = Number(params.get('replicas') ?? '1');
  const prefix = params.get('prefix') ?? 'logscope';
  if (![1, 3, 5].includes(replicas)) throw badRequest('LOGSCOPE_STORE: replicas must be 1, 3 or 5');
  if (!PREFIX_PATTERN.test(prefix)) throw badRequest('LOGSCOPE_STORE: prefix must match [a-z][a-z0-9_]{0,31}');
  const servers = hosts.split(',').filter(Boolean);
  return { servers: servers.length ? servers : ['127.0.0.1:4222'], replicas, prefix };
}

/**
 * Durability. A JetStream ack means the message is stored by the stream's quorum — but in the
 * OS page cache: nats-server fsyncs every `sync_interval` (2 min by default). With replicas 3
 * (the recommended production set-up) an acknowledged line survives the loss of any one machine,
 * because two others hold it. A single server (replicas 1) loses the last ≤ 2 minutes on power
 * loss unless the operator sets `jetstream { sync_interval: always }` (nats-server ≥ 2.10) —
 * the README tells operators exactly this. We do not rely on msgID de-duplication at all (it
 * only lasts the duplicate window): idempotency is the expected-last-subject-sequence check.
 */
function streamConfigs(subjects: Subjects, replicas: number): (Partial<StreamConfig> & { name: string })[] {
  const common = { storage: StorageType.File, num_replicas: replicas, allow_direct: true, discard: DiscardPolicy.Old };
  return [
    { ...common, name: subjects.logStream, subjects: [`${subjects.prefix}.>`] },
    // one message per subject: the meta stream is a key/value store (records, index entries)
    { ...common, name: subjects.metaStream, subjects: [`${subjects.metaPrefix}.>`], max_msgs_per_subject: 1 },
    // the steps' raw text (issue 13): apart from the log stream, so subscribers never carry it
    { ...common, name: subjects.rawStream, subjects: [`${subjects.rawPrefix}.>`] },
  ];
}

async function ensureStreams(jsm: JetStreamManager, subjects: Subjects, replicas: number): Promise<void> {
  for (const config of streamConfigs(subjects, replicas)) {
    const name = config.name;
    const exists = await jsm.streams.info(name).then(
      () => true,
      (error: unknown) => {
        if (error instanceof Error && /stream not found/i.test(error.message)) return false;
        throw error;
      },
    );
    if (exists) continue;
    // Two servers starting together both try: "already in use" with our config is fine.
    await jsm.streams.add(config).catch(async (error: unknown) => {
      if (!(error instanceof Error && /already in use/i.test(error.message))) throw error;
      await jsm.streams.info(name);
    });
  }
}

export async function createNatsStore(config: NatsStoreConfig): Promise<LogStore> {
  const { servers, replicas, prefix } = parseNatsUrl(config.url);
  const subjects = new Subjects(prefix);
  let nc;
  try {
    nc = await connect({
      servers,
      name: 'logscope',
      timeout: TIMEOUT_MS,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (error) {
    throw toStoreError(error);
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: TIMEOUT_MS });
    await ensureStreams(jsm, subjects, replicas);
    return new NatsStore(new Context(nc, jetstream(nc, { timeout: TIMEOUT_MS }), jsm, subjects));
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw toStoreError(error);
  }
}
