/**
 * Boot from volume through the compute API logic, the real workers on the in-process bus (fake
 * driver) and a real volume service in this process: the compute host makes the root volume
 * from an image, waits for it, attaches it and boots from it; delete_on_termination is honoured
 * on delete; a volume that cannot be made leaves the server in ERROR with Nova's fault.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runWithContext, newRequestId, type RequestContext } from '../common/context/request-context.js';
import { configureLogging } from '../common/logging/logger.js';
import { withVolumeCloud, type VolumeCloud } from '../volume/testing/volume-cloud.js';
import { BlockDeviceStore } from './db/bdm-store.js';
import { FlavorStore } from './db/flavor-store.js';
import { ensureDefaultFlavors } from './flavors/default-flavors.js';
import type { RequestedBlockDevice } from './servers/block-device-request.js';
import type { ServersService } from './servers/servers-service.js';
import { inProcessVolumes } from './testing/in-process-volumes.js';
import { eventually, faults, instance, serversOf, tables, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

configureLogging({ sink: () => undefined });

const run = promisify(execFile);

const MEMBER: RequestContext = { requestId: 'req-member', userId: 'u1', projectId: 'p1', roles: ['member', 'reader'] };
type Json = Record<string, unknown>;

/**
 * The compute cloud (one fake host) and the volume cloud it reaches through the volume API; the
 * volume service's events reach the compute API's os-server-external-events (as Cinder's do).
 */
function withBothClouds(fn: (cloud: Cloud, volumes: VolumeCloud, servers: ServersService) => Promise<void>, hosts = 1): Promise<void> {
  let computeApi: ServersService | undefined;
  const tell = async (name: string, uuids: readonly string[], tag: string, status: 'completed' | 'failed' = 'completed') => {
    await computeApi?.externalEvents(uuids.map((uuid) => ({ server_uuid: uuid, name, tag, status })));
  };
  const compute = {
    volumeExtended: (uuids: readonly string[], volumeId: string) => tell('volume-extended', uuids, volumeId),
    volumeReimaged: (uuids: readonly string[], volumeId: string, status: 'completed' | 'failed') => tell('volume-reimaged', uuids, volumeId, status),
  };
  return withVolumeCloud(
    'sqlite',
    (volumeCloud) =>
      withCloud(
        hosts,
        async (cloud) => {
          await ensureDefaultFlavors(new FlavorStore(cloud.db));
          computeApi = serversOf(cloud);
          await fn(cloud, volumeCloud, computeApi);
        },
        undefined,
        { volumes: inProcessVolumes(volumeCloud) },
      ),
    { compute },
  );
}

/** An image in the volume cloud's image service holding `path` (the bytes a volume made from it starts with). */
async function uploadImage(volumes: VolumeCloud, path: string, diskFormat: 'raw' | 'qcow2'): Promise<string> {
  const image = await volumes.images.create(MEMBER, { name: 'boot', disk_format: diskFormat, container_format: 'bare' });
  await volumes.images.uploadImageData(MEMBER, image.id, Readable.from([await readFile(path)]));
  return image.id;
}

function bootFromVolume(servers: ServersService, name: string, device: Partial<RequestedBlockDevice> & Pick<RequestedBlockDevice, 'sourceType'>): Promise<string> {
  const context = { ...MEMBER, requestId: newRequestId() };
  const blockDevices: RequestedBlockDevice[] = [{ uuid: null, bootIndex: 0, volumeSize: null, deleteOnTermination: false, deviceName: null, tag: null, ...device }];
  return runWithContext(context, async () => {
    const created = await servers.create(context, { name, imageRef: '', blockDevices, flavorRef: '1', networks: 'none', minCount: 1, maxCount: 1, hints: {} });
    return created.servers[0]?.row.uuid ?? '';
  });
}

async function volumeOf(volumes: VolumeCloud, id: string): Promise<{ status: number; volume: Json }> {
  const reply = await volumes.call('GET', `/volumes/${id}`, { as: MEMBER });
  return { status: reply.status, volume: (reply.json['volume'] ?? {}) as Json };
}

async function deleteServer(servers: ServersService, uuid: string): Promise<void> {
  const context = { ...MEMBER, requestId: newRequestId() };
  await runWithContext(context, async () => servers.actions.delete(context, await servers.get(context, uuid)));
}

describe('boot from volume on the real workers', () => {
  test('an image becomes the root volume the guest boots from; root_gb takes no local disk; delete_on_termination decides what delete leaves', () =>
    withBothClouds(async (cloud, volumes, servers) => {
      const raw = join(tmpdir(), `nimbus-bfv-${process.pid}.raw`);
      const data = randomBytes(4096);
      await writeFile(raw, data);
      try {
        const imageId = await uploadImage(volumes, raw, 'raw');
        const uuid = await bootFromVolume(servers, 'from-image', { sourceType: 'image', uuid: imageId, volumeSize: 1, deleteOnTermination: true });
        await waitFor(cloud.db, uuid, 'active', null, 30_000);

        const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        const volumeId = root?.volumeId ?? '';
        assert.equal(cloud.driver('compute-1').inspect(uuid)?.rootVolumeId, volumeId);
        const { volume } = await volumeOf(volumes, volumeId);
        assert.deepEqual([volume['status'], volume['bootable'], volume['size']], ['in-use', 'true', 1]);
        assert.equal(((volume['attachments'] as Json[])[0] ?? {})['server_id'], uuid);
        assert.deepEqual((await readFile(volumes.volumePath(volumeId))).subarray(0, data.length), data);
        assert.equal((await instance(cloud.db, uuid))?.image_ref, '');
        const node = await tables(cloud.db).selectFrom('compute_nodes').select(['local_gb_used', 'running_vms']).where('host', '=', 'compute-1').executeTakeFirst();
        assert.deepEqual(node, { local_gb_used: 0, running_vms: 1 });

        // An existing volume boots too, and stays (available again) when its server goes.
        const created = await volumes.call('POST', '/volumes', { body: { volume: { size: 1, imageRef: imageId } }, as: MEMBER });
        const keptId = String((created.json['volume'] as Json)['id']);
        await volumes.settle(`/volumes/${keptId}`, MEMBER);
        const second = await bootFromVolume(servers, 'from-volume', { sourceType: 'volume', uuid: keptId });
        await waitFor(cloud.db, second, 'active', null, 30_000);
        assert.equal(cloud.driver('compute-1').inspect(second)?.rootVolumeId, keptId);

        await deleteServer(servers, uuid);
        await deleteServer(servers, second);
        await eventually(async () => assert.equal((await volumeOf(volumes, volumeId)).status, 404, 'delete_on_termination: the volume went with its server'));
        await eventually(async () => {
          const kept = await volumeOf(volumes, keptId);
          assert.deepEqual([kept.status, kept.volume['status'], kept.volume['attachments']], [200, 'available', []]);
        });
      } finally {
        await rm(raw, { force: true });
      }
    }));

  test('2.93 rebuild of a volume-backed server: the volume service reimages the root volume, tells compute, and the guest boots the new image; refusals change nothing', () =>
    withBothClouds(async (cloud, volumes, servers) => {
      const scratch = join(tmpdir(), `nimbus-reimage-${process.pid}`);
      const first = randomBytes(4096);
      const second = randomBytes(4096);
      try {
        await writeFile(`${scratch}-a.raw`, first);
        await writeFile(`${scratch}-b.raw`, second);
        const imageA = await uploadImage(volumes, `${scratch}-a.raw`, 'raw');
        const imageB = await uploadImage(volumes, `${scratch}-b.raw`, 'raw');
        const uuid = await bootFromVolume(servers, 'reimaged', { sourceType: 'image', uuid: imageA, volumeSize: 1, deleteOnTermination: true });
        await waitFor(cloud.db, uuid, 'active', null, 30_000);
        const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        const volumeId = root?.volumeId ?? '';
        const context = { ...MEMBER, requestId: newRequestId() };
        const rebuild = (imageRef: string, reimageBootVolume: boolean) =>
          runWithContext(context, async () => servers.guest.rebuild(context, await servers.get(context, uuid), { imageRef, preserveEphemeral: false, reimageBootVolume }));

        // Below 2.93 another image is Nova's 400; the volume API refuses os-reimage below 3.68 and of an in-use volume unless reserved.
        await assert.rejects(rebuild(imageB, false), /Unable to rebuild with a different image for a volume-backed server/);
        const reimage = (version: string, body: Json) => volumes.call('POST', `/volumes/${volumeId}/action`, { body: { 'os-reimage': body }, as: MEMBER, version });
        assert.equal((await reimage('3.67', { image_id: imageB })).status, 404);
        assert.equal((await reimage('3.68', { image_id: 'not-a-uuid' })).status, 400);
        const inUse = await reimage('3.68', { image_id: imageB });
        assert.equal(inUse.status, 400);
        assert.match(JSON.stringify(inUse.json), /status must be available or error/);
        assert.deepEqual((await readFile(volumes.volumePath(volumeId))).subarray(0, first.length), first);
        assert.equal((await volumeOf(volumes, volumeId)).volume['status'], 'in-use');

        await rebuild(imageB, true);
        await waitFor(cloud.db, uuid, 'active', null, 30_000);
        assert.deepEqual((await readFile(volumes.volumePath(volumeId))).subarray(0, second.length), second, 'the root volume holds the new image');
        const { volume } = await volumeOf(volumes, volumeId);
        assert.deepEqual([volume['status'], volume['size'], (volume['volume_image_metadata'] as Json)['image_id']], ['in-use', 1, imageB]);
        assert.deepEqual((volume['attachments'] as Json[]).map((attachment) => attachment['server_id']), [uuid]);
        assert.equal(cloud.driver('compute-1').inspect(uuid)?.rootVolumeId, volumeId);
        assert.equal((await instance(cloud.db, uuid)).image_ref, imageB);
        const [after] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        assert.notEqual(after?.attachmentId, root?.attachmentId, 'a new attachment holds the volume');
      } finally {
        await rm(`${scratch}-a.raw`, { force: true });
        await rm(`${scratch}-b.raw`, { force: true });
      }
    }));

  test('a root volume that cannot be made: ERROR with Nova’s fault, and nothing left on the host', () =>
    withBothClouds(async (cloud, volumes, servers) => {
      // An image of 2 GiB does not fit a volume of 1 GiB: the volume service puts the volume in error.
      const big = join(tmpdir(), `nimbus-bfv-big-${process.pid}.qcow2`);
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', big, '2G']);
      try {
        const imageId = await uploadImage(volumes, big, 'qcow2');
        const uuid = await bootFromVolume(servers, 'too-big', { sourceType: 'image', uuid: imageId, volumeSize: 1, deleteOnTermination: true });
        await waitFor(cloud.db, uuid, 'error', null, 30_000);
        assert.deepEqual(
          (await faults(cloud.db, uuid)).map((fault) => fault.message),
          [`Build of instance ${uuid} aborted: Failure prepping block device.`],
        );
        assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
        const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        assert.equal((await volumeOf(volumes, root?.volumeId ?? '')).volume['status'], 'error');

        await deleteServer(servers, uuid);
        await eventually(async () => assert.equal((await volumeOf(volumes, root?.volumeId ?? '')).status, 404, 'the failed volume goes with the server'));
      } finally {
        await rm(big, { force: true });
      }
    }));

  test('a spawn that fails after the volumes were connected: the next host connects them afresh and boots', () =>
    withBothClouds(async (cloud, volumes, servers) => {
      // compute-1 cannot spawn: of two servers spread over two hosts, at least one is tried there first.
      cloud.driver('compute-1').faults.failEvery('spawn', { message: 'spawn broke on compute-1' });
      const made: string[] = [];
      for (const name of ['first', 'second']) {
        const uuid = await bootFromVolume(servers, name, { sourceType: 'blank', volumeSize: 1, deleteOnTermination: true });
        await waitFor(cloud.db, uuid, 'active', null, 30_000);
        made.push(uuid);
      }
      const failedBuilds = await tables(cloud.db).selectFrom('compute_instance_action_events').select('host').where('result', '=', 'Error').execute();
      assert.ok(failedBuilds.some((event) => event.host === 'compute-1'), 'a build failed on compute-1 and was rescheduled');
      for (const uuid of made) {
        assert.equal((await instance(cloud.db, uuid)).host, 'compute-2');
        const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        assert.equal(cloud.driver('compute-2').inspect(uuid)?.rootVolumeId, root?.volumeId);
        const { volume } = await volumeOf(volumes, root?.volumeId ?? '');
        assert.equal(volume['status'], 'in-use');
        assert.deepEqual((volume['attachments'] as Json[]).map((attachment) => attachment['server_id']), [uuid], 'one attachment, the new host\'s');
      }
    }, 2));
});

describe('snapshot of a volume-backed server on the real workers', () => {
  test('createImage snapshots its volumes into an image of no data that maps them; a server booted from the image gets their bytes', () =>
    withVolumeCloud('sqlite', (volumes) =>
      withCloud(
        1,
        async (cloud) => {
          await ensureDefaultFlavors(new FlavorStore(cloud.db));
          const servers = serversOf(cloud, undefined, volumes.images);
          const uuid = await bootFromVolume(servers, 'original', { sourceType: 'blank', volumeSize: 1, deleteOnTermination: true });
          await waitFor(cloud.db, uuid, 'active', null, 30_000);
          const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
          const volumeId = root?.volumeId ?? '';
          // What the guest wrote to its root disk (the fake driver writes nothing itself).
          const data = randomBytes(4096);
          await writeFile(volumes.volumePath(volumeId), data, { flag: 'r+' });

          const context = { ...MEMBER, requestId: newRequestId() };
          const image = await runWithContext(context, async () => servers.snapshots.createImage(context, await servers.get(context, uuid), 'golden', { purpose: 'test' }, false));
          assert.deepEqual([image.status, image.size, image.disk_format, image.container_format], ['active', 0, 'qcow2', 'bare']);
          const { block_device_mapping: mapping, ...properties } = image.properties;
          assert.deepEqual(
            { ...properties, user_id: undefined },
            { purpose: 'test', bdm_v2: 'True', root_device_name: '/dev/vda', image_type: 'snapshot', instance_uuid: uuid, base_image_ref: '', user_id: undefined },
          );
          const [item, ...others] = JSON.parse(mapping ?? '[]') as Json[];
          assert.deepEqual(others, []);
          const snapshotId = String(item?.['snapshot_id']);
          assert.deepEqual(
            { ...item, snapshot_id: undefined },
            {
              source_type: 'snapshot', destination_type: 'volume', snapshot_id: undefined, volume_id: null, image_id: null, boot_index: 0, device_name: '/dev/vda',
              volume_size: 1, delete_on_termination: true, disk_bus: 'virtio', device_type: 'disk', guest_format: null, no_device: null, tag: null, volume_type: null,
            },
          );
          const snapshot = (await volumes.settle(`/snapshots/${snapshotId}`, MEMBER)).json['snapshot'] as Json;
          assert.deepEqual([snapshot['status'], snapshot['volume_id'], snapshot['name']], ['available', volumeId, 'snapshot for golden']);
          assert.equal((await instance(cloud.db, uuid)).task_state, null, 'no task state: the snapshot is made in the request');
          const actions = await tables(cloud.db).selectFrom('compute_instance_actions').select('action').where('instance_uuid', '=', uuid).execute();
          assert.ok(actions.some((action) => action.action === 'createImage'));

          // Booting from the image makes the root volume from the snapshot.
          const copy = await runWithContext(context, async () => {
            const created = await servers.create(context, { name: 'copy', imageRef: image.id, flavorRef: '1', networks: 'none', minCount: 1, maxCount: 1, hints: {} });
            return created.servers[0]?.row.uuid ?? '';
          });
          await waitFor(cloud.db, copy, 'active', null, 30_000);
          const [copyRoot] = await new BlockDeviceStore(cloud.db).ofInstance(copy);
          assert.deepEqual([copyRoot?.sourceType, copyRoot?.snapshotId, copyRoot?.bootIndex], ['snapshot', snapshotId, 0]);
          assert.notEqual(copyRoot?.volumeId, volumeId);
          assert.equal(cloud.driver('compute-1').inspect(copy)?.rootVolumeId, copyRoot?.volumeId);
          assert.deepEqual((await readFile(volumes.volumePath(copyRoot?.volumeId ?? ''))).subarray(0, data.length), data);
          // As Nova: the server shows the image it was booted from, and is still volume-backed (no local disk, no backups).
          assert.equal((await instance(cloud.db, copy)).image_ref, image.id);
          const copyServer = await servers.get(context, copy);
          await assert.rejects(
            runWithContext(context, () => servers.snapshots.createBackup(context, copyServer, { name: 'b', backupType: 'daily', rotation: 1, metadata: {} }, false)),
            /Backup is not supported for volume-backed instances/,
          );
        },
        undefined,
        { volumes: inProcessVolumes(volumes) },
      ),
    ));
});
