import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startComputeCloud, type ComputeCloud, type HypervisorUsage } from '../support/compute-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk } from '../support/openstack-cli.js';

// Issue 6's live migration and evacuation acceptance, through Debian's python3-openstackclient
// (and the REST API for evacuate, which OSC 6 has no command for) against three fake hosts.
const skip = openstackCliUnavailable();

type Server = Record<string, unknown>;
const HOST = 'OS-EXT-SRV-ATTR:host';

describe('live migration and evacuation through the openstack CLI', { skip }, () => {
  let cloud: ComputeCloud;
  let baseline: HypervisorUsage;

  const ok = (persona: 'admin' | 'demo', args: readonly string[]) => openstackOk(cloud.cli[persona], args);
  const show = async (id: string): Promise<Server> => (await cloud.compute('GET', `/servers/${id}`)).json['server'] as Server;

  /** A demo server booted through the CLI, ACTIVE; answers its id and host. */
  async function boot(name: string): Promise<{ id: string; host: string }> {
    const created = await openstackJson<Server>(cloud.cli.demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', name]);
    const id = String(created['id']);
    const active = await cloud.waitForStatus(id, 'ACTIVE');
    return { id, host: String(active[HOST]) };
  }

  /** Polls (200 ms) until the server is ACTIVE off `source`; the CLI's own --wait polls every 5 s. */
  async function waitForMove(id: string, source: string, status = 'ACTIVE'): Promise<Server> {
    for (let attempt = 0; attempt < 150; attempt += 1) {
      const server = await show(id);
      if (server['status'] === status && server[HOST] !== source && server['OS-EXT-STS:task_state'] === null) return server;
      if (server['status'] === 'ERROR') throw new Error(`${id} went to ERROR: ${JSON.stringify(server['fault'])}`);
      await sleep(200);
    }
    throw new Error(`${id} never left ${source}`);
  }

  /** Polls until os-hypervisors reports `expected` (agents report right after a guest comes or goes). */
  async function waitForUsage(expected: HypervisorUsage): Promise<void> {
    assert.deepEqual(await cloud.usageWhen((usage) => JSON.stringify(usage) === JSON.stringify(expected)), expected);
  }

  /** `expected` with one m1.tiny (1 vCPU, 128 MB, 1 GB) more (+1) or less (-1) on `host`. */
  function plusTiny(usage: HypervisorUsage, host: string, sign: 1 | -1): HypervisorUsage {
    const current = usage[host];
    assert.ok(current, host);
    const next = { vcpus: current.vcpus + sign, memoryMb: current.memoryMb + sign * 128, localGb: current.localGb + sign, runningVms: current.runningVms + sign };
    return { ...usage, [host]: next };
  }

  async function remove(id: string): Promise<void> {
    assert.equal((await cloud.compute('DELETE', `/servers/${id}`)).status, 204);
    for (let attempt = 0; attempt < 150 && (await cloud.compute('GET', `/servers/${id}`)).status !== 404; attempt += 1) await sleep(200);
  }


  before(async () => {
    cloud = await startComputeCloud('live-cli', { hosts: 3 });
    baseline = await cloud.hypervisorUsage();
  });
  after(async () => {
    await cloud.stop();
  });

  test('server migrate --live-migration: ACTIVE on another host, the guest running there, usage moved with it', async () => {
    const { id, host: source } = await boot('live1');
    const booted = plusTiny(baseline, source, 1);
    await waitForUsage(booted);
    await ok('admin', ['server', 'migrate', '--live-migration', id]);
    const moved = await waitForMove(id, source);
    const destination = String(moved[HOST]);
    assert.equal(moved['OS-EXT-STS:power_state'], 1);
    await waitForUsage(plusTiny(plusTiny(booted, source, -1), destination, 1));

    const migrations = await openstackJson<Server[]>(cloud.cli.admin, ['server', 'migration', 'list', '--server', id]);
    assert.deepEqual(
      migrations.map((row) => [row['Server UUID'], row['Source Compute'], row['Dest Compute'], row['Status']]),
      [[id, source, destination, 'completed']],
    );
    const events = await openstackJson<Server[]>(cloud.cli.admin, ['server', 'event', 'list', id]);
    assert.deepEqual(events.map((event) => event['Action']), ['live-migration', 'create']);
    const liveEvent = await openstackJson<Server>(cloud.cli.admin, ['server', 'event', 'show', id, String(events[0]?.['Request ID'])]);
    const steps = (liveEvent['events'] as Server[]).map((event) => `${String(event['event'])}:${String(event['result'])}`).sort();
    assert.deepEqual(steps, [
      'compute_check_can_live_migrate_destination:Success',
      'compute_check_can_live_migrate_source:Success',
      'compute_live_migration:Success',
      'compute_post_live_migration_at_destination:Success',
      'compute_pre_live_migration:Success',
      'conductor_live_migrate_instance:Success',
    ]);

    // A named host (os-migrateLive at 2.1 takes one as is; OSC wants 2.30 for --host).
    const third = ['compute-1', 'compute-2', 'compute-3'].find((host) => host !== source && host !== destination) ?? '';
    const named = await cloud.compute('POST', `/servers/${id}/action`, { body: { 'os-migrateLive': { host: third, block_migration: false, disk_over_commit: false } } });
    assert.equal(named.status, 202, JSON.stringify(named.json));
    assert.equal((await waitForMove(id, destination))[HOST], third);
    const same = await cloud.compute('POST', `/servers/${id}/action`, { body: { 'os-migrateLive': { host: third, block_migration: false, disk_over_commit: false } } });
    assert.deepEqual(same.json, { badRequest: { code: 400, message: `Unable to migrate instance (${id}) to current host (${third}).` } });
    assert.deepEqual([(await show(id))['status'], (await show(id))[HOST]], ['ACTIVE', third]);

    await ok('demo', ['server', 'stop', id]);
    await cloud.waitForStatus(id, 'SHUTOFF');
    const stopped = await openstack(cloud.cli.admin, ['server', 'migrate', '--live-migration', id]);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, new RegExp(`Cannot 'os-migrateLive' instance ${id} while it is in vm_state stopped \\(HTTP 409\\)`));
    const refusedByPolicy = await openstack(cloud.cli.demo, ['server', 'migrate', '--live-migration', id]);
    assert.match(refusedByPolicy.stderr, /os_compute_api:os-migrate-server:migrate_live .*\(HTTP 403\)/);

    await remove(id);
    await waitForUsage(baseline);
  });

  test('evacuate (REST) after the source compute service is forced down: ACTIVE on another host, usage there', async () => {
    const { id, host: source } = await boot('evac1');
    const booted = plusTiny(baseline, source, 1);
    await waitForUsage(booted);
    const inUse = await cloud.compute('POST', `/servers/${id}/action`, { body: { evacuate: { onSharedStorage: false } } });
    assert.deepEqual(inUse.json, { badRequest: { code: 400, message: `Compute service of ${source} is still in use.` } });

    await ok('admin', ['--os-compute-api-version', '2.11', 'compute', 'service', 'set', '--down', source, 'nova-compute']);
    const services = await openstackJson<Server[]>(cloud.cli.admin, ['compute', 'service', 'list', '--service', 'nova-compute']);
    assert.equal(services.find((service) => service['Host'] === source)?.['State'], 'down');
    const evacuated = await cloud.compute('POST', `/servers/${id}/action`, { body: { evacuate: { onSharedStorage: false } } });
    assert.equal(evacuated.status, 200, JSON.stringify(evacuated.json));
    assert.equal(typeof evacuated.json['adminPass'], 'string');
    const moved = await waitForMove(id, source);
    const destination = String(moved[HOST]);
    const events = await openstackJson<Server[]>(cloud.cli.admin, ['server', 'event', 'list', id]);
    assert.equal(events[0]?.['Action'], 'evacuate');
    // The destination runs and counts the server now. The forced-down host's hypervisor still
    // holds its stale copy (as a host Nova lost would) until its agent restarts and destroys it,
    // but no server runs there any more.
    const stale = { ...booted, [source]: { ...(booted[source] ?? assert.fail(source)), runningVms: baseline[source]?.runningVms ?? 0 } };
    await waitForUsage(plusTiny(stale, destination, 1));
    await remove(id);
    await waitForUsage(stale);
  });
});
