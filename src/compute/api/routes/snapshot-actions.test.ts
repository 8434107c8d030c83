import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import { readSystemMetadata, writeSystemMetadata } from '../../db/system-metadata.js';
import { ADMIN, insertInstance, memberOf, readerOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { NotFound } from '../../../common/errors/errors.js';
import type { ImageRef } from '../../../image/images/image.js';
import { QuotaManager } from '../../quotas/quota-manager.js';
import { SnapshotActions } from '../../servers/snapshot-actions.js';
import { BIG_IMAGE_ID, IMAGE_ID, withComputeApp, type Call, type CallOptions } from '../../testing/compute-test-app.js';
import { UsageStore } from '../../db/usage-store.js';
import { seedHosts } from '../../admin/testing/admin-fixtures.js';
import { QuotaStore } from '../../db/quota-store.js';
import { BlockDeviceStore } from '../../db/bdm-store.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');

function action<R>(call: (method: string, path: string, options: CallOptions) => Promise<R>, id: string, body: unknown, options: { as?: RequestContext; version?: string } = {}): Promise<R> {
  return call('POST', `/servers/${id}/action`, { body, as: options.as ?? DEMO, ...(options.version === undefined ? {} : { version: options.version }) });
}

async function row(db: Database, uuid: string) {
  return db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

async function actionNames(call: Call, id: string): Promise<string[]> {
  const listed = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as { action: string }[];
  return listed.map((entry) => entry.action);
}

describe('compute routes: createImage, shelve, shelveOffload, unshelve', () => {
  test('createImage at 2.1: 202 with a Location, a queued snapshot image with Nova\'s properties, the cast and the action', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { image_ref: BIG_IMAGE_ID, root_gb: 1 });
      const reply = await action(call, id, { createImage: { name: 'snap', metadata: { purpose: 'backup' } } });
      assert.equal(reply.status, 202, JSON.stringify(reply.json));
      assert.deepEqual(reply.json, {});
      const [image] = [...recorded.snapshots.values()];
      assert.ok(image);
      assert.equal(reply.headers['location'], `http://cloud/image/v2/images/${image.id}`);
      assert.deepEqual([image.name, image.status, image.owner, image.visibility, image.min_disk, image.min_ram], ['snap', 'queued', 'demo', 'private', 20, 4096]);
      assert.deepEqual(image.properties, { purpose: 'backup', user_id: 'user-of-demo', image_type: 'snapshot', instance_uuid: id, base_image_ref: BIG_IMAGE_ID });
      assert.equal((await row(db, id)).task_state, 'image_snapshot_pending');
      assert.deepEqual(recorded.agent, [{ verb: 'snapshot_instance', host: 'compute-1', args: { instanceUuid: id, imageId: image.id } }]);
      assert.deepEqual(await actionNames(call, id), ['createImage']);
    }));

  test('createImage at 2.45 answers the image id in the body; min_disk is the flavor\'s root disk when the image asks less', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { image_ref: IMAGE_ID, root_gb: 5 });
      const reply = await action(call, id, { createImage: { name: 'snap' } }, { version: '2.45' });
      assert.equal(reply.status, 202);
      const [image] = [...recorded.snapshots.values()];
      assert.deepEqual(reply.json, { image_id: image?.id });
      assert.equal(reply.headers['location'], undefined);
      assert.equal(image?.min_disk, 5);
    }));

  test('a snapshot of a server booted from a snapshot inherits its properties, minus the non-inheritable ones and its image_type', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const first = await insertInstance(db, 'demo', { image_ref: IMAGE_ID });
      await action(call, first, { createImage: { name: 'one', metadata: { os_distro: 'cirros', img_signature: 'abc', os_glance_import_task: 'x', image_type: 'golden' } } });
      const [parent] = [...recorded.snapshots.values()];
      assert.ok(parent);
      assert.equal(parent.properties['image_type'], 'golden', "createImage's metadata names the image_type");
      const second = await insertInstance(db, 'demo', { image_ref: parent.id });
      await action(call, second, { createImage: { name: 'two' } });
      const child = [...recorded.snapshots.values()].find((image) => image.name === 'two');
      assert.deepEqual(child?.properties, { os_distro: 'cirros', user_id: 'user-of-demo', image_type: 'snapshot', instance_uuid: second, base_image_ref: parent.id });
    }));

  test('an admin snapshotting a member\'s server makes an image the server\'s project owns', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { vm_state: 'stopped', power_state: 4 });
      assert.equal((await action(call, id, { createImage: { name: 'by-admin' } }, { as: ADMIN })).status, 202);
      const [image] = [...recorded.snapshots.values()];
      assert.equal(image?.owner, 'demo');
      assert.equal(image?.properties['user_id'], 'admin');
    }));

  test('createImage refusals: wrong state 409 naming it, bad bodies 400, locked 409, quota 403 before 2.39, no image left', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const shelved = await insertInstance(db, 'demo', { vm_state: 'shelved' });
      const busy = await insertInstance(db, 'demo', { task_state: 'powering-off' });
      const locked = await insertInstance(db, 'demo', { locked: true, locked_by: 'owner' });
      const active = await insertInstance(db, 'demo');
      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null });
      assert.match(JSON.stringify((await action(call, offloaded, { createImage: { name: 'x' } })).json), /while it is in vm_state shelved_offloaded/);
      const refused = await action(call, shelved, { createImage: { name: 'x' } });
      assert.equal(refused.status, 409);
      assert.match(JSON.stringify(refused.json), new RegExp(`Cannot 'createImage' instance ${shelved} while it is in vm_state shelved`));
      assert.match(JSON.stringify((await action(call, busy, { createImage: { name: 'x' } })).json), /while it is in task_state powering-off/);
      assert.match(JSON.stringify((await action(call, locked, { createImage: { name: 'x' } })).json), /is locked/);
      for (const body of [{}, { name: '' }, { name: ' padded' }, { name: 'x', extra: 1 }, { name: 'x', metadata: { 'bad/key': 'v' } }, { name: 'x', metadata: { k: 1 } }]) {
        assert.equal((await action(call, active, { createImage: body })).status, 400, JSON.stringify(body));
      }
      const many = Object.fromEntries(Array.from({ length: 129 }, (_, index) => [`k${index}`, 'v']));
      const overQuota = await action(call, active, { createImage: { name: 'x', metadata: many } });
      assert.equal(overQuota.status, 403);
      assert.match(JSON.stringify(overQuota.json), /Image metadata limit exceeded/);
      assert.equal(recorded.snapshots.size, 0);
      assert.equal(recorded.agent.length, 0);
      assert.equal((await row(db, active)).task_state, null);
      assert.equal((await action(call, active, { createImage: { name: 'x', metadata: many } }, { version: '2.39' })).status, 202);
    }));

  test('createImage and shelve: another project\'s server is 404, a reader is refused by policy', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      for (const body of [{ createImage: { name: 'x' } }, { shelve: null }, { unshelve: null }]) {
        assert.equal((await action(call, id, body, { as: OTHER })).status, 404);
        assert.equal((await action(call, id, body, { as: readerOf('demo') })).status, 403);
      }
    }));

  test('shelve: 202, a `<name>-shelved` snapshot image, task shelving and the cast; from SHUTOFF too; SHELVED again is 409', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo', { display_name: 'web' });
      const stopped = await insertInstance(db, 'demo', { vm_state: 'stopped', power_state: 4 });
      assert.equal((await action(call, id, { shelve: null })).status, 202);
      const [image] = [...recorded.snapshots.values()];
      assert.deepEqual([image?.name, image?.properties['image_type'], image?.properties['instance_uuid']], ['web-shelved', 'snapshot', id]);
      assert.equal((await row(db, id)).task_state, 'shelving');
      assert.deepEqual(recorded.agent[0], { verb: 'shelve_instance', host: 'compute-1', args: { instanceUuid: id, imageId: image?.id, clean: true } });
      assert.deepEqual(await actionNames(call, id), ['shelve']);
      assert.equal((await action(call, stopped, { shelve: {} })).status, 202);

      const shelved = await insertInstance(db, 'demo', { vm_state: 'shelved' });
      const again = await action(call, shelved, { shelve: null });
      assert.equal(again.status, 409);
      assert.match(JSON.stringify(again.json), /Cannot 'shelve' instance .* while it is in vm_state shelved/);
      assert.equal(recorded.snapshots.size, 2);
      assert.equal((await action(call, id, { shelve: { force: true } })).status, 400);
    }));

  test('shelveOffload is admin-only by default and needs a SHELVED server', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const shelved = await insertInstance(db, 'demo', { vm_state: 'shelved', power_state: 4 });
      const active = await insertInstance(db, 'demo');
      assert.equal((await action(call, shelved, { shelveOffload: null })).status, 403);
      const refused = await action(call, active, { shelveOffload: null }, { as: ADMIN });
      assert.equal(refused.status, 409);
      assert.match(JSON.stringify(refused.json), /Cannot 'shelveOffload' instance .* while it is in vm_state active/);
      assert.equal((await action(call, shelved, { shelveOffload: null }, { as: ADMIN })).status, 202);
      assert.equal((await row(db, shelved)).task_state, 'shelving_offloading');
      assert.deepEqual(recorded.agent, [{ verb: 'shelve_offload_instance', host: 'compute-1', args: { instanceUuid: shelved, clean: true } }]);
    }));

  test('unshelve hands an offloaded server to the conductor with its flavor, its snapshot and its zone', () =>
    withComputeApp(async ({ call, db, recorded, registry }) => {
      await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
      const id = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', power_state: 4, host: null, node: null, availability_zone: null, requested_availability_zone: 'nova', vcpus: 2 });
      const snapshot = await action(call, await insertInstance(db, 'demo'), { createImage: { name: 'shelf' } });
      assert.equal(snapshot.status, 202);
      const [image] = [...recorded.snapshots.values()];
      await writeSystemMetadata(db.kysely.withTables<ComputeTables>(), id, { shelved_image_id: image?.id ?? '', shelved_host: 'compute-1' });
      assert.equal((await action(call, id, { unshelve: null })).status, 202);
      assert.equal((await row(db, id)).task_state, 'unshelving');
      const [unshelve] = recorded.unshelves;
      assert.equal(unshelve?.instanceUuid, id);
      assert.deepEqual([unshelve?.spec.flavor.vcpus, unshelve?.spec.image.id, unshelve?.spec.availabilityZone], [2, image?.id, 'nova']);
      assert.deepEqual(unshelve?.spec.image.properties, image?.properties);
      assert.deepEqual(await actionNames(call, id), ['unshelve']);
      assert.equal((await readSystemMetadata(db.kysely.withTables<ComputeTables>(), id))['shelved_host'], 'compute-1');
    }));

  test('unshelve keeps the server group: an offloaded anti-affinity member is scheduled away from the others', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const tables = db.kysely.withTables<ComputeTables>();
      const now = new Date().toISOString();
      const { id: groupId } = await tables
        .insertInto('compute_server_groups')
        .values({ uuid: 'group-1', name: 'spread', project_id: 'demo', user_id: 'user-of-demo', policy: 'anti-affinity', rules: '{}', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const sibling = await insertInstance(db, 'demo', { host: 'compute-2', node: 'compute-2' });
      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null });
      await tables.insertInto('compute_server_group_members').values([{ group_id: groupId, instance_uuid: sibling }, { group_id: groupId, instance_uuid: offloaded }]).execute();
      assert.equal((await action(call, offloaded, { unshelve: null })).status, 202);
      const group = recorded.unshelves[0]?.spec.serverGroup;
      assert.deepEqual([group?.policy, [...(group?.hosts ?? [])], [...(group?.members ?? [])].sort()], ['anti-affinity', ['compute-2'], [sibling, offloaded].sort()]);
    }));

  test('unshelve: ACTIVE is 409; from 2.77 an availability zone, checked, only for an offloaded server', () =>
    withComputeApp(async ({ call, db, recorded, registry }) => {
      await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
      const active = await insertInstance(db, 'demo');
      const refused = await action(call, active, { unshelve: null });
      assert.equal(refused.status, 409);
      assert.match(JSON.stringify(refused.json), /Cannot 'unshelve' instance .* while it is in vm_state active/);

      const shelved = await insertInstance(db, 'demo', { vm_state: 'shelved' });
      const onHost = await action(call, shelved, { unshelve: { availability_zone: 'nova' } }, { version: '2.77' });
      assert.equal(onHost.status, 409);
      assert.match(JSON.stringify(onHost.json), /The server status must be SHELVED_OFFLOADED/);

      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null, availability_zone: null, requested_availability_zone: null });
      const bad: [unknown, number][] = [
        [{ availability_zone: 'mars' }, 400],
        [{}, 400],
        [{ availability_zone: 'nova', host: 'compute-1' }, 400],
        [{ availability_zone: ' nova' }, 400],
      ];
      for (const [body, status] of bad) assert.equal((await action(call, offloaded, { unshelve: body }, { version: '2.77' })).status, status, JSON.stringify(body));
      assert.equal(recorded.unshelves.length, 0);
      assert.equal((await row(db, offloaded)).task_state, null);

      // Before 2.77 the body is not read: the zone is ignored.
      assert.equal((await action(call, offloaded, { unshelve: { availability_zone: 'mars' } })).status, 202);
      assert.equal(recorded.unshelves[0]?.spec.availabilityZone, undefined);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ task_state: null }).where('uuid', '=', offloaded).execute();
      assert.equal((await action(call, offloaded, { unshelve: { availability_zone: 'nova' } }, { version: '2.77' })).status, 202);
      assert.equal(recorded.unshelves[1]?.spec.availabilityZone, 'nova');
      assert.equal((await row(db, offloaded)).requested_availability_zone, 'nova', 'pinned to the zone asked');
    }));

  test('unshelve from 2.91: to a host (the administrator’s), checked against the zone; a null zone unpins', () =>
    withComputeApp(async ({ call, db, recorded, registry, admin }) => {
      await seedHosts({ registry, db });
      const zone = await admin.aggregates.create('rack-2', 'az2');
      await admin.aggregates.addHost(String(zone.row.id), 'compute-2');
      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null, availability_zone: null, requested_availability_zone: 'nova' });
      const unshelve = (body: unknown, as = ADMIN) => action(call, offloaded, { unshelve: body }, { version: '2.91', as });
      const refused: [unknown, number, RequestContext][] = [
        [{ host: 'compute-1' }, 403, DEMO],
        [{ host: 'compute-9' }, 400, ADMIN],
        [{ host: 'compute-2' }, 409, ADMIN], // pinned to nova, compute-2 is in az2
        [{ host: 'compute-1', availability_zone: 'az2' }, 409, ADMIN],
        [{ host: 7 }, 400, ADMIN],
        [{ zone: 'nova' }, 400, ADMIN],
      ];
      for (const [body, status, as] of refused) assert.equal((await unshelve(body, as)).status, status, JSON.stringify(body));
      assert.equal((await action(call, offloaded, { unshelve: { availability_zone: null } }, { version: '2.90' })).status, 400, 'null unpins from 2.91');
      assert.equal(recorded.unshelves.length, 0);

      assert.equal((await unshelve({ host: 'compute-2', availability_zone: null })).status, 202);
      assert.deepEqual([recorded.unshelves[0]?.spec.requestedDestination, recorded.unshelves[0]?.spec.availabilityZone], [{ host: 'compute-2' }, undefined]);
      assert.equal((await row(db, offloaded)).requested_availability_zone, null);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ task_state: null }).where('uuid', '=', offloaded).execute();
      assert.equal((await unshelve({ host: 'compute-1' })).status, 202, 'unpinned: any host');
      assert.equal((await unshelve({}, DEMO)).status, 409, 'unshelving already');
    }));

  test('deleting a shelved server deletes its shelve snapshot; other servers\' deletes touch no image', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const offloaded = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, node: null });
      const shelved = await insertInstance(db, 'demo', { vm_state: 'shelved' });
      const active = await insertInstance(db, 'demo');
      for (const [id, image] of [[offloaded, 'snap-offloaded'], [shelved, 'snap-shelved'], [active, 'not-a-shelve-snapshot']] as const) {
        await writeSystemMetadata(db.kysely.withTables<ComputeTables>(), id, { shelved_image_id: image });
        assert.equal((await call('DELETE', `/servers/${id}`, { as: DEMO })).status, 204);
      }
      assert.deepEqual(recorded.deletedImages, ['snap-offloaded', 'snap-shelved']);
      assert.deepEqual(recorded.agent.map((message) => message.verb), ['terminate_instance', 'terminate_instance']);
    }));

  test('a locked server refuses shelve and unshelve to its owner, not to an admin', () =>
    withComputeApp(async ({ call, db }) => {
      const locked = await insertInstance(db, 'demo', { locked: true, locked_by: 'owner' });
      assert.equal((await action(call, locked, { shelve: null })).status, 409);
      assert.equal((await action(call, locked, { shelve: null }, { as: ADMIN })).status, 202);
      const lockedShelved = await insertInstance(db, 'demo', { vm_state: 'shelved_offloaded', host: null, locked: true, locked_by: 'owner' });
      assert.match(JSON.stringify((await action(call, lockedShelved, { unshelve: null })).json), /is locked/);
    }));

  test('createImage losing the state race to another action deletes the image it created and answers 409', () =>
    withComputeApp(async ({ db, servers, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const deleted: string[] = [];
      // The image service is slow: a stop claims the server while the image record is created.
      const racing = new SnapshotActions({
        support: servers.actionSupport,
        quotas: new QuotaManager(new QuotaStore(db), new UsageStore(db)),
        availabilityZones: async () => ['nova'],
        zoneOfHost: async () => 'nova',
        blockDevices: new BlockDeviceStore(db),
        images: {
          getImageForCompute: async () => {
            throw new NotFound('gone');
          },
          createSnapshotImage: async (context) => {
            await servers.actions.stop(context, await servers.get(context, id));
            return { id: 'raced-image' } as ImageRef;
          },
          uploadImageData: async () => {
            throw new Error('no upload: the image-backed snapshot is the agent’s');
          },
          delete: async (_context, imageId) => void deleted.push(imageId),
        },
      });
      await assert.rejects(racing.createImage(DEMO, await servers.get(DEMO, id), 'snap', {}, false), /while it is in task_state powering-off/);
      assert.deepEqual(deleted, ['raced-image']);
      assert.deepEqual(recorded.agent.map((message) => message.verb), ['stop_instance']);
    }));
});

