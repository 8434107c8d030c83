import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { FrozenBackendStore } from './frozen-backend-store.js';
import { MessageStore } from './message-store.js';
import { volumeMigrations } from './migrations/index.js';
import { QosSpecStore } from './qos-spec-store.js';
import { TypeEncryptionStore } from './type-encryption-store.js';
import { VolumeStore } from './volume-store.js';

for (const dialect of DIALECTS) {
  describe(`volume message, frozen backend, QoS and encryption stores on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('messages filter and sort; backends freeze once; QoS names are unique and a type takes one QoS; a type has one encryption', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, volumeMigrations);
          const messages = new MessageStore(db);
          const context = { projectId: 'p1', requestId: 'req-1' };
          await messages.record({ action: 'SCHEDULE_ALLOCATE_VOLUME', detail: 'NO_BACKEND_AVAILABLE', resourceType: 'VOLUME', resourceUuid: 'v1' }, context);
          await messages.record({ action: 'BACKUP_CREATE', detail: 'BACKUP_CREATE_DRIVER_ERROR', resourceType: 'VOLUME_BACKUP', resourceUuid: 'b1' }, { ...context, projectId: 'p2' });
          assert.deepEqual((await messages.list({ projectId: 'p1' }, [{ key: 'created_at', direction: 'desc' }])).map((message) => message.eventId), ['VOLUME_VOLUME_001_003']);
          assert.deepEqual((await messages.list({ columns: { resource_type: 'VOLUME_BACKUP' } }, [])).map((message) => message.resourceUuid), ['b1']);

          const frozen = new FrozenBackendStore(db);
          assert.deepEqual(await frozen.setFrozen(['h@a', 'h@b'], true), ['h@a', 'h@b']);
          assert.deepEqual(await frozen.setFrozen(['h@a'], true), [], 'frozen already');
          assert.deepEqual(await frozen.setFrozen(['h@a'], false), ['h@a']);
          assert.deepEqual([...(await frozen.frozenBackends())], ['h@b']);

          const qos = new QosSpecStore(db);
          const gold = { id: randomUUID(), name: 'gold', consumer: 'both' as const, specs: { a: '1' }, createdAt: qos.now() };
          assert.equal(await qos.create(gold), true);
          assert.equal(await qos.create({ ...gold, id: randomUUID() }), false, 'the name is taken');
          assert.deepEqual(await qos.change(gold.id, { set: { b: '2' }, remove: ['a'] }), []);
          assert.deepEqual(await qos.change(gold.id, { remove: ['zz'] }), ['zz']);
          assert.deepEqual((await qos.find(gold.id))?.specs, { b: '2' });
          const type = await new VolumeStore(db).findType({ name: '__DEFAULT__' });
          assert.ok(type !== undefined);
          assert.equal(await qos.associate(gold.id, type.id), undefined);
          assert.equal(await qos.associate(gold.id, type.id), undefined, 'again');
          assert.equal(await qos.associate(randomUUID(), type.id), gold.id, 'another QoS is refused');
          assert.deepEqual(await qos.associations(gold.id), [{ association_type: 'volume_type', id: type.id, name: '__DEFAULT__' }]);
          await qos.delete(gold.id);
          assert.equal(await qos.qosOfType(type.id), null);

          const encryption = new TypeEncryptionStore(db);
          const spec = { volumeTypeId: type.id, encryptionId: randomUUID(), provider: 'luks', cipher: null, keySize: 256, controlLocation: 'front-end' as const, createdAt: encryption.now(), updatedAt: null };
          assert.equal(await encryption.create(spec), true);
          assert.equal(await encryption.create(spec), false);
          assert.equal(await encryption.update(type.id, { keySize: 128, cipher: 'aes' }), true);
          assert.deepEqual({ ...(await encryption.find(type.id)), updatedAt: null }, { ...spec, keySize: 128, cipher: 'aes', createdAt: new Date(spec.createdAt.getTime()) });
          assert.equal(await encryption.delete(type.id), true);
          assert.equal(await encryption.delete(type.id), false);
          assert.equal(await encryption.update(type.id, { provider: 'x' }), false);
        }),
      ));
  });
}
