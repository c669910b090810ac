import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendGate, createTestDatabase, POSTGRES_TEST_URL, postgresReachable, type TestDatabase } from '../../test/support';
import type { DeliveryRecord } from '../contracts/webhooks';
import { MemoryDeliveryLog, PostgresDeliveryLog } from './delivery-log';

const rec = (i: number, state: DeliveryRecord['state']): DeliveryRecord => ({
  id: `whd_${i}`,
  event: 'step.finished',
  job: `j-${i}`,
  url: 'https://hooks.example.com/logscope',
  key: 'ci',
  state,
  attempts: state === 'queued' ? 0 : 2,
  statusCode: state === 'delivered' ? 204 : null,
  error: null,
  queuedAt: 1000 + i,
  lastAttemptAt: null,
  lastDurationMs: null,
  finishedAt: null,
});

describe('memory delivery log', () => {
  it('keeps the newest records, updated in place, newest first', async () => {
    const log = new MemoryDeliveryLog(3);
    for (let i = 0; i < 5; i++) log.record(rec(i, 'queued'));
    log.record(rec(3, 'delivered'));
    expect((await log.list(10)).map((r) => [r.id, r.state])).toEqual([
      ['whd_4', 'queued'],
      ['whd_3', 'delivered'],
      ['whd_2', 'queued'],
    ]);
    expect(await log.list(1)).toHaveLength(1);
  });
});

const gate = await backendGate(`PostgreSQL (${POSTGRES_TEST_URL})`, await postgresReachable());
if (gate === 'fail') {
  it('PostgreSQL is reachable (required on CI)', () => {
    expect.fail(`PostgreSQL at ${POSTGRES_TEST_URL} is not reachable`);
  });
}
if (gate === 'run') {
  describe('postgres delivery log', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => db?.drop());

    it('is shared by the servers on one database and survives a restart', async () => {
      const a = new PostgresDeliveryLog(db.url, 50);
      const b = new PostgresDeliveryLog(db.url, 50);
      a.record(rec(1, 'queued'));
      b.record(rec(2, 'queued'));
      a.record(rec(1, 'delivered'));
      await Promise.all([a.flush(), b.flush()]);
      expect((await b.list(10)).map((r) => [r.id, r.state])).toEqual([
        ['whd_2', 'queued'],
        ['whd_1', 'delivered'],
      ]);
      await Promise.all([a.close(), b.close()]);
      const restarted = new PostgresDeliveryLog(db.url, 50);
      expect(await restarted.list(10)).toEqual([rec(2, 'queued'), rec(1, 'delivered')]);
      await restarted.close();
    });

    it('trims itself to the newest records', async () => {
      const log = new PostgresDeliveryLog(db.url, 20);
      for (let i = 100; i < 400; i++) {
        log.record(rec(i, 'delivered'));
        if (i % 50 === 0) await log.flush();
      }
      await log.flush();
      // trimming runs every 200 records written: never more than max + 200 rows
      const rows = await log.list(1000);
      expect(rows.length).toBeLessThanOrEqual(20 + 200);
      expect(rows[0]?.id).toBe('whd_399');
      await log.close();
    });
  });
}
