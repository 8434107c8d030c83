import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { withOpenDatabase, withTestDatabase } from '../../test/support/databases.js';
import { InprocTransport } from '../common/bus/inproc/transport.js';
import { migrateToLatest } from '../common/db/migrator.js';
import { serviceRegistryMigrations } from '../common/service/db/migrations/index.js';
import { ServiceRegistry } from '../common/service/service-registry.js';
import { FileVolumeDriver } from './backends/file/file-driver.js';
import { volumeMigrations } from './db/migrations/index.js';
import { FrozenBackendStore } from './db/frozen-backend-store.js';
import { MessageStore } from './db/message-store.js';
import { VolumeStore } from './db/volume-store.js';
import { VolumeManagerRpcClient } from './manager/rpc-client.js';
import { VolumeManager } from './manager/volume-manager.js';
import { VolumeSchedulerRpcClient } from './scheduler/rpc-client.js';
import { VolumeSchedulerService } from './scheduler/scheduler-service.js';

const until = async (check: () => boolean | Promise<boolean>) => {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition never held');
};

// The scheduler and a volume service talking over the in-process bus, without the API.
describe('volume scheduler and volume service on the bus', () => {
  test('a scheduler that starts after the volume service learns its backend at once; a failed delete leaves error_deleting', () =>
    withTestDatabase('sqlite', (url) =>
      withOpenDatabase(url, async (db) => {
        await migrateToLatest(db, serviceRegistryMigrations);
        await migrateToLatest(db, volumeMigrations);
        const root = await mkdtemp(join(tmpdir(), 'nimbus-volume-workers-'));
        const transport = new InprocTransport(`volume-workers-${randomUUID()}`);
        await transport.connect();
        const registry = new ServiceRegistry(db);
        const managers = new VolumeManagerRpcClient(transport, 10);
        const noImages = () => Promise.reject(new Error('no images here'));
        const manager = new VolumeManager({
          transport,
          driver: new FileVolumeDriver({ directory: join(root, 'volumes') }),
          host: 'node-1',
          availabilityZone: 'nova',
          status: new VolumeSchedulerRpcClient(transport, 10),
          images: { openImageData: noImages, uploadImageData: noImages, discardImage: noImages },
          stagingDir: join(root, 'staging'),
          registry,
        });
        const store = new VolumeStore(db);
        const scheduler = new VolumeSchedulerService({ transport, store, messages: new MessageStore(db), managers, registry, frozenBackends: new FrozenBackendStore(db), host: 'node-1' });
        try {
          await manager.start();
          assert.deepEqual(scheduler.cache.live(), [], 'not started yet: nothing heard');
          await scheduler.start();
          await until(() => scheduler.cache.live().length === 1);
          assert.equal(scheduler.cache.live()[0]?.name, 'node-1@file#file');
          assert.deepEqual((await registry.list()).map((service) => [service.binary, service.host]), [['cinder-volume', 'node-1@file'], ['cinder-scheduler', 'node-1']]);

          const type = await store.findType({ name: '__DEFAULT__' });
          const id = randomUUID();
          const now = new Date();
          await store.insertVolume({
            id, projectId: 'p', userId: 'u', name: null, description: null, size: 1, status: 'creating', attachStatus: 'detached', host: null,
            availabilityZone: 'nova', volumeTypeId: type?.id ?? '', bootable: false, multiattach: false, snapshotId: null, sourceVolid: null,
            metadata: {}, imageMetadata: null, adminMetadata: {}, groupId: null, errorReason: null, launchedAt: null, createdAt: now, updatedAt: now,
          });
          await scheduler.scheduleCreate({ spec: { volumeId: id, sizeGb: 1, extraSpecs: {} }, source: { kind: 'image', imageId: 'i', diskFormat: 'raw' } });
          await until(async () => (await store.findVolume(id))?.status === 'error');
          assert.equal((await store.findVolume(id))?.errorReason, 'no images here');

          // A backend that cannot remove the volume: its directory replaced by a file underneath it.
          await rm(join(root, 'volumes'), { recursive: true, force: true });
          await writeFile(join(root, 'volumes'), 'not a directory');
          await store.updateVolume(id, { status: 'deleting' });
          await managers.deleteVolume('node-1@file', { id, sizeGb: 1 });
          await until(async () => (await store.findVolume(id))?.status === 'error_deleting');
          assert.match(String((await store.findVolume(id))?.errorReason), /ENOTDIR/);
        } finally {
          await manager.stop();
          await scheduler.stop();
          await transport.close();
          await rm(root, { recursive: true, force: true });
        }
      }),
    ));
});
