/**
 * Nova's microversions 2.81 to 2.93 through the REST API (the behaviours that have no older file
 * of their own): the aggregate image cache, the non-admin list filters, action event details,
 * volume-backed rescue and rebuild, hostnames, and key pairs that must be imported.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newAdminContext, runWithContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { fakeImage } from '../../testing/fake-image.js';
import { IMAGE_ID, withComputeApp, type Harness } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@nimbus';
type Json = Record<string, unknown>;

async function names({ call }: Harness, query: string, version: string): Promise<string[]> {
  const reply = await call('GET', `/servers${query}`, { as: DEMO, version });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return (reply.json['servers'] as { name: string }[]).map((server) => server.name).sort();
}

/** Makes a server volume-backed: its root disk a volume at boot index 0. */
async function rootOnVolume(db: Database, uuid: string): Promise<void> {
  await db.kysely.withTables<ComputeTables>().insertInto('compute_block_device_mappings').values({
    instance_uuid: uuid, source_type: 'volume', destination_type: 'volume', device_name: '/dev/vda', boot_index: 0, image_id: null,
    volume_id: '0b7a1f9e-0000-4000-8000-0000000000aa', volume_size: 1, delete_on_termination: false, attachment_id: null, tag: null, created_at: '2026-12-06T00:00:00.000Z',
  }).execute();
}

describe('compute routes: microversions 2.81 to 2.93', () => {
  test('2.81: an image cache request checks the aggregate and its images, then asks each of its hosts', () =>
    withComputeApp(async ({ call, admin, recorded, registry }) => {
      for (const host of ['compute-1', 'compute-2']) await registry.register({ binary: 'nova-compute', host, topic: 'compute' });
      const aggregate = await admin.aggregates.create('rack', undefined);
      const id = String(aggregate.row.id);
      for (const host of ['compute-1', 'compute-2']) await admin.aggregates.addHost(id, host);
      const path = `/os-aggregates/${id}/images`;
      const cache = (images: string[]) => ({ cache: images.map((image) => ({ id: image })) });
      const missing = '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a09';
      const refused: [string, unknown, string, number][] = [
        [path, cache([IMAGE_ID]), '2.80', 404],
        [path, cache([IMAGE_ID, IMAGE_ID]), '2.81', 400],
        [path, cache([missing]), '2.81', 400],
        [path, { cache: [] }, '2.81', 400],
        [path, { cache: [{ id: IMAGE_ID, name: 'x' }] }, '2.81', 400],
        ['/os-aggregates/999/images', cache([IMAGE_ID]), '2.81', 404],
        ['/os-aggregates/rack/images', cache([IMAGE_ID]), '2.81', 400],
      ];
      for (const [where, body, version, status] of refused) assert.equal((await call('POST', where, { body, version })).status, status, `${where} ${JSON.stringify(body)} @${version}`);
      assert.equal((await call('POST', path, { body: cache([IMAGE_ID]), as: DEMO, version: '2.81' })).status, 403);
      assert.deepEqual(recorded.agent, []);

      const accepted = await call('POST', path, { body: cache([IMAGE_ID]), version: '2.81' });
      assert.equal(accepted.status, 202);
      assert.deepEqual(recorded.agent.map(({ verb, host, args }) => [verb, host, args]), [
        ['cache_images', 'compute-1', { imageIds: [IMAGE_ID] }],
        ['cache_images', 'compute-2', { imageIds: [IMAGE_ID] }],
      ]);
    }));

  test('2.83: a member filters their servers by the columns they can see; 2.90 adds hostname', () =>
    withComputeApp(async (harness) => {
      const { db } = harness;
      await insertInstance(db, 'demo', { display_name: 'web', key_name: 'deploy', vm_state: 'stopped', power_state: 4, hostname: 'web-1' });
      await insertInstance(db, 'demo', { display_name: 'db', key_name: 'other' });
      assert.deepEqual(await names(harness, '?key_name=deploy', '2.82'), ['db', 'web'], 'ignored before 2.83');
      assert.deepEqual(await names(harness, '?key_name=deploy', '2.83'), ['web']);
      assert.deepEqual(await names(harness, '?vm_state=stopped', '2.83'), ['web']);
      assert.deepEqual(await names(harness, '?power_state=4', '2.83'), ['web']);
      assert.deepEqual(await names(harness, '?hostname=web-1', '2.89'), ['db', 'web'], 'hostname is 2.90');
      assert.deepEqual(await names(harness, '?hostname=web-1', '2.90'), ['web']);
      assert.deepEqual(await names(harness, '?host=compute-1', '2.90'), ['db', 'web'], 'host stays the administrator’s');
    }));

  test("2.84: a failed event's details for the administrator only", () =>
    withComputeApp(async ({ call, db, servers }) => {
      const id = await insertInstance(db, 'demo');
      const kysely = db.kysely.withTables<ComputeTables>();
      await kysely.insertInto('compute_instance_actions').values({
        instance_uuid: id, action: 'reboot', request_id: 'req-reboot', user_id: 'user-of-demo', project_id: 'demo', start_time: '2026-12-06T00:00:00.000Z',
        finish_time: null, message: null, created_at: '2026-12-06T00:00:00.000Z', updated_at: '2026-12-06T00:00:00.000Z',
      }).execute();
      // The agent's report of a failed event, as the conductor writes it.
      await runWithContext({ ...newAdminContext(), requestId: 'req-reboot' }, () =>
        servers.actionLog.store.eventFinish({ uuid: id, event: 'compute_reboot_instance', host: 'compute-1', result: 'Error', traceback: 'Reboot failed: guest did not respond' }),
      );
      const event = async (version: string, as = ADMIN) =>
        ((await call('GET', `/servers/${id}/os-instance-actions/req-reboot`, { as, version })).json['instanceAction'] as { events: Json[] }).events[0] ?? {};
      assert.equal((await event('2.83'))['details'], undefined);
      assert.equal((await event('2.84'))['details'], 'Reboot failed: guest did not respond');
      assert.equal('details' in (await event('2.84', DEMO)), false);
    }));

  test("2.86: a flavor's extra specs of Nova's namespaces are checked; other keys are the operator's", () =>
    withComputeApp(async ({ call }) => {
      const path = '/flavors/1/os-extra_specs';
      const set = (extra_specs: Json, version: string) => call('POST', path, { body: { extra_specs }, version });
      const refused: [Json, RegExp][] = [
        [{ 'hw:cpu_polcy': 'dedicated' }, /extra spec 'hw:cpu_polcy' does not appear to be a valid extra spec/],
        [{ 'hw:cpu_policy': 'fast' }, /'fast' is not one of: dedicated, shared, mixed/],
        [{ 'hw:numa_nodes': '0' }, /less than the min value of '1'/],
        [{ 'hw:cpu_cores': 'two' }, /not a valid integer value/],
        [{ 'os:monitors': 9 }, /greater than the max value of '8'/],
        [{ 'hw_rng:allowed': 'maybe' }, /not a valid boolean-like value/],
        [{ 'hw:mem_page_size': 'huge' }, /is not of the format/],
        [{ 'trait:COMPUTE_STATUS_DISABLED': 'preferred' }, /not one of: required, forbidden/],
        [{ 'resources1:VCPU': 'x' }, /not a valid integer value/],
        [{ 'quota:cpu_sharez': '1' }, /does not appear to be a valid extra spec/],
      ];
      for (const [specs, message] of refused) {
        const reply = await set(specs, '2.86');
        assert.equal(reply.status, 400, JSON.stringify(specs));
        assert.match(JSON.stringify(reply.json), message);
        assert.equal((await set(specs, '2.85')).status, 200, `${JSON.stringify(specs)} unchecked before 2.86`);
      }
      const accepted = {
        'hw:cpu_policy': 'dedicated', 'hw:numa_cpus.0': '0-1', 'hw:mem_page_size': '2MB', 'hw_rng:allowed': true, 'resources:VCPU': 2, 'resources_gpu:CUSTOM_FPGA_X': '1',
        'trait:HW_CPU_X86_AVX2': 'required', 'capabilities:cpu_info:features': 'avx', 'aggregate_instance_extra_specs:ssd': 'true', 'my:own': 'anything', 'plain': 'x',
      };
      const reply = await set(accepted, '2.86');
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal((await call('PUT', `${path}/hw:cpu_policy`, { body: { 'hw:cpu_policy': 'fast' }, version: '2.86' })).status, 400);
      const after = (await call('GET', `${path}/hw:cpu_policy`, { version: '2.86' })).json;
      assert.deepEqual(after, { 'hw:cpu_policy': 'dedicated' }, 'a refused update changes nothing');
    }));

  test('2.87 and 2.93: a volume-backed server rescues from 2.87 with a stable-device rescue image and rebuilds with another image from 2.93; a refused rescue or rebuild changes nothing', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      await rootOnVolume(db, id);
      const { image_ref: imageBefore } = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').select('image_ref').where('uuid', '=', id).executeTakeFirstOrThrow();
      const stable = fakeImage('6f1c4a46-1111-4c4e-9a7e-0000000000aa', { properties: { hw_rescue_bus: 'virtio', hw_rescue_device: 'disk' } });
      recorded.snapshots.set(stable.id, stable);
      const act = (body: Json, version: string) => call('POST', `/servers/${id}/action`, { body, as: DEMO, version });

      const before = await act({ rescue: { rescue_image_ref: stable.id } }, '2.86');
      assert.equal(before.status, 400);
      assert.match(JSON.stringify(before.json), /Cannot rescue a volume-backed instance/);
      assert.match(JSON.stringify((await act({ rescue: null }, '2.87')).json), /Cannot rescue a volume-backed instance/);

      const newImage = await act({ rebuild: { imageRef: stable.id } }, '2.92');
      assert.equal(newImage.status, 400);
      assert.match(JSON.stringify(newImage.json), /Unable to rebuild with a different image for a volume-backed server/);

      const row = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').select(['task_state', 'vm_state', 'image_ref']).where('uuid', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { task_state: null, vm_state: 'active', image_ref: imageBefore });
      assert.deepEqual(recorded.agent, []);
      const stableRescue = await act({ rescue: { rescue_image_ref: stable.id, adminPass: 'rescue-pw' } }, '2.87');
      assert.deepEqual([stableRescue.status, stableRescue.json], [200, { adminPass: 'rescue-pw' }]);
      assert.deepEqual(recorded.agent, [{ verb: 'rescue_instance', host: 'compute-1', args: { instanceUuid: id, rescuePassword: 'rescue-pw', rescueImageRef: stable.id } }]);
      // An image-backed server still rescues at 2.87.
      const imageBacked = await insertInstance(db, 'demo');
      assert.equal((await call('POST', `/servers/${imageBacked}/action`, { body: { rescue: null }, as: DEMO, version: '2.87' })).status, 200);

      // 2.93: the rebuild goes to the host asking it to reimage the root volume; the server shows the new image.
      const rebuilt = await insertInstance(db, 'demo');
      await rootOnVolume(db, rebuilt);
      const accepted = await call('POST', `/servers/${rebuilt}/action`, { body: { rebuild: { imageRef: stable.id, adminPass: 'pw' } }, as: DEMO, version: '2.93' });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
      assert.deepEqual(recorded.agent.at(-1), {
        verb: 'rebuild_instance',
        host: 'compute-1',
        args: { instanceUuid: rebuilt, imageRef: stable.id, adminPassword: 'pw', preserveEphemeral: false, reimageBootVolume: true },
      });
      const shown = (await call('GET', `/servers/${rebuilt}`, { as: DEMO, version: '2.93' })).json['server'] as Json;
      assert.deepEqual([shown['status'], (shown['image'] as Json)['id']], ['REBUILD', stable.id]);
    }));

  test('2.90: a hostname on create, update and rebuild, and shown to the owner', () =>
    withComputeApp(async ({ call, db }) => {
      const boot = (server: Json, version: string) => call('POST', '/servers', { body: { server: { name: 'My VM', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none', ...server } }, as: DEMO, version });
      assert.equal((await boot({ hostname: 'vm-1' }, '2.89')).status, 400);
      assert.equal((await boot({ hostname: 'bad_name' }, '2.90')).status, 400);
      assert.equal((await boot({ hostname: 'vm-1', max_count: 2 }, '2.90')).status, 400);
      const created = await boot({ hostname: 'vm-1' }, '2.90');
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const id = String((created.json['server'] as Json)['id']);
      const shown = async (version: string) => ((await call('GET', `/servers/${id}`, { as: DEMO, version })).json['server'] as Json)['OS-EXT-SRV-ATTR:hostname'];
      assert.deepEqual([await shown('2.89'), await shown('2.90')], [undefined, 'vm-1']);

      assert.equal((await call('PUT', `/servers/${id}`, { body: { server: { hostname: 'vm-2' } }, as: DEMO, version: '2.89' })).status, 400);
      const updated = await call('PUT', `/servers/${id}`, { body: { server: { hostname: 'vm-2' } }, as: DEMO, version: '2.90' });
      assert.equal((updated.json['server'] as Json)['OS-EXT-SRV-ATTR:hostname'], 'vm-2');

      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ vm_state: 'active', task_state: null, host: 'compute-1' }).where('uuid', '=', id).execute();
      const rebuilt = await call('POST', `/servers/${id}/action`, { body: { rebuild: { imageRef: IMAGE_ID, hostname: 'vm-3' } }, as: DEMO, version: '2.90' });
      assert.equal(rebuilt.status, 202, JSON.stringify(rebuilt.json));
      assert.equal((rebuilt.json['server'] as Json)['OS-EXT-SRV-ATTR:hostname'], 'vm-3');
    }));

  test('2.92: a key pair is imported, never generated; its name may hold @ and .', () =>
    withComputeApp(async ({ call }) => {
      const create = (keypair: Json, version: string) => call('POST', '/os-keypairs', { body: { keypair }, as: DEMO, version });
      assert.equal((await create({ name: 'made' }, '2.92')).status, 400);
      assert.equal((await create({ name: 'me@host.example', public_key: ED25519 }, '2.91')).status, 400);
      const imported = await create({ name: 'me@host.example', public_key: ED25519 }, '2.92');
      assert.equal(imported.status, 201, JSON.stringify(imported.json));
      assert.equal('private_key' in (imported.json['keypair'] as Json), false);
      assert.equal((await call('GET', '/os-keypairs/me@host.example', { as: DEMO, version: '2.92' })).status, 200);
      const generated = await create({ name: 'made' }, '2.91');
      assert.match(String((generated.json['keypair'] as Json)['private_key']), /PRIVATE KEY/);
    }));
});
