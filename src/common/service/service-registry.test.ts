import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import type { Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { openDatabase } from '../../cli/presets/databases.js';
import { configureLogging } from '../logging/logger.js';
import type { LogRecord } from '../logging/format.js';
import { NotFound } from '../errors/errors.js';
import { serviceRegistryMigrations } from './db/migrations/index.js';
import type { ServiceRegistryTables } from './db/tables.js';
import { ServiceRegistry } from './service-registry.js';

/** A clock tests move by hand; starts on a millisecond that native DATETIME would truncate. */
function fakeClock(start = '2026-11-22T10:15:30.123Z'): { now: () => Date; advance: (ms: number) => void } {
  let current = new Date(start).getTime();
  return { now: () => new Date(current), advance: (ms) => (current += ms) };
}

async function withRegistry(
  dialect: (typeof DIALECTS)[number],
  fn: (registry: ServiceRegistry, clock: ReturnType<typeof fakeClock>, db: Database) => Promise<void>,
): Promise<void> {
  await withTestDatabase(dialect, (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, serviceRegistryMigrations);
      const clock = fakeClock();
      await fn(new ServiceRegistry(db, { now: clock.now, serviceDownTimeSeconds: 60 }), clock, db);
    }),
  );
}

const compute = { binary: 'nova-compute', host: 'node1', topic: 'compute' };

for (const dialect of DIALECTS) {
  describe(`ServiceRegistry on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('register creates a record that is up, with timestamps exactly as written', () =>
      withRegistry(dialect, async (registry, clock) => {
        const record = await registry.register(compute);
        assert.deepEqual({ ...record, id: 0, uuid: '' }, {
          id: 0,
          uuid: '',
          ...compute,
          disabled: false,
          disabledReason: null,
          forcedDown: false,
          reportCount: 0,
          lastSeenAt: clock.now(),
          createdAt: clock.now(),
          updatedAt: clock.now(),
          up: true,
        });
        assert.equal(record.lastSeenAt?.toISOString(), '2026-11-22T10:15:30.123Z');
        assert.match(record.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.deepEqual(await registry.list(), [record]);
        assert.deepEqual(await registry.find({ uuid: record.uuid }), record);
        assert.deepEqual(await registry.find({ id: record.id }), record);
        assert.equal(await registry.find({ uuid: '00000000-0000-4000-8000-000000000000' }), undefined);
      }));

    test('registering again after a restart updates the same row and keeps operator flags', () =>
      withRegistry(dialect, async (registry, clock, db) => {
        const first = await registry.register(compute);
        await db.kysely
          .withTables<ServiceRegistryTables>()
          .updateTable('services')
          .set({ disabled: true, disabled_reason: 'maintenance' })
          .where('id', '=', first.id)
          .execute();
        clock.advance(120_000);
        const second = await registry.register({ ...compute, topic: 'compute.v2' });
        assert.equal(second.id, first.id);
        assert.equal(second.uuid, first.uuid, 'a restart keeps the uuid');
        assert.equal(second.topic, 'compute.v2');
        assert.equal(second.disabled, true);
        assert.equal(second.disabledReason, 'maintenance');
        assert.deepEqual(second.createdAt, first.createdAt);
        assert.deepEqual(second.lastSeenAt, clock.now());
        const other = await registry.register({ binary: 'nova-conductor', host: 'node1', topic: 'conductor' });
        assert.notEqual(other.id, first.id);
        assert.deepEqual(
          (await registry.list({ host: 'node1' })).map((s) => s.binary),
          ['nova-compute', 'nova-conductor'],
        );
        assert.deepEqual(
          (await registry.list({ binary: 'nova-conductor' })).map((s) => s.id),
          [other.id],
        );
      }));

    test('services registering the same (host, binary) at once end up with one row', () =>
      withRegistry(dialect, async (registry) => {
        const [a, b, c] = await Promise.all([registry.register(compute), registry.register(compute), registry.register(compute)]);
        assert.equal(a.id, b.id);
        assert.equal(b.id, c.id);
        assert.equal((await registry.list()).length, 1);
      }));

    test('heartbeats count reports and keep a service up; silence or force-down makes it down', () =>
      withRegistry(dialect, async (registry, clock, db) => {
        const { id } = await registry.register(compute);
        clock.advance(10_000);
        await registry.heartbeat(id);
        await registry.heartbeat(id);
        let [record] = await registry.list();
        assert.equal(record?.reportCount, 2);
        assert.deepEqual(record?.lastSeenAt, clock.now());
        clock.advance(60_000);
        assert.equal((await registry.list())[0]?.up, true, 'exactly the down time is still up');
        clock.advance(1);
        assert.equal((await registry.list())[0]?.up, false);
        await registry.heartbeat(id);
        assert.equal((await registry.list())[0]?.up, true);
        await db.kysely.withTables<ServiceRegistryTables>().updateTable('services').set({ forced_down: true }).execute();
        [record] = await registry.list();
        assert.equal(record?.forcedDown, true);
        assert.equal(record?.up, false);
        await assert.rejects(registry.heartbeat(id + 1000), NotFound);
      }));

    test('heartbeatMany counts a report for each service in one go and names the ids that have no row', () =>
      withRegistry(dialect, async (registry, clock) => {
        const hosts = Array.from({ length: 1203 }, (_, index) => ({ ...compute, host: `node${index}` }));
        const ids: number[] = [];
        for (const host of hosts) ids.push((await registry.register(host)).id);
        const [gone] = ids.splice(600, 1);
        await registry.delete(gone ?? 0);
        clock.advance(30_000);
        assert.deepEqual(await registry.heartbeatMany([...ids, gone ?? 0, 999_999]), [gone, 999_999]);
        const records = await registry.list();
        assert.equal(records.length, 1202);
        assert.ok(records.every((record) => record.reportCount === 1 && record.lastSeenAt?.getTime() === clock.now().getTime()));
        clock.advance(60_001);
        assert.deepEqual(await registry.heartbeatMany(ids.slice(0, 2)), []);
        assert.deepEqual(
          (await registry.list()).filter((record) => record.up).map((record) => record.id),
          ids.slice(0, 2),
          'the others were silent for longer than the down time',
        );
      }));

    test('startHeartbeat reports on a timer until stopped', () =>
      withRegistry(dialect, async (registry) => {
        const { id } = await registry.register(compute);
        const stop = registry.startHeartbeat(id, 5);
        while (((await registry.list())[0]?.reportCount ?? 0) < 2) await sleep(5);
        await stop();
        const stopped = (await registry.list())[0]?.reportCount;
        await sleep(30);
        assert.equal((await registry.list())[0]?.reportCount, stopped);
      }));
  });
}

describe('ServiceRegistry heartbeat failures', () => {
  const records: LogRecord[] = [];
  configureLogging({ sink: (_line, record) => void records.push(record) });
  after(() => configureLogging({ sink: (line) => void process.stderr.write(line + '\n') }));

  test('are logged once when they start and once when they stop', async () => {
    const db = await openDatabase('sqlite://:memory:');
    try {
      // No migrations yet: every beat fails until the table exists.
      const registry = new ServiceRegistry(db);
      const stop = registry.startHeartbeat(1, 2);
      while (!records.some((r) => r.level === 'WARNING')) await sleep(2);
      await sleep(30); // many more failing beats
      const warnings = records.filter((r) => r.level === 'WARNING');
      assert.equal(warnings.length, 1, records.map((r) => r.message).join('\n'));
      assert.match(warnings[0]?.message ?? '', /^Service 1 cannot report its state \(retrying every 2 ms\): .*services/);
      await migrateToLatest(db, serviceRegistryMigrations);
      await registry.register(compute);
      while (!records.some((r) => r.level === 'INFO' && r.message === 'Service 1 is reporting its state again')) {
        await sleep(2);
      }
      await stop();
      assert.equal(records.filter((r) => r.level === 'WARNING').length, 1);
    } finally {
      await db.close();
    }
  });
});
