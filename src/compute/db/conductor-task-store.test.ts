import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { ConductorTaskStore } from './conductor-task-store.js';
import { withComputeDb } from './testing/compute-db.js';

const DEAD = { host: 'ctl-a', boot: randomUUID() };
const TASK = { task: 'build', requestId: 'req-00000000-0000-0000-0000-000000000001', migrationId: null };

for (const dialect of DIALECTS) {
  describe(`conductor task records on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('a record passes from a dead conductor to exactly one of two racing sweepers, and goes when released', () =>
      withComputeDb(dialect, async (db) => {
        const store = new ConductorTaskStore(db);
        const instanceUuid = randomUUID();
        await store.take(DEAD, { instanceUuid, ...TASK });
        const sweepers = [{ host: 'ctl-b', boot: randomUUID() }, { host: 'ctl-c', boot: randomUUID() }];
        const won = await Promise.all(sweepers.map((sweeper) => store.takeFrom(instanceUuid, DEAD, sweeper)));
        assert.deepEqual(won.filter((taken) => taken), [true]);
        const winner = sweepers[won.indexOf(true)] ?? assert.fail('no winner');
        assert.equal((await store.list())[0]?.conductor_host, winner.host);
        assert.equal(await store.release(instanceUuid, DEAD), false, 'the dead owner no longer holds it');
        assert.equal(await store.release(instanceUuid, winner), true);
        assert.deepEqual(await store.list(), []);
      }));

    test('a message delivered again: the conductor running it takes the record over', () =>
      withComputeDb(dialect, async (db) => {
        const store = new ConductorTaskStore(db);
        const instanceUuid = randomUUID();
        const next = { host: 'ctl-b', boot: randomUUID() };
        await store.take(DEAD, { instanceUuid, ...TASK });
        await store.take(next, { instanceUuid, ...TASK, task: 'migrate', migrationId: 7 });
        const [row, ...others] = await store.list();
        assert.deepEqual(others, []);
        assert.deepEqual([row?.conductor_host, row?.conductor_boot, row?.task, row?.migration_id], [next.host, next.boot, 'migrate', 7]);
      }));
  });
}
