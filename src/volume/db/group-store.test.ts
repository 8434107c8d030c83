import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import type { Group } from '../volumes/group.js';
import { GroupStore } from './group-store.js';
import { volumeMigrations } from './migrations/index.js';
import { VolumeStore } from './volume-store.js';

for (const dialect of DIALECTS) {
  describe(`group store on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test("group types (Cinder's default_cgsnapshot_type first), groups and group snapshots round-trip; a group snapshot settles from its snapshots' outcomes", () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, volumeMigrations);
          let clock = Date.parse('2026-12-09T10:00:00.000Z');
          const now = () => new Date((clock += 1000));
          const groups = new GroupStore(db, now);
          const volumes = new VolumeStore(db, now);
          assert.deepEqual((await groups.findGroupType({ name: 'default_cgsnapshot_type' }))?.groupSpecs, { consistent_group_snapshot_enabled: '<is> True' });

          const type = { id: randomUUID(), name: 'gt', description: null, isPublic: false, groupSpecs: { a: 'b' }, createdAt: groups.now() };
          await groups.insertGroupType(type);
          await assert.rejects(groups.insertGroupType({ ...type, id: randomUUID() }), (error) => groups.isUniqueViolation(error));
          assert.deepEqual(await groups.findGroupType({ id: type.id }), type);
          assert.deepEqual((await groups.listGroupTypes(false, [])).map((each) => each.name), ['gt']);
          assert.deepEqual((await groups.listGroupTypes(undefined, [{ key: 'name', direction: 'asc' }])).map((each) => each.name), ['default_cgsnapshot_type', 'gt']);
          await groups.updateGroupType(type.id, { groupSpecs: { c: 'd' }, isPublic: true });
          assert.deepEqual((await groups.findGroupType({ id: type.id }))?.groupSpecs, { c: 'd' });

          const group: Group = {
            id: randomUUID(), projectId: 'p1', userId: 'u1', name: 'g', description: null, status: 'available', availabilityZone: 'nova', groupTypeId: type.id,
            volumeTypeIds: ['t1', 't2'], groupSnapshotId: null, sourceGroupId: null, createdAt: groups.now(), updatedAt: null,
          };
          await groups.insertGroup(group);
          assert.deepEqual(await groups.findGroup(group.id), group);
          assert.equal(await groups.countGroupsOfType(type.id), 1);
          assert.deepEqual((await groups.listGroups('p2')).length, 0);
          assert.equal(await groups.updateGroup(group.id, { status: 'deleting' }, ['error']), false, 'compare-and-set');
          assert.equal(await groups.updateGroup(group.id, { name: 'h' }, ['available']), true);
          assert.equal((await groups.findGroup(group.id))?.name, 'h');

          const groupSnapshot = { id: randomUUID(), groupId: group.id, projectId: 'p1', userId: 'u1', name: null, description: null, status: 'creating' as const, groupTypeId: type.id, createdAt: groups.now(), updatedAt: null };
          await groups.insertGroupSnapshot(groupSnapshot);
          const volumeId = randomUUID();
          const snapshot = (id: string) => ({
            id, volumeId, projectId: 'p1', userId: 'u1', name: null, description: null, size: 1, status: 'creating' as const, progress: '0%', metadata: {}, groupSnapshotId: groupSnapshot.id, createdAt: groups.now(), updatedAt: null,
          });
          const [s1, s2] = [randomUUID(), randomUUID()];
          await volumes.insertSnapshot(snapshot(s1));
          await volumes.insertSnapshot(snapshot(s2));
          await volumes.updateSnapshot(s1, { status: 'available' });
          await volumes.settleGroupSnapshotOf(s1);
          assert.equal((await groups.findGroupSnapshot(groupSnapshot.id))?.status, 'creating', 'one still creating');
          await volumes.updateSnapshot(s2, { status: 'available' });
          await volumes.settleGroupSnapshotOf(s2);
          assert.equal((await groups.findGroupSnapshot(groupSnapshot.id))?.status, 'available');
          assert.deepEqual((await volumes.listSnapshots({ groupSnapshotId: groupSnapshot.id }, [{ key: 'id', direction: 'asc' }])).map((each) => each.id), [s1, s2].sort());
          assert.deepEqual((await groups.listGroupSnapshots({ groupId: group.id })).map((each) => each.id), [groupSnapshot.id]);
          await groups.deleteGroupSnapshot(groupSnapshot.id);
          await groups.deleteGroup(group.id);
          await groups.deleteGroupType(type.id);
          assert.equal(await groups.findGroupType({ id: type.id }), undefined);
        }),
      ));
  });
}
