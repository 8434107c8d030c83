import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { volumeMigrations } from './migrations/index.js';
import { ProjectLockStore } from './project-lock-store.js';
import { VolumeStore } from './volume-store.js';

const LIMIT = 2;
const AT_ONCE = 5;

for (const dialect of DIALECTS) {
  describe(`project lock on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('a count and the insert it allows never interleave with another of the same project, even with a pause between them; a failed one writes nothing', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, volumeMigrations);
          const store = new VolumeStore(db);
          const locks = new ProjectLockStore(db);
          const type = await store.findType({ name: '__DEFAULT__' });
          assert.ok(type);
          const insert = async (projectId: string): Promise<void> => {
            const now = store.now();
            await store.insertVolume({
              ...{ id: randomUUID(), projectId, userId: 'u1', name: null, description: null, size: 1, status: 'creating', attachStatus: 'detached', host: null },
              ...{ availabilityZone: 'nova', volumeTypeId: type.id, bootable: false, multiattach: false, snapshotId: null, sourceVolid: null, metadata: {} },
              ...{ imageMetadata: null, adminMetadata: {}, groupId: null, errorReason: null, launchedAt: null, createdAt: now, updatedAt: now },
            });
          };
          // A pause of a real timer between the count and the insert: without the lock every request counts 0.
          const made = await Promise.all(
            Array.from({ length: AT_ONCE }, () =>
              locks.withLock('p1', async () => {
                const { volumes } = (await store.usageOf('p1')).inUse;
                await sleep(20);
                if (volumes >= LIMIT) return false;
                await insert('p1');
                return true;
              }),
            ),
          );
          assert.equal(made.filter(Boolean).length, LIMIT);
          assert.equal((await store.usageOf('p1')).inUse.volumes, LIMIT);

          await assert.rejects(
            locks.withLock('p2', async () => {
              await insert('p2');
              throw new Error('refused after the insert');
            }),
            /refused after the insert/,
          );
          assert.equal((await store.usageOf('p2')).inUse.volumes, 0, 'the failed step is rolled back');
          // Nested (a create inside another step of the same project): runs in the held transaction.
          await locks.withLock('p2', () => locks.withLock('p2', () => insert('p2')));
          assert.equal((await store.usageOf('p2')).inUse.volumes, 1);
        }),
      ));
  });
}
