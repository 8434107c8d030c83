import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withVolumeCloud, type VolumeCloud } from '../../../volume/testing/volume-cloud.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { BlockDeviceStore } from '../../db/bdm-store.js';
import type { ComputeTables } from '../../db/tables.js';
import { IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';
import { inProcessVolumes } from '../../testing/in-process-volumes.js';

const DEMO = memberOf('demo');
const MISSING = '6e4c4cd5-7cc2-4c61-a2c4-7c5d3c6f9c6f';
type Json = Record<string, unknown>;

const boot = (server: Json) => ({ server: { name: 'bfv', flavorRef: '1', networks: 'none', ...server } });
const imageToVolume = (extra: Json = {}) => ({ source_type: 'image', destination_type: 'volume', uuid: IMAGE_ID, boot_index: 0, volume_size: 1, ...extra });

/** Cinder's os-set_bootable: a volume made blank is not bootable until it is said to be. */
async function setBootable(cloud: VolumeCloud, volumeId: string): Promise<void> {
  const reply = await cloud.call('POST', `/volumes/${volumeId}/action`, { body: { 'os-set_bootable': { bootable: true } }, as: DEMO });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
}

describe('boot from volume: the servers API over a real volume service', () => {
  test('bad block device mappings are 400 with Nova’s messages, and nothing is created', () =>
    withVolumeCloud('sqlite', (cloud) =>
      withComputeApp(
        async ({ call, recorded }) => {
          const cases: [Json, RegExp][] = [
            [boot({}), /Missing imageRef attribute/],
            [boot({ block_device_mapping_v2: [] }), /Boot sequence for the instance and image\/block device mapping combination is not valid/],
            [boot({ block_device_mapping_v2: [imageToVolume({ volume_size: undefined })] }), /Images with destination_type 'volume' need to have a non-zero size specified/],
            [boot({ block_device_mapping_v2: [imageToVolume({ boot_index: 1 })] }), /Boot sequence for the instance/],
            [boot({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: MISSING, boot_index: 0 }] }), new RegExp(`failed to get volume ${MISSING}`)],
            [boot({ block_device_mapping_v2: [{ source_type: 'snapshot', destination_type: 'volume', uuid: MISSING, boot_index: 0 }] }), new RegExp(`failed to get snapshot ${MISSING}`)],
            [boot({ block_device_mapping_v2: [imageToVolume({ uuid: MISSING })] }), new RegExp(`failed to get image ${MISSING}`)],
            [boot({ block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'volume', boot_index: 0 }] }), /Blank volumes .* need to have non-zero size/],
            [boot({ block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'volume', uuid: MISSING, boot_index: 0, volume_size: 1 }] }), /Invalid device UUID/],
            [boot({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', boot_index: 0 }] }), /Missing device UUID/],
            [boot({ imageRef: IMAGE_ID, block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'local', boot_index: -1, volume_size: 1 }] }), /destination_type local/],
            [boot({ block_device_mapping_v2: [imageToVolume()], block_device_mapping: [{ volume_id: MISSING }] }), /different block_device_mapping syntaxes/],
            [boot({ block_device_mapping_v2: [imageToVolume({ boot_index: 'first' })] }), /boot_index/],
            [boot({ block_device_mapping_v2: [imageToVolume({ volume_size: 0 })] }), /volume_size/],
          ];
          for (const [body, message] of cases) {
            const reply = await call('POST', '/servers', { body, as: DEMO, version: '2.37' });
            assert.equal(reply.status, 400, JSON.stringify(body));
            assert.match(String((reply.json['badRequest'] as Json)['message']), message, JSON.stringify(body));
          }
          assert.deepEqual((await call('GET', '/servers', { as: DEMO })).json, { servers: [] });
          assert.equal(recorded.builds.length, 0);
          assert.deepEqual((await cloud.call('GET', '/volumes', { as: DEMO })).json, { volumes: [] });
        },
        { volumes: inProcessVolumes(cloud) },
      ),
    ));

  test('an existing volume is reserved and becomes the root disk: image "" in the view, no local disk asked of the scheduler', () =>
    withVolumeCloud('sqlite', (cloud) =>
      withComputeApp(
        async ({ call, db, recorded }) => {
          const volumeId = await cloud.availableVolume({ size: 1 }, DEMO);
          // A volume made blank is not bootable in Cinder: Nova refuses to boot from it, and nothing is made.
          const notBootable = await call('POST', '/servers', {
            body: boot({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: volumeId, boot_index: 0 }] }),
            as: DEMO,
            version: '2.37',
          });
          assert.deepEqual([notBootable.status, (notBootable.json['badRequest'] as Json)['message']], [400, `Block Device ${volumeId} is not bootable.`]);
          assert.deepEqual([(await call('GET', '/servers', { as: DEMO })).json, recorded.builds.length], [{ servers: [] }, 0]);
          assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: DEMO })).json['volume'] as Json)['status'], 'available');
          await setBootable(cloud, volumeId);

          const reply = await call('POST', '/servers', {
            body: boot({ block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: volumeId, boot_index: '0', delete_on_termination: true }] }),
            as: DEMO,
            version: '2.37',
          });
          assert.equal(reply.status, 202, JSON.stringify(reply.json));
          const serverId = String((reply.json['server'] as Json)['id']);
          const shown = (await call('GET', `/servers/${serverId}`, { as: DEMO })).json['server'] as Json;
          assert.equal(shown['image'], '');
          assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: DEMO })).json['volume'] as Json)['status'], 'reserved');
          const attachments = await call('GET', `/servers/${serverId}/os-volume_attachments`, { as: DEMO, version: '2.79' });
          assert.deepEqual(attachments.json, { volumeAttachments: [{ id: volumeId, serverId, volumeId, device: '/dev/vda', tag: null, delete_on_termination: true }] });
          const build = recorded.builds.at(-1);
          assert.equal(build?.builds[0]?.imageRef, '');
          assert.equal(build?.spec.isBootFromVolume, true);

          // A second server may not take the volume: 400, and that server is not left behind.
          const again = await call('POST', '/servers', {
            body: boot({ name: 'second', block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: volumeId, boot_index: 0 }] }),
            as: DEMO,
            version: '2.37',
          });
          assert.equal(again.status, 400, JSON.stringify(again.json));
          const names = ((await call('GET', '/servers', { as: DEMO })).json['servers'] as Json[]).map((server) => server['name']);
          assert.deepEqual(names, ['bfv']);
          assert.equal((await new BlockDeviceStore(db).ofInstance(serverId)).length, 1);
        },
        { volumes: inProcessVolumes(cloud) },
      ),
    ));

  test('image, snapshot and blank sources are recorded for the compute host to make; the legacy syntax boots its first volume', () =>
    withVolumeCloud('sqlite', (cloud) =>
      withComputeApp(
        async ({ call, db }) => {
          const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 2 } }, as: DEMO });
          const volumeId = String((created.json['volume'] as Json)['id']);
          await cloud.settle(`/volumes/${volumeId}`, DEMO);
          const snapshot = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId } }, as: DEMO });
          const snapshotId = String((snapshot.json['snapshot'] as Json)['id']);
          await cloud.settle(`/snapshots/${snapshotId}`, DEMO);
          const fromSnapshot = await call('POST', '/servers', {
            body: boot({ block_device_mapping_v2: [{ source_type: 'snapshot', destination_type: 'volume', uuid: snapshotId, boot_index: 0 }] }),
            as: DEMO,
            version: '2.37',
          });
          assert.deepEqual([fromSnapshot.status, (fromSnapshot.json['badRequest'] as Json)['message']], [400, `Block Device ${volumeId} is not bootable.`], 'a snapshot of a volume that is not bootable');
          await setBootable(cloud, volumeId);

          const reply = await call('POST', '/servers', {
            body: boot({
              block_device_mapping_v2: [
                imageToVolume({ volume_size: 3, delete_on_termination: 'true' }),
                { source_type: 'snapshot', destination_type: 'volume', uuid: snapshotId, boot_index: -1 },
                { source_type: 'blank', destination_type: 'volume', volume_size: 1, device_name: '/dev/vdc' },
              ],
            }),
            as: DEMO,
            version: '2.37',
          });
          assert.equal(reply.status, 202, JSON.stringify(reply.json));
          const serverId = String((reply.json['server'] as Json)['id']);
          const mappings = await new BlockDeviceStore(db).ofInstance(serverId);
          assert.deepEqual(
            mappings.map(({ sourceType, bootIndex, imageId, snapshotId: snap, volumeId: volume, volumeSize, deviceName, deleteOnTermination }) => ({
              sourceType, bootIndex, imageId, snap, volume, volumeSize, deviceName, deleteOnTermination,
            })),
            [
              { sourceType: 'image', bootIndex: 0, imageId: IMAGE_ID, snap: null, volume: null, volumeSize: 3, deviceName: '/dev/vda', deleteOnTermination: true },
              { sourceType: 'snapshot', bootIndex: null, imageId: null, snap: snapshotId, volume: null, volumeSize: 2, deviceName: '/dev/vdb', deleteOnTermination: false },
              { sourceType: 'blank', bootIndex: null, imageId: null, snap: null, volume: null, volumeSize: 1, deviceName: '/dev/vdc', deleteOnTermination: false },
            ],
          );

          const legacy = await call('POST', '/servers', { body: boot({ name: 'legacy', block_device_mapping: [{ volume_id: volumeId, device_name: 'vda' }] }), as: DEMO, version: '2.37' });
          assert.equal(legacy.status, 202, JSON.stringify(legacy.json));
          const [root] = await new BlockDeviceStore(db).ofInstance(String((legacy.json['server'] as Json)['id']));
          assert.equal(root?.bootIndex, 0);
          assert.equal(root?.volumeId, volumeId);
        },
        { volumes: inProcessVolumes(cloud) },
      ),
    ));

  test('a volume-backed server refuses rebuild with another image and rescue with Nova’s 400; resize, the moves and shelve (offloaded at once) go ahead', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const server = await insertInstance(db, 'demo', { image_ref: '' });
      const refused: [Json, RegExp][] = [
        [{ rebuild: { imageRef: IMAGE_ID } }, /Unable to rebuild with a different image for a volume-backed server/],
        [{ rescue: null }, /Cannot rescue a volume-backed instance/],
      ];
      for (const [action, message] of refused) {
        const reply = await call('POST', `/servers/${server}/action`, { body: action, as: ADMIN, version: '2.30' });
        assert.equal(reply.status, 400, JSON.stringify(action));
        assert.match(String((reply.json['badRequest'] as Json)['message']), message);
      }
      // A server booted from an image with a volume attached (no boot index) is not volume-backed.
      const accepted: [Json, number][] = [
        [{ rebuild: { imageRef: IMAGE_ID } }, 202],
        [{ rescue: null }, 200],
      ];
      for (const [action, status] of accepted) {
        const attached = await insertInstance(db, 'demo');
        await db.kysely.withTables<ComputeTables>().insertInto('compute_block_device_mappings').values({
          instance_uuid: attached, source_type: 'volume', destination_type: 'volume', device_name: '/dev/vdb', boot_index: null, image_id: null,
          volume_id: MISSING, volume_size: 1, delete_on_termination: false, attachment_id: null, tag: null, created_at: '2026-12-07T00:00:00.000Z',
        }).execute();
        const reply = await call('POST', `/servers/${attached}/action`, { body: action, as: ADMIN, version: '2.30' });
        assert.equal(reply.status, status, JSON.stringify([action, reply.json]));
      }
      // Its root disk is a volume: the new flavor's disk does not matter (to 0 GB too) and none is claimed for it.
      assert.equal((await call('POST', '/flavors', { body: { flavor: { name: 'diskless', id: 'diskless', ram: 128, vcpus: 1, disk: 0 } }, as: ADMIN })).status, 200);
      assert.equal((await call('POST', `/servers/${server}/action`, { body: { resize: { flavorRef: 'diskless' } }, as: ADMIN, version: '2.30' })).status, 202);
      assert.equal(recorded.resizes.at(-1)?.spec.isBootFromVolume, true);
      const moved = await insertInstance(db, 'demo', { image_ref: '' });
      assert.equal((await call('POST', `/servers/${moved}/action`, { body: { 'os-migrateLive': { host: null, block_migration: 'auto' } }, as: ADMIN, version: '2.30' })).status, 202);
      assert.equal(recorded.liveMigrations.length, 1);
      // Shelve makes no snapshot: its root volume keeps the disk, and the host offloads it at once.
      const shelved = await insertInstance(db, 'demo', { image_ref: '' });
      assert.equal((await call('POST', `/servers/${shelved}/action`, { body: { shelve: null }, as: ADMIN })).status, 202);
      assert.deepEqual(recorded.agent.at(-1)?.verb, 'shelve_offload_instance');
    }));
});
