import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createComputeStores } from '../../db/compute-stores.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import type { CachedVif } from '../../network/network-info.js';
import { IMAGE_ID, withComputeApp, type Harness } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');

type Body = Record<string, unknown>;

function boot(server: Body = {}): Body {
  return { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', ...server } };
}

async function show({ call }: Harness, id: string, version: string, as = DEMO): Promise<Body> {
  const reply = await call('GET', `/servers/${id}`, { as, version });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return reply.json['server'] as Body;
}

async function names({ call }: Harness, query: string, version: string, as = DEMO): Promise<string[]> {
  const reply = await call('GET', `/servers${query}`, { as, version });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return (reply.json['servers'] as { name: string }[]).map((server) => server.name).sort();
}

describe('compute routes: servers by microversion', () => {
  test('show: 2.3 extended attributes for admins, 2.9 locked, 2.19 description, 2.47 embedded flavor, 2.73 locked_reason', () =>
    withComputeApp(async (harness) => {
      const id = await insertInstance(harness.db, 'demo', { locked: true, locked_by: 'admin', locked_reason: 'audit', display_description: 'web tier', user_data: 'aGk=' });
      const v21 = await show(harness, id, '2.1', ADMIN);
      assert.equal(v21['OS-EXT-SRV-ATTR:reservation_id'], undefined);
      assert.equal(v21['locked'], undefined);
      const v23 = await show(harness, id, '2.3', ADMIN);
      assert.deepEqual(
        [v23['OS-EXT-SRV-ATTR:reservation_id'], v23['OS-EXT-SRV-ATTR:launch_index'], v23['OS-EXT-SRV-ATTR:hostname'], v23['OS-EXT-SRV-ATTR:root_device_name'], v23['OS-EXT-SRV-ATTR:user_data']],
        ['r-00000001', 0, 'vm', '/dev/vda', 'aGk='],
      );
      assert.equal((await show(harness, id, '2.3'))['OS-EXT-SRV-ATTR:user_data'], undefined, 'members see no extended attributes');
      assert.equal((await show(harness, id, '2.9'))['locked'], true);
      assert.equal((await show(harness, id, '2.18'))['description'], undefined);
      assert.equal((await show(harness, id, '2.19'))['description'], 'web tier');
      assert.deepEqual((await show(harness, id, '2.46'))['flavor'], { id: '1', links: [{ rel: 'bookmark', href: 'http://cloud/compute/flavors/1' }] });
      assert.deepEqual((await show(harness, id, '2.47'))['flavor'], { vcpus: 1, ram: 128, disk: 1, ephemeral: 0, swap: 0, original_name: 'm1.tiny', extra_specs: {} });
      await harness.db.kysely.withTables<ComputeTables>().insertInto('compute_block_device_mappings').values({
        instance_uuid: id, source_type: 'volume', destination_type: 'volume', device_name: '/dev/vdb', boot_index: null, image_id: null,
        volume_id: 'vol-1', volume_size: 1, delete_on_termination: true, attachment_id: null, tag: null, created_at: '2026-11-24T10:00:00.000Z',
      }).execute();
      assert.deepEqual((await show(harness, id, '2.1'))['os-extended-volumes:volumes_attached'], [{ id: 'vol-1' }]);
      assert.deepEqual((await show(harness, id, '2.3'))['os-extended-volumes:volumes_attached'], [{ id: 'vol-1', delete_on_termination: true }]);
      assert.equal((await show(harness, id, '2.72'))['locked_reason'], undefined);
      assert.equal((await show(harness, id, '2.73'))['locked_reason'], 'audit');
    }));

  test('2.16 host_status for admins from the compute service: UP, MAINTENANCE, DOWN; none for members', () =>
    withComputeApp(async (harness) => {
      const id = await insertInstance(harness.db, 'demo');
      const service = await harness.registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
      assert.equal((await show(harness, id, '2.15', ADMIN))['host_status'], undefined);
      assert.equal((await show(harness, id, '2.16', ADMIN))['host_status'], 'UP');
      assert.equal((await show(harness, id, '2.16'))['host_status'], undefined);
      assert.equal((await harness.call('PUT', '/os-services/disable', { body: { host: 'compute-1', binary: 'nova-compute' }, version: '2.1' })).status, 200);
      const detail = await harness.call('GET', '/servers/detail?all_tenants=1', { as: ADMIN, version: '2.16' });
      assert.equal((detail.json['servers'] as Body[])[0]?.['host_status'], 'MAINTENANCE');
      await harness.db.kysely.withTables<{ services: { id: number; forced_down: boolean } }>().updateTable('services').set({ forced_down: true }).where('id', '=', service.id).execute();
      assert.equal((await show(harness, id, '2.16', ADMIN))['host_status'], 'DOWN');
    }));

  test('create: 2.19 description, 2.37 networks required, 2.52 tags, 2.63 trusted certificates, 2.71 server_groups', () =>
    withComputeApp(async (harness) => {
      const { call } = harness;
      assert.equal((await call('POST', '/servers', { body: boot({ description: 'd' }), as: DEMO, version: '2.18' })).status, 400);
      const described = await call('POST', '/servers', { body: boot({ description: 'd' }), as: DEMO, version: '2.19' });
      assert.equal((await show(harness, String((described.json['server'] as Body)['id']), '2.19'))['description'], 'd');
      const plain = await call('POST', '/servers', { body: boot(), as: DEMO, version: '2.19' });
      assert.equal((await show(harness, String((plain.json['server'] as Body)['id']), '2.19'))['description'], null, 'no description asked is none from 2.19');

      const missing = await call('POST', '/servers', { body: boot(), as: DEMO, version: '2.37' });
      assert.deepEqual([missing.status, JSON.stringify(missing.json).includes("'networks' is a required property")], [400, true]);
      assert.equal((await call('POST', '/servers', { body: boot({ networks: 'auto' }), as: DEMO, version: '2.36' })).status, 400, 'auto is a 2.37 word');
      assert.equal((await call('POST', '/servers', { body: boot({ networks: [{ uuid: 'not-a-uuid' }] }), as: DEMO, version: '2.37' })).status, 400);
      const badUuid = await call('POST', '/servers', { body: boot({ networks: [{ uuid: 'not-a-uuid' }] }), as: DEMO, version: '2.36' });
      assert.match(JSON.stringify(badUuid.json), /Bad networks format: network uuid is not in proper format \(not-a-uuid\)/);
      const port = '5f3c2d1e-0000-4000-8000-000000000001';
      assert.equal((await call('POST', '/servers', { body: boot({ networks: [{ port }, { port }] }), as: DEMO, version: '2.36' })).status, 400);
      assert.equal((await call('POST', '/servers', { body: boot({ networks: [{ port, fixed_ip: '10.0.0.5' }] }), as: DEMO, version: '2.36' })).status, 400);
      assert.equal((await call('POST', '/servers', { body: boot({ networks: [{ uuid: IMAGE_ID, tag: 'nic' }] }), as: DEMO, version: '2.41' })).status, 400, 'no network tags 2.37–2.41');
      assert.equal((await call('POST', '/servers', { body: boot({ networks: [{ uuid: IMAGE_ID, tag: 'nic' }] }), as: DEMO, version: '2.42' })).status, 202);

      assert.equal((await call('POST', '/servers', { body: boot({ networks: 'none', tags: ['x'] }), as: DEMO, version: '2.51' })).status, 400);
      const group = await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['affinity'] } }, as: DEMO });
      const groupId = (group.json['server_group'] as { id: string }).id;
      const tagged = await call('POST', '/servers', {
        body: { ...boot({ networks: 'none', tags: ['x', 'y'], trusted_image_certificates: ['cert-1'] }), 'os:scheduler_hints': { group: groupId } },
        as: DEMO,
        version: '2.71',
      });
      assert.equal(tagged.status, 202, JSON.stringify(tagged.json));
      assert.match(tagged.headers['location'] ?? '', /\/compute\/v2\.1\/servers\//);
      const shown = await show(harness, String((tagged.json['server'] as Body)['id']), '2.71');
      assert.deepEqual([shown['tags'], shown['trusted_image_certificates'], shown['server_groups']], [['x', 'y'], ['cert-1'], [groupId]]);
      const listed = await call('GET', '/servers/detail', { as: DEMO, version: '2.71' });
      assert.equal((listed.json['servers'] as Body[])[0]?.['server_groups'], undefined, 'server_groups is for show, not the detail list');
    }));

  test('create 2.74: host and hypervisor_hostname are for admins and must name a compute node', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const now = '2026-11-24T10:00:00.000Z';
      await db.kysely.withTables<ComputeTables>().insertInto('compute_nodes').values({
        uuid: '00000000-0000-4000-8000-000000000001', host: 'compute-1', hypervisor_hostname: 'node-1', host_ip: null, vcpus: 4, memory_mb: 4096, local_gb: 40,
        vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0, running_vms: 0, disk_available_least: null, hypervisor_type: 'fake', hypervisor_version: 1,
        cpu_info: '{}', capabilities: '{}', cpu_allocation_ratio: 16, ram_allocation_ratio: 1.5, disk_allocation_ratio: 1, created_at: now, updated_at: now,
      }).execute();
      assert.equal((await call('POST', '/servers', { body: boot({ networks: 'none', host: 'compute-1' }), version: '2.73' })).status, 400);
      assert.equal((await call('POST', '/servers', { body: boot({ networks: 'none', host: 'compute-1' }), as: DEMO, version: '2.74' })).status, 403);
      const unknown = await call('POST', '/servers', { body: boot({ networks: 'none', host: 'compute-9' }), version: '2.74' });
      assert.deepEqual(unknown.json, { badRequest: { code: 400, message: 'Compute host compute-9 could not be found.' } });
      assert.equal((await call('POST', '/servers', { body: boot({ networks: 'none', hypervisor_hostname: 'node-1' }), version: '2.74' })).status, 202);
      assert.deepEqual(recorded.builds.map((build) => build.spec.requestedDestination), [{ host: 'compute-1', node: 'node-1' }]);
    }));

  test('update: 2.19 description; before 2.75 the short view, from 2.75 the whole server', () =>
    withComputeApp(async (harness) => {
      const id = await insertInstance(harness.db, 'demo');
      const { call } = harness;
      const short = await call('PUT', `/servers/${id}`, { body: { server: { description: 'new' } }, as: DEMO, version: '2.19' });
      assert.equal((short.json['server'] as Body)['description'], 'new');
      assert.equal((short.json['server'] as Body)['OS-EXT-STS:vm_state'], undefined);
      assert.equal((short.json['server'] as Body)['key_name'], undefined);
      const full = await call('PUT', `/servers/${id}`, { body: { server: { description: null } }, as: DEMO, version: '2.75' });
      const server = full.json['server'] as Body;
      assert.deepEqual([server['description'], server['OS-EXT-STS:vm_state'], server['OS-EXT-AZ:availability_zone']], [null, 'active', 'nova']);
      const nothing = await call('PUT', `/servers/${id}`, { body: { server: {} }, as: DEMO, version: '2.75' });
      assert.deepEqual([nothing.status, (nothing.json['server'] as Body)['name']], [200, 'vm'], 'Tempest updates with an empty server');
    }));

  test('list filters: ip and ip6 match the fixed addresses of the network info from their start, after the marker and before the limit', () =>
    withComputeApp(async (harness) => {
      const { call, db } = harness;
      const instances = createComputeStores(db).instances;
      const vif = (address: string, version: 4 | 6): CachedVif => ({
        id: `port-${address}`, address: 'fa:16:3e:00:00:01', networkId: 'net', networkLabel: 'private', type: 'bridge', bridge: 'brq', devname: 'tap',
        mtu: 1450, preserveOnDelete: false, tag: null, fixedIps: [{ address, version, subnetId: 'subnet', floatingIps: [] }],
      });
      const addressed: [string, string, CachedVif[]][] = [
        ['a', '2026-11-20T00:00:01.000Z', [vif('10.0.0.5', 4), vif('fd00::5', 6)]],
        ['b', '2026-11-20T00:00:02.000Z', [vif('10.0.0.51', 4)]],
        ['c', '2026-11-20T00:00:03.000Z', [vif('10.1.0.5', 4)]],
      ];
      for (const [name, createdAt, info] of addressed) {
        await instances.setNetworkInfo(await insertInstance(db, 'demo', { display_name: name, created_at: createdAt }), info);
      }
      await insertInstance(db, 'demo', { display_name: 'bare' });
      assert.deepEqual(await names(harness, '?ip=10.0.0.5', '2.1'), ['a', 'b'], 'a regex matched from the start, not a whole address');
      assert.deepEqual(await names(harness, '?ip=10\\.0\\.0\\.5$', '2.1'), ['a']);
      assert.deepEqual(await names(harness, '?ip=0.0.5', '2.1'), [], 're.match, not re.search');
      assert.deepEqual(await names(harness, '/detail?ip=10.1', '2.1'), ['c']);
      assert.deepEqual(await names(harness, '?ip6=fd00::', '2.5'), ['a']);
      assert.deepEqual(await names(harness, '?ip6=10.0', '2.5'), [], 'ip6 looks at IPv6 addresses only');
      assert.deepEqual(await names(harness, '?ip6=fd00::', '2.4'), ['a', 'b', 'bare', 'c'], 'members may filter by ip6 from 2.5');
      assert.deepEqual(await names(harness, '?ip=10.1&ip6=fd00', '2.5'), ['a', 'c'], 'either matches');
      const first = await call('GET', '/servers?ip=10.0.0.5&sort_key=created_at&sort_dir=asc&limit=1', { as: DEMO, version: '2.1' });
      const page = first.json['servers'] as { id: string; name: string }[];
      assert.deepEqual(page.map((server) => server.name), ['a'], 'the limit counts the matching servers only');
      const next = await call('GET', `/servers?ip=10.0.0.5&sort_key=created_at&sort_dir=asc&limit=1&marker=${page[0]?.id ?? ''}`, { as: DEMO, version: '2.1' });
      assert.deepEqual((next.json['servers'] as { name: string }[]).map((server) => server.name), ['b']);
    }));

  test('list filters: 2.26 tags, 2.66 changes-before, 2.73 locked, 2.38 bad status, 2.75 unknown parameters', () =>
    withComputeApp(async (harness) => {
      const { call, db } = harness;
      const web = await insertInstance(db, 'demo', { display_name: 'web' });
      const db1 = await insertInstance(db, 'demo', { display_name: 'db', locked: true, locked_by: 'owner' });
      await insertInstance(db, 'demo', { display_name: 'bare', updated_at: '2026-11-20T00:00:00.000Z' });
      for (const [id, tags] of [[web, ['a', 'b']], [db1, ['b', 'c']]] as const) {
        assert.equal((await call('PUT', `/servers/${id}/tags`, { body: { tags }, as: DEMO, version: '2.26' })).status, 200);
      }
      assert.deepEqual(await names(harness, '?tags=a,b', '2.26'), ['web']);
      assert.deepEqual(await names(harness, '?tags-any=a,c', '2.26'), ['db', 'web']);
      assert.deepEqual(await names(harness, '?not-tags=b,c', '2.26'), ['bare', 'web']);
      assert.deepEqual(await names(harness, '?not-tags-any=a,c', '2.26'), ['bare']);
      assert.deepEqual(await names(harness, '?tags=a', '2.25'), ['bare', 'db', 'web'], 'ignored before 2.26');
      assert.deepEqual(await names(harness, '?changes-before=2026-11-21T00:00:00Z', '2.66'), ['bare']);
      const window = await call('GET', '/servers?changes-since=2026-11-22T00:00:00Z&changes-before=2026-11-21T00:00:00Z', { as: DEMO, version: '2.66' });
      assert.equal(window.status, 400);
      assert.deepEqual(await names(harness, '?locked=true', '2.73'), ['db']);
      assert.deepEqual(await names(harness, '?locked=false', '2.73'), ['bare', 'web']);
      assert.deepEqual(await names(harness, '?locked=true', '2.72'), ['bare', 'db', 'web']);
      assert.equal((await call('GET', '/servers?locked=maybe', { as: DEMO, version: '2.73' })).status, 400);
      assert.deepEqual(await names(harness, '?sort_key=locked&sort_dir=desc&limit=1', '2.73'), ['db']);
      assert.deepEqual(await names(harness, '?status=NOPE', '2.37'), []);
      assert.equal((await call('GET', '/servers?status=NOPE', { as: DEMO, version: '2.38' })).status, 400);
      assert.deepEqual(await names(harness, '?bogus=1', '2.74'), ['bare', 'db', 'web']);
      const strict = await call('GET', '/servers?bogus=1', { as: DEMO, version: '2.75' });
      assert.equal(strict.status, 400);
      assert.match(JSON.stringify(strict.json), /'bogus' does not match any of the regexes: '\^_'/, "jsonschema's wording when the schema has patternProperties");
      assert.equal((await call('GET', '/servers?sort_key=vcpus', { as: DEMO, version: '2.74' })).status, 200, 'an ignored sort key');
      assert.equal((await call('GET', '/servers?sort_key=vcpus', { as: DEMO, version: '2.75' })).status, 400);
      assert.equal((await call('GET', '/servers?sort_key=host', { as: DEMO, version: '2.1' })).status, 403);
      assert.equal((await call('GET', '/servers?_internal=1', { as: DEMO, version: '2.1' })).status, 200, 'dropped for members');
      assert.equal((await call('GET', '/servers?metadata=1', { version: '2.1' })).status, 400, "admins' joined-table filters are refused");
      assert.deepEqual(await names(harness, '?user_id=nobody', '2.1'), ['bare', 'db', 'web'], 'members may not filter by user');
      assert.deepEqual(await names(harness, '?all_tenants=1&user_id=user-of-demo&name=^w', '2.1', ADMIN), ['web']);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ deleted: true, vm_state: 'deleted' }).where('uuid', '=', web).execute();
      assert.deepEqual(await names(harness, '?all_tenants=1&deleted=true', '2.1', ADMIN), ['web']);
      assert.deepEqual(await names(harness, '?all_tenants=1&status=DELETED', '2.1', ADMIN), ['web']);
      assert.equal((await call('GET', '/servers?status=DELETED', { as: DEMO, version: '2.1' })).status, 403);
      assert.deepEqual(await names(harness, '?deleted=true', '2.1'), ['bare', 'db'], 'members may not ask for deleted servers');
      assert.deepEqual(await names(harness, '?changes-since=2026-01-01T00:00:00Z', '2.1'), ['bare', 'db', 'web'], 'a changes window includes the deleted');
    }));

  test('os-server-tags (2.26): list, replace, add (201, then 204), check, delete; 404 below 2.26; 409 while building', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      assert.equal((await call('GET', `/servers/${id}/tags`, { as: DEMO, version: '2.25' })).status, 404);
      const at = (method: string, path: string, body?: unknown) => call(method, `/servers/${id}/tags${path}`, { as: DEMO, version: '2.26', ...(body === undefined ? {} : { body }) });
      assert.deepEqual((await at('PUT', '', { tags: ['b', 'a', 'a'] })).json, { tags: ['a', 'b'] });
      const added = await at('PUT', '/c');
      assert.deepEqual([added.status, added.headers['location']], [201, `http://cloud/compute/v2.1/servers/${id}/tags/c`]);
      assert.equal((await at('PUT', '/c')).status, 204);
      assert.equal((await at('PUT', '/a,b')).status, 400);
      assert.equal((await at('GET', '/c')).status, 204);
      assert.equal((await at('DELETE', '/c')).status, 204);
      assert.equal((await at('GET', '/c')).status, 404);
      assert.equal((await at('DELETE', '/c')).status, 404);
      assert.deepEqual((await at('GET', '')).json, { tags: ['a', 'b'] });
      assert.equal((await at('PUT', '', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })).status, 400);
      assert.equal((await at('DELETE', '')).status, 204);
      assert.deepEqual((await at('GET', '')).json, { tags: [] });
      assert.equal((await call('GET', `/servers/${id}/tags`, { as: memberOf('other'), version: '2.26' })).status, 404);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ vm_state: 'building' }).where('uuid', '=', id).execute();
      const building = await at('PUT', '/d');
      assert.deepEqual(building.json, { conflictingRequest: { code: 409, message: `Cannot 'update tag' instance ${id} while it is in vm_state building` } });
    }));
});
