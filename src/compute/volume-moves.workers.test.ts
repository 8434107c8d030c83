/**
 * A volume-backed server with a data volume attached, moved through the compute API logic and the
 * real workers on the in-process bus (fake driver) with a real volume service in this process:
 * resize (confirm and revert), live migration (done and rolled back) and evacuation. After each,
 * the guest on its host has its root and data volumes, every volume is in-use with one attachment,
 * the instance's, whose host is the one the guest runs on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newRequestId, runWithContext, type RequestContext } from '../common/context/request-context.js';
import { configureLogging } from '../common/logging/logger.js';
import { withVolumeCloud, type VolumeCloud } from '../volume/testing/volume-cloud.js';
import { BlockDeviceStore } from './db/bdm-store.js';
import { FlavorStore } from './db/flavor-store.js';
import { ensureDefaultFlavors } from './flavors/default-flavors.js';
import type { ServersService } from './servers/servers-service.js';
import { inProcessVolumes } from './testing/in-process-volumes.js';
import { evacuate, forceDown, liveMigrate, migrationRow } from './testing/moves.js';
import { eventually, instance, serversOf, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

configureLogging({ sink: () => undefined });

const MEMBER: RequestContext = { requestId: 'req-member', userId: 'u1', projectId: 'p1', roles: ['member', 'reader'] };
const ADMIN: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin'], isAdmin: true };
type Json = Record<string, unknown>;

const as = (context: RequestContext): RequestContext => ({ ...context, requestId: newRequestId() });

/** Runs `fn` as a request of `caller` would (its context travels with the casts), against the server as the caller sees it. */
function act(servers: ServersService, caller: RequestContext, uuid: string, fn: (context: RequestContext, server: Awaited<ReturnType<ServersService['get']>>) => Promise<unknown>): Promise<unknown> {
  const context = as(caller);
  return runWithContext(context, async () => fn(context, await servers.get(context, uuid)));
}

interface Moving {
  readonly cloud: Cloud;
  readonly volumes: VolumeCloud;
  readonly servers: ServersService;
  readonly uuid: string;
  readonly rootId: string;
  readonly dataId: string;
}

/** A server booted from a new blank volume, with a second volume attached, ACTIVE on compute-1 of `hosts`. */
function withVolumeBackedServer(hosts: number, fn: (moving: Moving) => Promise<void>): Promise<void> {
  return withVolumeCloud('sqlite', (volumes) =>
    withCloud(
      hosts,
      async (cloud) => {
        await ensureDefaultFlavors(new FlavorStore(cloud.db));
        const servers = serversOf(cloud);
        const context = as(MEMBER);
        const uuid = await runWithContext(context, async () => {
          const blockDevices = [{ uuid: null, sourceType: 'blank' as const, bootIndex: 0, volumeSize: 1, deleteOnTermination: true, deviceName: null, tag: null }];
          const created = await servers.create(context, { name: 'bfv', imageRef: '', blockDevices, flavorRef: '1', networks: 'none', minCount: 1, maxCount: 1, hints: {} });
          return created.servers[0]?.row.uuid ?? '';
        });
        await waitFor(cloud.db, uuid, 'active', null, 30_000);
        const [root] = await new BlockDeviceStore(cloud.db).ofInstance(uuid);
        const dataId = await volumes.availableVolume({ size: 1 }, MEMBER);
        await act(servers, MEMBER, uuid, (context, server) => servers.volumeAttachments.attach(context, server, { volumeId: dataId, multiattachAllowed: false }));
        await eventually(async () => assert.equal((await volumeOf(volumes, dataId))['status'], 'in-use'), 30_000);
        await fn({ cloud, volumes, servers, uuid, rootId: root?.volumeId ?? '', dataId });
      },
      undefined,
      { volumes: inProcessVolumes(volumes) },
    ),
  );
}

async function volumeOf(volumes: VolumeCloud, id: string): Promise<Json> {
  return ((await volumes.call('GET', `/volumes/${id}`, { as: MEMBER })).json['volume'] ?? {}) as Json;
}

/** Each volume as `status host…` of its attachments (all the server's). */
async function holds({ volumes, uuid, rootId, dataId }: Moving): Promise<string[]> {
  const out: string[] = [];
  for (const id of [rootId, dataId]) {
    const volume = await volumeOf(volumes, id);
    const attachments = volume['attachments'] as Json[];
    assert.ok(attachments.every((attachment) => attachment['server_id'] === uuid));
    out.push([volume['status'], ...attachments.map((attachment) => attachment['host_name'])].join(' '));
  }
  return out;
}

/** The guest on `host` has both volumes, the root one as its root disk; no other host has the guest. */
function assertGuestOn(moving: Moving, host: string, hosts: readonly string[]): void {
  const guest = moving.cloud.driver(host).inspect(moving.uuid);
  assert.equal(guest?.rootVolumeId, moving.rootId, `the guest on ${host} boots from its volume`);
  assert.deepEqual(guest?.volumeIds, [moving.dataId], `the guest on ${host} has its data volume`);
  for (const other of hosts.filter((name) => name !== host)) assert.equal(moving.cloud.driver(other).inspect(moving.uuid), undefined, `no guest left on ${other}`);
}

/** The mappings' attachments are the ones the volume service holds for the server. */
async function assertMappingsHold(moving: Moving): Promise<void> {
  const mappings = await new BlockDeviceStore(moving.cloud.db).ofInstance(moving.uuid);
  for (const mapping of mappings) {
    const attachments = (await volumeOf(moving.volumes, mapping.volumeId ?? ''))['attachments'] as Json[];
    assert.deepEqual(attachments.map((attachment) => attachment['attachment_id']), [mapping.attachmentId]);
  }
}

describe('a volume-backed server with an attached volume moves on the workers', () => {
  test('resize: the destination attaches both volumes, the source keeps its attachments until confirm', () =>
    withVolumeBackedServer(2, async (moving) => {
      const { cloud, servers, uuid } = moving;
      await act(servers, MEMBER, uuid, (context, server) => servers.resize.resize(context, server, '2'));
      await waitFor(cloud.db, uuid, 'resized', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-2');
      const guest = cloud.driver('compute-2').inspect(uuid);
      assert.deepEqual([guest?.rootVolumeId, guest?.volumeIds], [moving.rootId, [moving.dataId]]);
      assert.deepEqual(await holds(moving), ['in-use compute-1 compute-2', 'in-use compute-1 compute-2'], 'both ends hold the volumes while the resize waits');

      await act(servers, MEMBER, uuid, (context, server) => servers.resize.confirmResize(context, server));
      await eventually(async () => assert.deepEqual(await holds(moving), ['in-use compute-2', 'in-use compute-2']), 30_000);
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      assertGuestOn(moving, 'compute-2', ['compute-1', 'compute-2']);
      await assertMappingsHold(moving);
    }));

  test('resize reverted: the destination’s attachments go and the source connects its own again', () =>
    withVolumeBackedServer(2, async (moving) => {
      const { cloud, servers, uuid } = moving;
      await act(servers, ADMIN, uuid, (context, server) => servers.resize.migrate(context, server, undefined));
      await waitFor(cloud.db, uuid, 'resized', null, 30_000);
      await act(servers, MEMBER, uuid, (context, server) => servers.resize.revertResize(context, server));
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-1');
      assertGuestOn(moving, 'compute-1', ['compute-1', 'compute-2']);
      assert.deepEqual(await holds(moving), ['in-use compute-1', 'in-use compute-1']);
      await assertMappingsHold(moving);
    }));

  test('live migration: the volumes follow the guest; one that fails leaves them with the source', () =>
    withVolumeBackedServer(2, async (moving) => {
      const { cloud, uuid } = moving;
      // The copy fails on the source: the rollback gives the volumes back to it.
      cloud.driver('compute-1').faults.failNext('liveMigration', { instanceUuid: uuid, message: 'liveMigration broke' });
      const failed = await liveMigrate(cloud, uuid);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, failed.migration.id)).status, 'error'), 30_000);
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-1');
      assert.deepEqual(await holds(moving), ['in-use compute-1', 'in-use compute-1'], 'the destination’s attachments are gone');
      await assertMappingsHold(moving);

      const { migration } = await liveMigrate(cloud, uuid);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, 'completed'), 30_000);
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-2');
      assertGuestOn(moving, 'compute-2', ['compute-1', 'compute-2']);
      assert.deepEqual(await holds(moving), ['in-use compute-2', 'in-use compute-2']);
      await assertMappingsHold(moving);
    }));

  test('shelve offloads at once (no snapshot): the volumes stay reserved for the server on no host; unshelve connects them where it lands', () =>
    withVolumeBackedServer(2, async (moving) => {
      const { cloud, servers, uuid } = moving;
      await act(servers, MEMBER, uuid, (context, server) => servers.snapshots.shelve(context, server));
      await waitFor(cloud.db, uuid, 'shelved_offloaded', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, null);
      assert.equal(cloud.driver('compute-1').inspect(uuid), undefined);
      // The volume view lists attached attachments only (as Cinder's): the reserved one is not shown.
      assert.deepEqual(await holds(moving), ['reserved', 'reserved'], 'reserved for the server, connected to no host');

      await act(servers, MEMBER, uuid, (context, server) => servers.snapshots.unshelve(context, server));
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      const host = (await instance(cloud.db, uuid)).host ?? '';
      assertGuestOn(moving, host, ['compute-1', 'compute-2']);
      assert.deepEqual(await holds(moving), [`in-use ${host}`, `in-use ${host}`]);
      await assertMappingsHold(moving);
    }));

  test('evacuation: the volumes are attached on the new host and the down host’s attachments go', () =>
    withVolumeBackedServer(2, async (moving) => {
      const { cloud, uuid } = moving;
      await forceDown(cloud.db, 'compute-1');
      const { migration } = await evacuate(cloud, uuid);
      await eventually(async () => assert.equal((await migrationRow(cloud.db, migration.id)).status, 'done'), 30_000);
      await waitFor(cloud.db, uuid, 'active', null, 30_000);
      assert.equal((await instance(cloud.db, uuid)).host, 'compute-2');
      const guest = cloud.driver('compute-2').inspect(uuid);
      assert.deepEqual([guest?.rootVolumeId, guest?.volumeIds], [moving.rootId, [moving.dataId]]);
      assert.deepEqual(await holds(moving), ['in-use compute-2', 'in-use compute-2']);
      await assertMappingsHold(moving);
    }));
});

describe('multiattach on the real workers', () => {
  test('a volume of a multiattach type goes to two servers from 2.60, each connection marked shared; before 2.60 it is Nova’s 400', () =>
    withVolumeBackedServer(1, async ({ cloud, volumes, servers, uuid }) => {
      const type = await volumes.call('POST', '/types', { body: { volume_type: { name: 'multiattach' } }, as: ADMIN });
      const typeId = String((type.json['volume_type'] as Json)['id']);
      assert.equal((await volumes.call('POST', `/types/${typeId}/extra_specs`, { body: { extra_specs: { multiattach: '<is> True' } }, as: ADMIN })).status, 200);
      const sharedId = await volumes.availableVolume({ size: 1, volume_type: 'multiattach' }, MEMBER);
      assert.equal((await volumeOf(volumes, sharedId))['multiattach'], true);

      const second = await runWithContext(as(MEMBER), async () => {
        const context = as(MEMBER);
        const blockDevices = [{ uuid: null, sourceType: 'blank' as const, bootIndex: 0, volumeSize: 1, deleteOnTermination: true, deviceName: null, tag: null }];
        const created = await servers.create(context, { name: 'second', imageRef: '', blockDevices, flavorRef: '1', networks: 'none', minCount: 1, maxCount: 1, hints: {} });
        return created.servers[0]?.row.uuid ?? '';
      });
      await waitFor(cloud.db, second, 'active', null, 30_000);
      await assert.rejects(
        act(servers, MEMBER, uuid, (context, server) => servers.volumeAttachments.attach(context, server, { volumeId: sharedId, multiattachAllowed: false })),
        /Multiattach volumes are only supported starting with compute API version 2.60/,
      );
      for (const server of [uuid, second]) {
        await act(servers, MEMBER, server, (context, shown) => servers.volumeAttachments.attach(context, shown, { volumeId: sharedId, multiattachAllowed: true }));
        await eventually(async () => assert.ok(cloud.driver('compute-1').inspect(server)?.volumeIds.includes(sharedId)), 30_000);
        // Cinder reserves a volume only while it is available or in-use, not while an attach is
        // still completing ('attaching'): the next attach waits, as a user's would have to.
        await eventually(async () => assert.equal((await volumeOf(volumes, sharedId))['status'], 'in-use'), 30_000);
      }
      await eventually(async () => {
        const shown = await volumeOf(volumes, sharedId);
        assert.equal(shown['status'], 'in-use');
        assert.deepEqual((shown['attachments'] as Json[]).map((attachment) => attachment['server_id']).sort(), [uuid, second].sort());
      }, 30_000);
      for (const server of [uuid, second]) {
        const mapping = (await new BlockDeviceStore(cloud.db).ofInstance(server)).find((bdm) => bdm.volumeId === sharedId);
        assert.equal(mapping?.connectionInfo?.['multiattach'], true, 'the hypervisor is told other guests write the volume too');
      }
    }));
});
