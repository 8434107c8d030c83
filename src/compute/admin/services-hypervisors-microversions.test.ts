import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { withComputeApp, type Call } from '../testing/compute-test-app.js';
import type { ComputeTables } from '../db/tables.js';
import { insertInstance } from '../db/testing/compute-db.js';
import { CPU_INFO, NODE_UUIDS, seedHosts } from './testing/admin-fixtures.js';

type Json = Record<string, unknown>;

async function services(call: Call, version: string): Promise<Json[]> {
  return (await call('GET', '/os-services', { version })).json['services'] as Json[];
}

async function computeService(call: Call, host: string, version = '2.53'): Promise<Json> {
  const found = (await services(call, version)).find((service) => service['host'] === host && service['binary'] === 'nova-compute');
  assert.ok(found, `no nova-compute on ${host}`);
  return found;
}

describe('os-services by microversion', () => {
  test('forced_down appears at 2.11, uuid ids at 2.53; unknown query parameters are a 400 from 2.75', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      const at21 = await computeService(call, 'compute-1', '2.1');
      assert.equal(at21['forced_down'], undefined);
      assert.equal(typeof at21['id'], 'number');
      assert.equal((await computeService(call, 'compute-1', '2.11'))['forced_down'], false);
      assert.match(String((await computeService(call, 'compute-1'))['id']), /^[0-9a-f-]{36}$/);
      assert.equal((await call('GET', '/os-services?bogus=1', { version: '2.74' })).status, 200);
      const strict = await call('GET', '/os-services?bogus=1', { version: '2.75' });
      assert.deepEqual([strict.status, (strict.json['badRequest'] as Json)['message']], [400, "Additional properties are not allowed ('bogus' was unexpected)"]);
      const filtered = (await call('GET', '/os-services?binary=nova-compute&host=compute-2', { version: '2.75' })).json['services'] as Json[];
      assert.deepEqual(filtered.map((service) => service['host']), ['compute-2']);
    }));

  test('before 2.53: the actions by host and binary, force-down from 2.11; each change reaches the scheduler at once', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const host = { host: 'compute-1', binary: 'nova-compute' };
      assert.equal((await call('PUT', '/os-services/force-down', { body: { ...host, forced_down: true }, version: '2.10' })).status, 400, '2.10 has no forced_down field');
      const early = await call('PUT', '/os-services/force-down', { body: host, version: '2.10' });
      assert.deepEqual([early.status, (early.json['itemNotFound'] as Json)['message']], [404, 'Unknown action']);
      const forced = await call('PUT', '/os-services/force-down', { body: { ...host, forced_down: true }, version: '2.11' });
      assert.deepEqual(forced.json, { service: { ...host, forced_down: true } });
      const listed = await computeService(call, 'compute-1', '2.11');
      assert.deepEqual([listed['state'], listed['forced_down']], ['down', true]);
      const missing = await call('PUT', '/os-services/force-down', { body: host, version: '2.11' });
      assert.deepEqual([missing.status, (missing.json['badRequest'] as Json)['message']], [400, 'Missing forced_down field']);
      const noReason = await call('PUT', '/os-services/disable-log-reason', { body: host, version: '2.11' });
      assert.deepEqual([noReason.status, (noReason.json['badRequest'] as Json)['message']], [400, 'Missing disabled reason field']);
      const scheduler = await call('PUT', '/os-services/disable', { body: { host: 'controller', binary: 'nova-scheduler' } });
      assert.deepEqual([scheduler.status, (scheduler.json['badRequest'] as Json)['message']], [400, 'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.']);
      assert.equal((await call('PUT', '/os-services/disable', { body: { host: 'nowhere', binary: 'nova-compute' } })).status, 404);
      assert.equal((await call('PUT', '/os-services/disable', { body: { ...host, bogus: 1 } })).status, 400);
      const disabled = await call('PUT', '/os-services/disable', { body: { ...host, disabled_reason: 'ignored without -log-reason' } });
      assert.deepEqual(disabled.json, { service: { ...host, status: 'disabled' } });
      assert.deepEqual(recorded.serviceChanges, [
        'compute-1 {"disabled":false,"disabledReason":null,"forcedDown":true}',
        'compute-1 {"disabled":true,"disabledReason":null,"forcedDown":true}',
      ]);
      const uuid = String((await computeService(call, 'compute-1'))['id']);
      assert.equal((await call('PUT', `/os-services/${uuid}`, { body: host, version: '2.52' })).status, 404, 'no uuid path before 2.53');
      assert.equal((await call('PUT', `/os-services/${uuid}`, { body: { status: 'enabled' }, version: '2.52' })).status, 400, 'the 2.52 body names the service');
    }));

  test('2.53: PUT and DELETE by uuid with Nova\'s 400 and 404 rules', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const uuid = String((await computeService(call, 'compute-1'))['id']);
      const put = (id: string, body: unknown) => call('PUT', `/os-services/${id}`, { body, version: '2.53' });
      const message = async (id: string, body: unknown) => {
        const reply = await put(id, body);
        return [reply.status, ((reply.json['badRequest'] ?? reply.json['itemNotFound']) as Json | undefined)?.['message']];
      };
      assert.deepEqual(await message('disable', { status: 'disabled' }), [400, 'Invalid uuid disable']);
      assert.deepEqual(await message('00000000-0000-4000-8000-000000000000', { status: 'disabled' }), [404, 'Service 00000000-0000-4000-8000-000000000000 could not be found.']);
      assert.deepEqual(await message(uuid, {}), [400, "No updates were requested. Fields 'status' or 'forced_down' should be specified."]);
      assert.deepEqual(await message(uuid, { status: 'enabled', disabled_reason: 'x' }), [400, "Specifying 'disabled_reason' with status 'enabled' is invalid."]);
      assert.equal((await put(uuid, { host: 'compute-1' })).status, 400, 'the 2.53 body names no service');
      const scheduler = (await services(call, '2.53')).find((service) => service['binary'] === 'nova-scheduler');
      assert.deepEqual(await message(String(scheduler?.['id']), { status: 'disabled' }), [400, 'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.']);

      const disabled = await put(uuid, { status: 'disabled', disabled_reason: 'maintenance' });
      assert.equal(disabled.status, 200);
      const service = disabled.json['service'] as Json;
      assert.deepEqual([service['id'], service['status'], service['disabled_reason'], service['forced_down'], service['zone']], [uuid, 'disabled', 'maintenance', false, 'nova']);
      assert.deepEqual(Object.keys(service).sort(), ['binary', 'disabled_reason', 'forced_down', 'host', 'id', 'state', 'status', 'updated_at', 'zone']);
      const both = (await put(uuid, { status: 'enabled', forced_down: true })).json['service'] as Json;
      assert.deepEqual([both['status'], both['disabled_reason'], both['forced_down'], both['state']], ['enabled', null, true, 'down']);
      assert.equal(recorded.serviceChanges.at(-1), 'compute-1 {"disabled":false,"disabledReason":null,"forcedDown":true}');

      // A `done` evacuation from the host: forcing it up would run the evacuated servers twice.
      const now = toDbTimestamp(new Date());
      await harness.db.kysely.withTables<ComputeTables>().insertInto('compute_migrations').values({
        uuid: '7d1c2b3a-0000-4000-8000-000000000001', instance_uuid: '7d1c2b3a-0000-4000-8000-000000000002', migration_type: 'evacuation', status: 'done',
        source_compute: 'compute-1', source_node: 'compute-1', dest_compute: 'compute-2', dest_node: 'compute-2', dest_host: null, old_flavor_id: null,
        new_flavor_id: null, user_id: null, project_id: null, hidden: false, created_at: now, updated_at: now,
      }).execute();
      const refused = await message(uuid, { forced_down: false });
      assert.equal(refused[0], 400);
      assert.match(String(refused[1]), /^Unable to force up host compute-1 as `done` evacuation migration records remain associated with the host/);
    }));

  test('DELETE: an integer id before 2.53, a uuid from 2.53; a host with instances is 409; the service leaves its aggregates and nodes', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      await insertInstance(harness.db, 'demo');
      const byInt = await call('DELETE', '/os-services/abc');
      assert.deepEqual([byInt.status, (byInt.json['badRequest'] as Json)['message']], [400, 'Invalid input received: id must be an integer']);
      assert.deepEqual((await call('DELETE', '/os-services/1', { version: '2.53' })).status, 400);
      const ghost = await call('DELETE', '/os-services/999');
      assert.deepEqual([ghost.status, (ghost.json['itemNotFound'] as Json)['message']], [404, 'Service 999 not found.']);
      const busy = await call('DELETE', `/os-services/${String((await computeService(call, 'compute-1'))['id'])}`, { version: '2.53' });
      assert.deepEqual([busy.status, (busy.json['conflictingRequest'] as Json)['message']], [409, 'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.']);

      const aggregate = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg' } } });
      const aggregateId = String((aggregate.json['aggregate'] as Json)['id']);
      await call('POST', `/os-aggregates/${aggregateId}/action`, { body: { add_host: { host: 'compute-2' } } });
      const id = (await computeService(call, 'compute-2', '2.1'))['id'];
      const deleted = await call('DELETE', `/os-services/${String(id)}`);
      assert.deepEqual([deleted.status, deleted.json], [204, {}]);
      assert.equal((await services(call, '2.1')).some((service) => service['host'] === 'compute-2'), false);
      assert.deepEqual(((await call('GET', '/os-hypervisors')).json['hypervisors'] as Json[]).map((node) => node['hypervisor_hostname']), ['compute-1']);
      assert.deepEqual(((await call('GET', `/os-aggregates/${aggregateId}`)).json['aggregate'] as Json)['hosts'], []);
      assert.equal(recorded.serviceChanges.at(-1), 'compute-2 {"up":false}');
    }));
});

describe('os-hypervisors by microversion', () => {
  test('cpu_info is text until 2.27 and an object from 2.28; statistics leave disabled hosts out', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      assert.equal(((await call('GET', '/os-hypervisors/1', { version: '2.27' })).json['hypervisor'] as Json)['cpu_info'], JSON.stringify(CPU_INFO));
      assert.deepEqual(((await call('GET', '/os-hypervisors/1', { version: '2.28' })).json['hypervisor'] as Json)['cpu_info'], CPU_INFO);
      await call('PUT', '/os-services/disable', { body: { host: 'compute-2', binary: 'nova-compute' } });
      const stats = (await call('GET', '/os-hypervisors/statistics')).json['hypervisor_statistics'] as Json;
      assert.deepEqual([stats['count'], stats['vcpus']], [1, 8]);
    }));

  test('paging from 2.33: limit, marker, next link; a marker that is no hypervisor is a 400', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      assert.equal(((await call('GET', '/os-hypervisors?limit=1', { version: '2.32' })).json['hypervisors'] as Json[]).length, 2, 'no paging before 2.33');
      const page = (await call('GET', '/os-hypervisors?limit=1', { version: '2.33' })).json;
      assert.deepEqual(page, {
        hypervisors: [{ id: 1, hypervisor_hostname: 'compute-1', state: 'up', status: 'enabled' }],
        hypervisors_links: [{ rel: 'next', href: 'http://cloud/compute/v2.1/os-hypervisors?limit=1&marker=1' }],
      });
      const next = (await call('GET', '/os-hypervisors/detail?limit=1&marker=1', { version: '2.33' })).json;
      assert.deepEqual((next['hypervisors'] as Json[]).map((node) => node['id']), [2]);
      const bad = await call('GET', '/os-hypervisors?marker=99', { version: '2.33' });
      assert.deepEqual([bad.status, (bad.json['badRequest'] as Json)['message']], [400, 'marker [99] not found']);
      const uuidPage = (await call('GET', '/os-hypervisors?limit=1', { version: '2.53' })).json;
      assert.deepEqual(uuidPage['hypervisors_links'], [{ rel: 'next', href: `http://cloud/compute/v2.1/os-hypervisors?limit=1&marker=${NODE_UUIDS[0]}` }]);
      const second = (await call('GET', `/os-hypervisors?marker=${NODE_UUIDS[0]}`, { version: '2.53' })).json['hypervisors'] as Json[];
      assert.deepEqual(second.map((node) => node['id']), [NODE_UUIDS[1]]);
    }));

  test('2.53: uuid ids, hypervisor_hostname_pattern and with_servers (servers always listed from 2.75); search and servers routes end at 2.52', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      const server = await insertInstance(harness.db, 'demo');
      const shown = (await call('GET', `/os-hypervisors/${NODE_UUIDS[0]}`, { version: '2.53' })).json['hypervisor'] as Json;
      assert.equal(shown['id'], NODE_UUIDS[0]);
      assert.match(String((shown['service'] as Json)['id']), /^[0-9a-f-]{36}$/);
      assert.equal(shown['servers'], undefined, 'only when asked');
      const invalid = await call('GET', '/os-hypervisors/1', { version: '2.53' });
      assert.deepEqual([invalid.status, (invalid.json['badRequest'] as Json)['message']], [400, 'Invalid uuid 1']);
      assert.equal((await call('GET', '/os-hypervisors/00000000-0000-4000-8000-000000000000', { version: '2.53' })).status, 404);
      assert.deepEqual(((await call('GET', `/os-hypervisors/${NODE_UUIDS[0]}?with_servers=true`, { version: '2.53' })).json['hypervisor'] as Json)['servers'], [{ name: 'vm', uuid: server }]);

      const withServers = async (version: string) => ((await call('GET', '/os-hypervisors?with_servers=1', { version })).json['hypervisors'] as Json[]).map((node) => node['servers']);
      assert.deepEqual(await withServers('2.53'), [[{ name: 'vm', uuid: server }], undefined]);
      assert.deepEqual(await withServers('2.75'), [[{ name: 'vm', uuid: server }], []]);
      const matched = (await call('GET', '/os-hypervisors/detail?hypervisor_hostname_pattern=ute-2', { version: '2.53' })).json;
      assert.deepEqual([(matched['hypervisors'] as Json[]).map((node) => node['hypervisor_hostname']), matched['hypervisors_links']], [['compute-2'], undefined]);
      const paged = await call('GET', '/os-hypervisors?hypervisor_hostname_pattern=compute&limit=1', { version: '2.53' });
      assert.deepEqual([paged.status, (paged.json['badRequest'] as Json)['message']], [400, 'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.']);
      const none = await call('GET', '/os-hypervisors?hypervisor_hostname_pattern=nothing', { version: '2.53' });
      assert.deepEqual([none.status, (none.json['itemNotFound'] as Json)['message']], [404, "No hypervisor matching 'nothing' could be found."]);
      assert.equal((await call('GET', '/os-hypervisors?bogus=1', { version: '2.53' })).status, 400);
      assert.equal((await call('GET', '/os-hypervisors?bogus=1', { version: '2.52' })).status, 200);

      assert.deepEqual(((await call('GET', '/os-hypervisors/compute/search', { version: '2.52' })).json['hypervisors'] as Json[]).length, 2);
      const onHosts = (await call('GET', '/os-hypervisors/compute-1/servers', { version: '2.52' })).json['hypervisors'] as Json[];
      assert.deepEqual(onHosts.map((node) => node['servers']), [[{ name: 'vm', uuid: server }]]);
      assert.equal((await call('GET', '/os-hypervisors/compute/search', { version: '2.53' })).status, 404);
      assert.equal((await call('GET', '/os-hypervisors/compute/servers', { version: '2.53' })).status, 404);
    }));

  test('2.88: the detail view drops the usage figures and cpu_info and adds uptime; statistics end at 2.87', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      const at87 = (await call('GET', `/os-hypervisors/${NODE_UUIDS[0]}`, { version: '2.87' })).json['hypervisor'] as Json;
      assert.deepEqual([at87['vcpus'], at87['uptime']], [8, undefined]);
      const at88 = (await call('GET', '/os-hypervisors/detail', { version: '2.88' })).json['hypervisors'] as Json[];
      assert.deepEqual(Object.keys(at88[0] ?? {}).sort(), ['host_ip', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version', 'id', 'service', 'state', 'status', 'uptime']);
      assert.equal((await call('GET', '/os-hypervisors/statistics', { version: '2.87' })).status, 200);
      const uptime = await call('GET', `/os-hypervisors/${NODE_UUIDS[0]}/uptime`, { version: '2.87' });
      assert.equal(uptime.status, 200, JSON.stringify(uptime.json));
      assert.match(String((uptime.json['hypervisor'] as Record<string, unknown>)['uptime']), /up .* load average: /, "the host agent's uptime line");
      assert.equal((await call('GET', '/os-hypervisors/00000000-0000-4000-8000-000000000000/uptime', { version: '2.87' })).status, 404);
      assert.equal((await call('GET', `/os-hypervisors/${NODE_UUIDS[0]}/uptime`, { version: '2.88' })).status, 404);
      assert.equal((await call('GET', '/os-hypervisors/statistics', { version: '2.88' })).status, 404);
    }));
});
