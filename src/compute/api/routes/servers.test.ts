import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { seedHosts } from '../../admin/testing/admin-fixtures.js';
import { BIG_IMAGE_ID, IMAGE_ID, QUEUED_IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const OTHER = memberOf('other');

function boot(overrides: Record<string, unknown> = {}, hints?: Record<string, unknown>) {
  return { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', ...overrides }, ...(hints === undefined ? {} : { 'os:scheduler_hints': hints }) };
}

async function instanceCount(db: Database): Promise<number> {
  const rows = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').select('uuid').execute();
  return rows.length;
}

const SHOW_KEYS_2_1 = [
  'OS-DCF:diskConfig', 'OS-EXT-AZ:availability_zone', 'OS-EXT-STS:power_state', 'OS-EXT-STS:task_state', 'OS-EXT-STS:vm_state',
  'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at', 'accessIPv4', 'accessIPv6', 'addresses', 'config_drive', 'created', 'flavor',
  'hostId', 'id', 'image', 'key_name', 'links', 'metadata', 'name', 'os-extended-volumes:volumes_attached', 'progress', 'status',
  'tenant_id', 'updated', 'user_id',
];
const ADMIN_KEYS = ['OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:hypervisor_hostname', 'OS-EXT-SRV-ATTR:instance_name'];

describe('compute routes: servers', () => {
  test('create: 202 with Nova 2.1 body, rows in building/scheduling, action recorded, build handed to the conductor', () =>
    withComputeApp(async ({ call, recorded }) => {
      const created = await call('POST', '/servers', { body: boot({ metadata: { a: 'b' }, user_data: 'aGVsbG8=' }, { same_host: [] }), as: DEMO });
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const server = created.json['server'] as Record<string, unknown>;
      assert.deepEqual(Object.keys(server).sort(), ['OS-DCF:diskConfig', 'adminPass', 'id', 'links', 'security_groups']);
      const id = String(server['id']);
      assert.equal(recorded.builds.length, 1);
      assert.deepEqual(recorded.builds[0]?.builds.map((build) => build.instanceUuid), [id]);
      assert.deepEqual(recorded.builds[0]?.spec.flavor.memoryMb, 128);

      const shown = (await call('GET', `/servers/${id}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.deepEqual(Object.keys(shown).sort(), SHOW_KEYS_2_1);
      assert.deepEqual([shown['status'], shown['OS-EXT-STS:vm_state'], shown['OS-EXT-STS:task_state'], shown['hostId']], ['BUILD', 'building', 'scheduling', '']);
      assert.deepEqual(shown['metadata'], { a: 'b' });
      assert.deepEqual(shown['flavor'], { id: '1', links: [{ rel: 'bookmark', href: 'http://cloud/compute/flavors/1' }] });
      const asAdmin = (await call('GET', `/servers/${id}`)).json['server'] as Record<string, unknown>;
      assert.deepEqual(Object.keys(asAdmin).sort(), [...SHOW_KEYS_2_1, ...ADMIN_KEYS].sort());

      const actions = (await call('GET', `/servers/${id}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as { action: string; request_id: string }[];
      assert.deepEqual(actions.map((action) => [action.action, action.request_id]), [['create', DEMO.requestId]]);
      const action = (await call('GET', `/servers/${id}/os-instance-actions/${DEMO.requestId}`, { as: DEMO })).json['instanceAction'] as Record<string, unknown>;
      assert.equal(action['events'], undefined, 'events are for admins at 2.1');
      const adminAction = (await call('GET', `/servers/${id}/os-instance-actions/${DEMO.requestId}`)).json['instanceAction'] as Record<string, unknown>;
      assert.deepEqual(adminAction['events'], []);
    }));

  test('create refusals are 400/403 in Nova words and leave nothing behind', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const cases: [unknown, number, RegExp][] = [
        [boot({ imageRef: '00000000-0000-0000-0000-000000000000' }), 400, /Image 00000000-0000-0000-0000-000000000000 could not be found/],
        [boot({ imageRef: QUEUED_IMAGE_ID }), 400, /is not active/],
        [boot({ flavorRef: '999' }), 400, /Invalid flavorRef provided/],
        [boot({ imageRef: BIG_IMAGE_ID }), 400, /Flavor's memory is too small for requested image/],
        [boot({ user_data: 'not base64!' }), 400, /Userdata content cannot be decoded/],
        [boot({ user_data: 'A'.repeat(65536) }), 400, /./],
        [boot({ key_name: 'nope' }), 400, /Invalid key_name provided/],
        [boot({ availability_zone: 'az9' }), 400, /availability zone is not available/],
        [boot({ bogus: 1 }), 400, /./],
        [boot({}, { group: '00000000-0000-0000-0000-000000000000' }), 400, /could not be found/],
        [boot({ metadata: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'])) }), 403, /metadata_items/],
      ];
      for (const [body, status, message] of cases) {
        const reply = await call('POST', '/servers', { body, as: DEMO });
        assert.equal(reply.status, status, JSON.stringify(body).slice(0, 120));
        assert.match(JSON.stringify(reply.json), message);
      }
      assert.equal(await instanceCount(db), 0);
      assert.equal(recorded.builds.length, 0);
    }));

  test("an admin's availability_zone zone:host, zone:host:node and zone::node force the host (Nova's forced_host); a member gets 403, four parts 400", () =>
    withComputeApp(async (harness) => {
      const { call, db, recorded } = harness;
      await seedHosts(harness);
      const cases: [string, Record<string, unknown>][] = [
        ['nova:compute-2', { availabilityZone: 'nova', forceHosts: ['compute-2'] }],
        ['nova:compute-2:node-2', { availabilityZone: 'nova', forceHosts: ['compute-2'], forceNodes: ['node-2'] }],
        ['nova::node-2', { availabilityZone: 'nova', forceNodes: ['node-2'] }],
        [':compute-2', { forceHosts: ['compute-2'] }],
      ];
      for (const [zone, wanted] of cases) {
        assert.equal((await call('POST', '/servers', { body: boot({ availability_zone: zone }), as: ADMIN })).status, 202, zone);
        const spec = recorded.builds.at(-1)?.spec;
        assert.deepEqual({ availabilityZone: spec?.availabilityZone, forceHosts: spec?.forceHosts, forceNodes: spec?.forceNodes }, { availabilityZone: undefined, forceHosts: undefined, forceNodes: undefined, ...wanted }, zone);
      }
      // A zone the forced host is not in is dropped (Nova's _validate_host_availability_zone, bug #1934770).
      const aggregate = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'edge-hosts', availability_zone: 'edge' } }, as: ADMIN });
      const aggregateId = String((aggregate.json['aggregate'] as Record<string, unknown>)['id']);
      assert.equal((await call('POST', `/os-aggregates/${aggregateId}/action`, { body: { add_host: { host: 'compute-2' } }, as: ADMIN })).status, 200);
      for (const [zone, kept] of [['nova:compute-2', undefined], ['edge:compute-2', 'edge']] as const) {
        assert.equal((await call('POST', '/servers', { body: boot({ availability_zone: zone }), as: ADMIN })).status, 202, zone);
        assert.equal(recorded.builds.at(-1)?.spec.availabilityZone, kept, zone);
      }
      const refused = await call('POST', '/servers', { body: boot({ availability_zone: 'nova:compute-2' }), as: DEMO });
      assert.equal(refused.status, 403);
      assert.match(JSON.stringify(refused.json), /os_compute_api:servers:create:forced_host/);
      const unparsable = await call('POST', '/servers', { body: boot({ availability_zone: 'nova:a:b:c' }), as: ADMIN });
      assert.deepEqual({ status: unparsable.status, json: unparsable.json }, { status: 400, json: { badRequest: { code: 400, message: 'Invalid input received: Unable to parse availability_zone' } } });
      assert.equal(await instanceCount(db), cases.length + 2);
    }));

  test("OS-EXT-AZ:availability_zone is the host's zone (its aggregate's, else nova) in show and detail; a server on no host shows the zone it was booted with", () =>
    withComputeApp(async (harness) => {
      const { call, db } = harness;
      await seedHosts(harness);
      const booted = await insertInstance(db, 'demo', { availability_zone: null });
      const unplaced = await insertInstance(db, 'demo', { availability_zone: null, host: null, node: null, vm_state: 'building', task_state: 'scheduling' });
      const asked = await insertInstance(db, 'demo', { availability_zone: 'edge', host: null, node: null, vm_state: 'building', task_state: 'scheduling' });
      const zones = async (): Promise<Record<string, unknown>> => {
        const detail = await call('GET', '/servers/detail', { as: DEMO });
        const listed: Record<string, unknown> = Object.fromEntries((detail.json['servers'] as Record<string, unknown>[]).map((server) => [String(server['id']), server['OS-EXT-AZ:availability_zone']]));
        const shown = (await call('GET', `/servers/${booted}`, { as: DEMO })).json['server'] as Record<string, unknown>;
        assert.equal(shown['OS-EXT-AZ:availability_zone'], listed[booted], 'show and detail agree');
        return listed;
      };
      assert.deepEqual(await zones(), { [booted]: 'nova', [unplaced]: '', [asked]: 'edge' });
      const aggregate = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'edge-hosts', availability_zone: 'edge' } }, as: ADMIN });
      const aggregateId = String((aggregate.json['aggregate'] as Record<string, unknown>)['id']);
      assert.equal((await call('POST', `/os-aggregates/${aggregateId}/action`, { body: { add_host: { host: 'compute-1' } }, as: ADMIN })).status, 200);
      assert.deepEqual(await zones(), { [booted]: 'edge', [unplaced]: '', [asked]: 'edge' });
    }));

  test('quota: the instance over the limit is 403 with Nova\'s message; min/max count shrink to what fits', () =>
    withComputeApp(async ({ call, db }) => {
      assert.equal((await call('PUT', '/os-quota-sets/demo', { body: { quota_set: { instances: 2 } } })).status, 200);
      assert.equal((await call('POST', '/servers', { body: boot({ min_count: 1, max_count: 5 }), as: DEMO })).status, 202);
      assert.equal(await instanceCount(db), 2, 'max_count 5 shrinks to the 2 allowed');
      const refused = await call('POST', '/servers', { body: boot(), as: DEMO });
      assert.deepEqual({ status: refused.status, json: refused.json }, { status: 403, json: { forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances' } } });
      assert.equal(await instanceCount(db), 2);
    }));

  test('list: brief and detail, name regex, status, paging links, another project hidden, all_tenants for admins', () =>
    withComputeApp(async ({ call, db }) => {
      assert.equal((await call('POST', '/servers', { body: boot({ name: 'web', min_count: 3 }), as: DEMO })).status, 202);
      await insertInstance(db, 'other', { display_name: 'theirs' });
      const brief = (await call('GET', '/servers', { as: DEMO })).json['servers'] as { name: string; links: unknown[] }[];
      assert.deepEqual(brief.map((server) => server.name).sort(), ['web-1', 'web-2', 'web-3']);
      assert.deepEqual(Object.keys(brief[0] ?? {}).sort(), ['id', 'links', 'name']);
      const named = (await call('GET', '/servers/detail?name=web-[12]', { as: DEMO })).json['servers'] as { name: string }[];
      assert.deepEqual(named.map((server) => server.name).sort(), ['web-1', 'web-2']);
      assert.equal(((await call('GET', '/servers?status=ACTIVE', { as: DEMO })).json['servers'] as unknown[]).length, 0);
      assert.equal(((await call('GET', '/servers?status=BUILD', { as: DEMO })).json['servers'] as unknown[]).length, 3);
      const page = await call('GET', '/servers?limit=2&sort_key=display_name&sort_dir=asc', { as: DEMO });
      const first = page.json['servers'] as { id: string; name: string }[];
      assert.deepEqual(first.map((server) => server.name), ['web-1', 'web-2']);
      const next = (page.json['servers_links'] as { href: string }[])[0]?.href ?? '';
      assert.match(next, new RegExp(`marker=${first[1]?.id ?? ''}$`));
      const rest = (await call('GET', next.replace('http://cloud/compute/v2.1', ''), { as: DEMO })).json['servers'] as { name: string }[];
      assert.deepEqual(rest.map((server) => server.name), ['web-3']);
      assert.equal((await call('GET', '/servers?marker=nope', { as: DEMO })).status, 400);
      assert.equal((await call('GET', '/servers?all_tenants=1', { as: DEMO })).status, 403);
      assert.equal(((await call('GET', '/servers/detail?all_tenants=1')).json['servers'] as unknown[]).length, 4);
      const theirs = (await call('GET', '/servers?all_tenants=1&name=theirs')).json['servers'] as { id: string }[];
      assert.equal((await call('GET', `/servers/${theirs[0]?.id ?? ''}`, { as: DEMO })).status, 404);
      assert.equal((await call('DELETE', `/servers/${theirs[0]?.id ?? ''}`, { as: DEMO })).status, 404);
      assert.equal((await call('GET', '/servers/detail?changes-since=garbage', { as: DEMO })).status, 400);
    }));

  test('actions: concurrent stops give one 202 and one 409 naming the state; start, reboot, console; casts recorded', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const id = await insertInstance(db, 'demo');
      const stops = await Promise.all([1, 2].map(() => call('POST', `/servers/${id}/action`, { body: { 'os-stop': null }, as: DEMO })));
      assert.deepEqual(stops.map((reply) => reply.status).sort(), [202, 409]);
      const conflict = stops.find((reply) => reply.status === 409);
      assert.deepEqual(conflict?.json, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${id} while it is in task_state powering-off` } });
      assert.deepEqual(recorded.agent, [{ verb: 'stop_instance', host: 'compute-1', args: { instanceUuid: id, clean: true } }]);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ vm_state: 'stopped', task_state: null }).where('uuid', '=', id).execute();
      const again = await call('POST', `/servers/${id}/action`, { body: { 'os-stop': null }, as: DEMO });
      assert.deepEqual(again.json, { conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${id} while it is in vm_state stopped` } });
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { reboot: { type: 'SOFT' } }, as: DEMO })).status, 409);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { 'os-start': null }, as: DEMO })).status, 202);
      await db.kysely.withTables<ComputeTables>().updateTable('compute_instances').set({ vm_state: 'active', task_state: null }).where('uuid', '=', id).execute();
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { reboot: { type: 'hard' } }, as: DEMO })).status, 202);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { reboot: { type: 'sideways' } }, as: DEMO })).status, 400);
      const console = await call('POST', `/servers/${id}/action`, { body: { 'os-getConsoleOutput': { length: 5 } }, as: DEMO });
      assert.deepEqual({ status: console.status, json: console.json }, { status: 200, json: { output: `console of ${id} (5)` } });
      assert.deepEqual(recorded.agent.slice(1), [
        { verb: 'start_instance', host: 'compute-1', args: { instanceUuid: id } },
        { verb: 'reboot_instance', host: 'compute-1', args: { instanceUuid: id, rebootType: 'HARD' } },
        { verb: 'get_console_output', host: 'compute-1', args: { instanceUuid: id, length: 5 } },
      ]);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { 'os-resetState': { state: 'error' } }, as: DEMO })).status, 403);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { 'os-resetState': { state: 'error' } } })).status, 202);
      const shown = (await call('GET', `/servers/${id}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.deepEqual([shown['status'], shown['OS-EXT-STS:task_state']], ['ERROR', null]);
    }));

  test('lock: a locked server refuses non-admins with 409; an admin lock needs an admin to unlock', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { lock: null }, as: DEMO })).status, 202);
      const refused = await call('POST', `/servers/${id}/action`, { body: { 'os-stop': null }, as: DEMO });
      assert.deepEqual(refused.json, { conflictingRequest: { code: 409, message: `Instance ${id} is locked` } });
      assert.equal((await call('DELETE', `/servers/${id}`, { as: DEMO })).status, 409);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { unlock: null }, as: DEMO })).status, 202);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { lock: {} }, as: ADMIN })).status, 202);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { unlock: null }, as: DEMO })).status, 403);
      assert.equal((await call('POST', `/servers/${id}/action`, { body: { 'os-stop': null }, as: ADMIN })).status, 202);
    }));

  test('delete: an unscheduled server goes at once; a scheduled one is terminated by its agent', () =>
    withComputeApp(async ({ call, db, recorded }) => {
      const created = await call('POST', '/servers', { body: boot(), as: DEMO });
      const id = String((created.json['server'] as { id: string }).id);
      assert.equal((await call('DELETE', `/servers/${id}`, { as: DEMO })).status, 204);
      assert.equal((await call('GET', `/servers/${id}`, { as: DEMO })).status, 404);
      const hosted = await insertInstance(db, 'demo');
      assert.equal((await call('DELETE', `/servers/${hosted}`, { as: DEMO })).status, 204);
      assert.deepEqual(recorded.agent, [{ verb: 'terminate_instance', host: 'compute-1', args: { instanceUuid: hosted } }]);
      const shown = (await call('GET', `/servers/${hosted}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.equal(shown['OS-EXT-STS:task_state'], 'deleting');
      // A second delete while the first is under way is accepted too, as Nova does.
      assert.equal((await call('DELETE', `/servers/${hosted}`, { as: DEMO })).status, 204);
      assert.equal(recorded.agent.filter((message) => message.verb === 'terminate_instance').length, 2);
      assert.equal((await call('POST', `/servers/${hosted}/action`, { body: { forceDelete: null }, as: OTHER })).status, 404);
    }));

  test('update and metadata', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      const updated = await call('PUT', `/servers/${id}`, { body: { server: { name: 'renamed', accessIPv4: '10.0.0.1' } }, as: DEMO });
      assert.deepEqual([(updated.json['server'] as Record<string, unknown>)['name'], (updated.json['server'] as Record<string, unknown>)['accessIPv4']], ['renamed', '10.0.0.1']);
      assert.equal((await call('PUT', `/servers/${id}`, { body: { server: { description: 'x' } }, as: DEMO })).status, 400, 'description is 2.19');
      const v6 = await call('PUT', `/servers/${id}`, { body: { server: { accessIPv6: '0000:0000:0000:0000:0000:BABE:220.12.22.2' } }, as: DEMO });
      assert.equal((v6.json['server'] as Record<string, unknown>)['accessIPv6'], '::babe:dc0c:1602', 'read back in canonical form, as Nova does');
      const v6Shown = (await call('GET', `/servers/${id}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.deepEqual([v6Shown['accessIPv4'], v6Shown['accessIPv6']], ['10.0.0.1', '::babe:dc0c:1602']);
      assert.deepEqual((await call('POST', `/servers/${id}/metadata`, { body: { metadata: { a: '1', b: '2' } }, as: DEMO })).json, { metadata: { a: '1', b: '2' } });
      assert.deepEqual((await call('PUT', `/servers/${id}/metadata/a`, { body: { meta: { a: '3' } }, as: DEMO })).json, { meta: { a: '3' } });
      assert.equal((await call('PUT', `/servers/${id}/metadata/a`, { body: { meta: { z: '3' } }, as: DEMO })).status, 400);
      assert.deepEqual((await call('GET', `/servers/${id}/metadata/a`, { as: DEMO })).json, { meta: { a: '3' } });
      assert.equal((await call('DELETE', `/servers/${id}/metadata/b`, { as: DEMO })).status, 204);
      assert.equal((await call('GET', `/servers/${id}/metadata/b`, { as: DEMO })).status, 404);
      assert.deepEqual((await call('PUT', `/servers/${id}/metadata`, { body: { metadata: { c: '4' } }, as: DEMO })).json, { metadata: { c: '4' } });
      assert.deepEqual((await call('GET', `/servers/${id}/metadata`, { as: DEMO })).json, { metadata: { c: '4' } });
    }));
});
