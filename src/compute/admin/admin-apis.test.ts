import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withComputeApp } from '../testing/compute-test-app.js';
import { insertInstance, memberOf } from '../db/testing/compute-db.js';
import { seedHosts } from './testing/admin-fixtures.js';

const DEMO = memberOf('demo');

describe('compute admin APIs', () => {
  test('os-services: list with zones and up/down; disable with a reason, enable; admin only', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call } = harness;
      const services = (await call('GET', '/os-services')).json['services'] as Record<string, unknown>[];
      assert.deepEqual(services.map((s) => [s['binary'], s['host'], s['zone'], s['state'], s['status']]), [
        ['nova-conductor', 'controller', 'internal', 'up', 'enabled'],
        ['nova-scheduler', 'controller', 'internal', 'up', 'enabled'],
        ['nova-compute', 'compute-1', 'nova', 'up', 'enabled'],
        ['nova-compute', 'compute-2', 'nova', 'up', 'enabled'],
      ]);
      assert.deepEqual(Object.keys(services[0] ?? {}).sort(), ['binary', 'disabled_reason', 'host', 'id', 'state', 'status', 'updated_at', 'zone']);
      assert.equal((await call('GET', '/os-services', { as: DEMO })).status, 403);
      const disabled = await call('PUT', '/os-services/disable-log-reason', { body: { host: 'compute-2', binary: 'nova-compute', disabled_reason: 'maintenance' } });
      assert.deepEqual(disabled.json, { service: { host: 'compute-2', binary: 'nova-compute', status: 'disabled', disabled_reason: 'maintenance' } });
      const filtered = (await call('GET', '/os-services?host=compute-2')).json['services'] as Record<string, unknown>[];
      assert.deepEqual([filtered[0]?.['status'], filtered[0]?.['disabled_reason']], ['disabled', 'maintenance']);
      assert.equal((await call('PUT', '/os-services/enable', { body: { host: 'compute-2', binary: 'nova-compute' } })).status, 200);
      assert.equal((await call('PUT', '/os-services/enable', { body: { host: 'nowhere', binary: 'nova-compute' } })).status, 404);
    }));

  test("os-services and the zones' detail show only Nova's services, not the cinder-* ones in the shared registry", () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, registry } = harness;
      const volume = await registry.register({ binary: 'cinder-volume', host: 'compute-1', topic: 'cinder-volume' });
      await registry.register({ binary: 'cinder-scheduler', host: 'controller', topic: 'cinder-scheduler' });
      const binaries = async (query: string): Promise<unknown[]> =>
        ((await call('GET', `/os-services${query}`)).json['services'] as Record<string, unknown>[]).map((s) => s['binary']);
      assert.deepEqual(await binaries(''), ['nova-conductor', 'nova-scheduler', 'nova-compute', 'nova-compute']);
      assert.deepEqual(await binaries('?binary=cinder-volume'), []);
      assert.deepEqual(await binaries('?host=compute-1'), ['nova-compute']);
      const disable = { host: 'compute-1', binary: 'cinder-volume' };
      // Nova refuses any binary but nova-compute before it looks the service up.
      assert.equal((await call('PUT', '/os-services/disable', { body: disable })).status, 400);
      assert.equal((await call('DELETE', `/os-services/${volume.id}`)).status, 404);
      assert.equal((await call('PUT', `/os-services/${volume.uuid}`, { version: '2.53', body: { status: 'disabled' } })).status, 404);
      const detail = (await call('GET', '/os-availability-zone/detail')).json['availabilityZoneInfo'] as { hosts: Record<string, Record<string, unknown>> }[];
      const listed = detail.flatMap((zone) => Object.values(zone.hosts).flatMap((services) => Object.keys(services)));
      assert.deepEqual(listed.sort(), ['nova-compute', 'nova-compute', 'nova-conductor', 'nova-scheduler']);
      assert.equal((await registry.find({ id: volume.id }))?.disabled, false);
    }));

  test('os-hypervisors: list, detail with running instances, statistics, show; unknown id 404', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      await insertInstance(harness.db, 'demo');
      const { call } = harness;
      assert.deepEqual((await call('GET', '/os-hypervisors')).json, {
        hypervisors: [
          { id: 1, hypervisor_hostname: 'compute-1', state: 'up', status: 'enabled' },
          { id: 2, hypervisor_hostname: 'compute-2', state: 'up', status: 'enabled' },
        ],
      });
      const one = (await call('GET', '/os-hypervisors/1')).json['hypervisor'] as Record<string, unknown>;
      assert.deepEqual([one['running_vms'], one['free_ram_mb'], one['hypervisor_type']], [1, 15872, 'fake']);
      const stats = (await call('GET', '/os-hypervisors/statistics')).json['hypervisor_statistics'] as Record<string, unknown>;
      assert.deepEqual([stats['count'], stats['vcpus'], stats['running_vms']], [2, 16, 1]);
      assert.equal(((await call('GET', '/os-hypervisors/detail')).json['hypervisors'] as unknown[]).length, 2);
      assert.equal((await call('GET', '/os-hypervisors/99')).status, 404);
      assert.equal((await call('GET', '/os-hypervisors/compute-1')).status, 404);
      assert.equal((await call('GET', '/os-hypervisors', { as: DEMO })).status, 403);
    }));

  test('os-hosts (until 2.42): hosts with service and zone, a zone filter, a host\'s resources by project; 404s, then 501 for what no driver does', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      await insertInstance(harness.db, 'demo');
      await insertInstance(harness.db, 'demo');
      await insertInstance(harness.db, 'other', { vcpus: 2, memory_mb: 256, root_gb: 2, ephemeral_gb: 1 });
      const { call } = harness;
      const hosts = (await call('GET', '/os-hosts')).json['hosts'] as Record<string, unknown>[];
      assert.deepEqual(hosts.map((host) => [host['host_name'], host['service'], host['zone']]).sort(), [
        ['compute-1', 'compute', 'nova'],
        ['compute-2', 'compute', 'nova'],
        ['controller', 'conductor', 'internal'],
        ['controller', 'scheduler', 'internal'],
      ]);
      assert.deepEqual(((await call('GET', '/os-hosts?zone=nova')).json['hosts'] as Record<string, unknown>[]).map((host) => host['host_name']), ['compute-1', 'compute-2']);
      assert.equal(((await call('GET', '/os-hosts?zone=')).json['hosts'] as unknown[]).length, 4, 'a blank zone is every host');
      assert.deepEqual((await call('GET', '/os-hosts?zone=xxx')).json, { hosts: [] });

      const shown = ((await call('GET', '/os-hosts/compute-1')).json['host'] as { resource: Record<string, unknown> }[]).map(({ resource }) => resource);
      // The projects follow in the order their instances were made.
      const byProject = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a['project']).localeCompare(String(b['project']));
      assert.deepEqual([...shown.slice(0, 3), ...shown.slice(3).sort(byProject)], [
        { host: 'compute-1', project: '(total)', cpu: 8, memory_mb: 16384, disk_gb: 100 },
        { host: 'compute-1', project: '(used_now)', cpu: 1, memory_mb: 512, disk_gb: 1 },
        { host: 'compute-1', project: '(used_max)', cpu: 4, memory_mb: 512, disk_gb: 5 },
        { host: 'compute-1', project: 'demo', cpu: 2, memory_mb: 256, disk_gb: 2 },
        { host: 'compute-1', project: 'other', cpu: 2, memory_mb: 256, disk_gb: 3 },
      ]);
      assert.equal((await call('GET', '/os-hosts/nowhere')).status, 404);
      assert.equal((await call('GET', '/os-hosts', { as: DEMO })).status, 403);
      assert.equal((await call('GET', '/os-hosts', { version: '2.43' })).status, 404, 'gone from 2.43');

      assert.equal((await call('PUT', '/os-hosts/compute-1', { body: { status: 'invalid' } })).status, 400);
      assert.equal((await call('PUT', '/os-hosts/compute-1', { body: { status: null, maintenance_mode: null } })).status, 400);
      assert.equal((await call('PUT', '/os-hosts/nowhere', { body: { status: 'enable' } })).status, 404);
      assert.equal((await call('PUT', '/os-hosts/compute-1', { body: { status: 'disable' } })).status, 501);
      assert.equal((await call('GET', '/os-hosts/nowhere/reboot')).status, 404);
      assert.equal((await call('GET', '/os-hosts/compute-1/startup')).status, 501);
    }));

  test('aggregates with a zone: hosts move zones, a host cannot be in two zones, boot into the zone asks the scheduler for it', () =>
    withComputeApp(async (harness) => {
      await seedHosts(harness);
      const { call, recorded } = harness;
      const created = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg1', availability_zone: 'az1' } } });
      assert.deepEqual(Object.keys(created.json['aggregate'] as object).sort(), ['availability_zone', 'created_at', 'deleted', 'deleted_at', 'id', 'name', 'updated_at']);
      assert.equal((await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg1' } } })).status, 409);
      const id = (created.json['aggregate'] as { id: number }).id;
      const added = await call('POST', `/os-aggregates/${id}/action`, { body: { add_host: { host: 'compute-1' } } });
      assert.deepEqual((added.json['aggregate'] as { hosts: string[] }).hosts, ['compute-1']);
      assert.equal((await call('POST', `/os-aggregates/${id}/action`, { body: { add_host: { host: 'compute-1' } } })).status, 409);
      assert.equal((await call('POST', `/os-aggregates/${id}/action`, { body: { add_host: { host: 'ghost' } } })).status, 404);
      const other = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg2', availability_zone: 'az2' } } });
      const otherId = (other.json['aggregate'] as { id: number }).id;
      assert.equal((await call('POST', `/os-aggregates/${otherId}/action`, { body: { add_host: { host: 'compute-1' } } })).status, 409);
      const meta = await call('POST', `/os-aggregates/${id}/action`, { body: { set_metadata: { metadata: { ssd: 'true' } } } });
      assert.deepEqual((meta.json['aggregate'] as { metadata: unknown }).metadata, { availability_zone: 'az1', ssd: 'true' });
      // Two creates, one host added, one metadata change told the scheduler; the refused changes did not.
      assert.equal(recorded.aggregateRefreshes, 4);

      const zones = (await call('GET', '/os-availability-zone', { as: DEMO })).json;
      assert.deepEqual(zones, {
        availabilityZoneInfo: [
          { zoneName: 'az1', zoneState: { available: true }, hosts: null },
          { zoneName: 'nova', zoneState: { available: true }, hosts: null },
        ],
      });
      const detail = (await call('GET', '/os-availability-zone/detail')).json['availabilityZoneInfo'] as { zoneName: string; hosts: Record<string, unknown> }[];
      assert.deepEqual(detail.map((zone) => [zone.zoneName, Object.keys(zone.hosts)]), [['az1', ['compute-1']], ['nova', ['compute-2']], ['internal', ['controller']]]);

      const boot = await call('POST', '/servers', { body: { server: { name: 'in-az1', imageRef: '6f1c4a46-1111-4c4e-9a7e-000000000001', flavorRef: '1', availability_zone: 'az1' } }, as: DEMO });
      assert.equal(boot.status, 202);
      assert.equal(recorded.builds[0]?.spec.availabilityZone, 'az1');
      assert.equal((await call('DELETE', `/os-aggregates/${id}`)).status, 400, 'not empty');
      assert.equal((await call('POST', `/os-aggregates/${id}/action`, { body: { remove_host: { host: 'compute-1' } } })).status, 200);
      assert.equal((await call('DELETE', `/os-aggregates/${id}`)).status, 200);
      assert.equal((await call('GET', `/os-aggregates/${id}`)).status, 404);
      assert.equal((await call('GET', '/os-aggregates', { as: DEMO })).status, 403);
    }));

  test('server groups: 2.1 shape, boot with the group hint joins it and hands the scheduler the policy', () =>
    withComputeApp(async ({ call, recorded }) => {
      const created = await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['anti-affinity'] } }, as: DEMO });
      const group = created.json['server_group'] as { id: string };
      assert.deepEqual(created.json, { server_group: { id: group.id, name: 'g', policies: ['anti-affinity'], members: [], metadata: {} } });
      assert.equal((await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['soft-affinity'] } }, as: DEMO })).status, 400);
      const boot = await call('POST', '/servers', {
        body: { server: { name: 'a', imageRef: '6f1c4a46-1111-4c4e-9a7e-000000000001', flavorRef: '1' }, 'os:scheduler_hints': { group: group.id } },
        as: DEMO,
      });
      const serverId = (boot.json['server'] as { id: string }).id;
      assert.equal(recorded.builds[0]?.spec.serverGroup?.policy, 'anti-affinity');
      assert.deepEqual(((await call('GET', `/os-server-groups/${group.id}`, { as: DEMO })).json['server_group'] as { members: string[] }).members, [serverId]);
      assert.equal(((await call('GET', '/os-server-groups', { as: DEMO })).json['server_groups'] as unknown[]).length, 1);
      assert.equal((await call('GET', `/os-server-groups/${group.id}`, { as: memberOf('other') })).status, 404);
      assert.equal((await call('DELETE', `/os-server-groups/${group.id}`, { as: DEMO })).status, 204);
    }));
});
