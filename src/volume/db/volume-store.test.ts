import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import type { Volume } from '../volumes/volume.js';
import { volumeMigrations } from './migrations/index.js';
import { VolumeStore } from './volume-store.js';

function volume(store: VolumeStore, fields: Partial<Volume> & { readonly volumeTypeId: string }): Volume {
  const now = store.now();
  return {
    id: randomUUID(),
    projectId: 'p1',
    userId: 'u1',
    name: null,
    description: null,
    size: 1,
    status: 'creating',
    attachStatus: 'detached',
    host: null,
    availabilityZone: 'nova',
    bootable: false,
    multiattach: false,
    snapshotId: null,
    sourceVolid: null,
    metadata: {},
    imageMetadata: null,
    adminMetadata: {},
    groupId: null,
    errorReason: null,
    launchedAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

for (const dialect of DIALECTS) {
  describe(`volume store on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('the default type exists; volumes round-trip, filter, sort; status changes are compare-and-set; usage sums volumes and snapshots, by project or on a host', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, volumeMigrations);
          let clock = Date.parse('2026-12-04T10:00:00.000Z');
          const store = new VolumeStore(db, () => new Date((clock += 1000)));
          const defaultType = await store.findType({ name: '__DEFAULT__' });
          assert.ok(defaultType);

          const a = volume(store, { volumeTypeId: defaultType.id, name: 'a', size: 2, metadata: { k: 'v' }, bootable: true });
          const b = volume(store, { volumeTypeId: defaultType.id, name: 'b', size: 3, imageMetadata: { image_id: 'i' } });
          const other = volume(store, { volumeTypeId: defaultType.id, name: 'c', projectId: 'p2' });
          for (const each of [a, b, other]) await store.insertVolume(each);
          assert.deepEqual(await store.findVolume(a.id), a);
          assert.deepEqual((await store.findVolume(b.id))?.imageMetadata, { image_id: 'i' });

          const names = async (filter: Parameters<VolumeStore['listVolumes']>[0], direction: 'asc' | 'desc' = 'asc') =>
            (await store.listVolumes(filter, [{ key: 'name', direction }])).map((each) => each.name);
          assert.deepEqual(await names({ projectId: 'p1' }), ['a', 'b']);
          assert.deepEqual(await names({}, 'desc'), ['c', 'b', 'a']);
          assert.deepEqual(await names({ bootable: true }), ['a']);

          assert.equal(await store.updateVolume(a.id, { status: 'available', host: 'h@file#file' }, ['creating']), true);
          assert.equal(await store.updateVolume(a.id, { status: 'deleting' }, ['creating']), false, 'not creating any more');
          assert.equal((await store.findVolume(a.id))?.status, 'available');

          await store.insertSnapshot({
            id: randomUUID(), volumeId: a.id, projectId: 'p1', userId: 'u1', name: 's', description: null, size: 2,
            status: 'creating', progress: '0%', metadata: {}, groupSnapshotId: null, createdAt: store.now(), updatedAt: null,
          });
          assert.deepEqual((await store.usageOf('p1')).inUse, { volumes: 2, snapshots: 1, gigabytes: 7 });
          assert.deepEqual(await store.usageOf('nobody'), { inUse: { volumes: 0, snapshots: 0, gigabytes: 0 }, reserved: { volumes: 0, snapshots: 0, gigabytes: 0 } });
          // os-hosts: the host and its pools, not a host of a longer name; b is not placed.
          assert.equal(await store.updateVolume(other.id, { status: 'available', host: 'h@file2#file' }, ['creating']), true);
          const onHost = [{ projectId: 'p1', volumes: 1, volumeGb: 2, snapshots: 1, snapshotGb: 2 }];
          assert.deepEqual(await store.usageOnHost('h@file'), onHost);
          assert.deepEqual(await store.usageOnHost('h@file#file'), onHost);
          assert.deepEqual(await store.usageOnHost('h@fil'), []);

          await store.setQuotaLimits('p1', new Map([['volumes', 5]]));
          await store.setQuotaLimits('p1', new Map([['volumes', 6], ['gigabytes', -1]]));
          assert.deepEqual([...(await store.quotaLimits('p1'))].sort(), [['gigabytes', -1], ['volumes', 6]]);

          await store.insertType({ id: randomUUID(), name: 'Fast', description: null, isPublic: false, extraSpecs: { volume_backend_name: 'file' } });
          await assert.rejects(
            store.insertType({ id: randomUUID(), name: 'Fast', description: null, isPublic: true, extraSpecs: {} }),
            (error) => store.isUniqueViolation(error),
          );
          await store.insertType({ id: randomUUID(), name: 'fast', description: null, isPublic: true, extraSpecs: {} });
          assert.deepEqual((await store.listTypes({ isPublic: true })).map((type) => type.name), ['__DEFAULT__', 'fast']);
          assert.deepEqual((await store.findType({ name: 'Fast' }))?.extraSpecs, { volume_backend_name: 'file' });
        }),
      ));
  });
}
