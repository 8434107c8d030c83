import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startComputeCloud, type ComputeCloud } from '../support/compute-cloud.js';
import { serverCli, type ServerCli } from '../support/server-cli.js';
import { openstack, openstackCliUnavailable, openstackJson, type OpenstackEnv } from '../support/openstack-cli.js';

// The compute admin commands beyond issue 5's first list (hypervisor show, service set, usage),
// through Debian's python3-openstackclient against an all-in-one cloud with two fake hosts.
const skip = openstackCliUnavailable();

describe('compute admin through the openstack CLI', { skip }, () => {
  let cloud: ComputeCloud;
  let commands: ServerCli;

  before(async () => {
    cloud = await startComputeCloud('admin-cli', { hosts: 2 });
    commands = serverCli(cloud.cli);
  });
  after(async () => {
    await cloud.stop();
  });

  test("hypervisor show: the host's uptime and load from its agent, and the rest", async () => {
    const hypervisor = await openstackJson<Record<string, unknown>>(cloud.cli.admin, ['hypervisor', 'show', 'compute-1']);
    assert.deepEqual([hypervisor['hypervisor_hostname'], hypervisor['service_host'], hypervisor['state']], ['compute-1', 'compute-1', 'up']);
    assert.match(String(hypervisor['load_average']), /^[\d.]+, [\d.]+, [\d.]+$/, JSON.stringify(hypervisor));
    assert.notEqual(hypervisor['uptime'], undefined);
  });

  test('compute service set --disable compute-1: a boot right after it never lands there; --enable puts it back', async () => {
    const { admin, demo } = cloud.cli;
    const ok = (env: OpenstackEnv, args: readonly string[]) => commands.ok(env, args);
    await ok(admin, ['compute', 'service', 'set', '--disable', '--disable-reason', 'maintenance', 'compute-1', 'nova-compute']);
    // Right away, without --wait (the CLI polls every 5 s): the scheduler must know now, not at
    // its next service refresh. Two servers in one request would otherwise spread over both hosts.
    await ok(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--min', '2', '--max', '2', 'd']);
    for (const name of ['d-1', 'd-2']) {
      await commands.waitForStatus(name, 'ACTIVE');
      assert.equal((await commands.adminShow(name))['OS-EXT-SRV-ATTR:host'], 'compute-2', `${name} landed on the disabled host`);
    }
    const listed = await openstackJson<Record<string, unknown>[]>(admin, ['compute', 'service', 'list', '--service', 'nova-compute', '--long']);
    assert.deepEqual(listed.map((row) => [row['Host'], row['Status'], row['Disabled Reason']]).sort(), [['compute-1', 'disabled', 'maintenance'], ['compute-2', 'enabled', null]]);
    await ok(admin, ['compute', 'service', 'set', '--enable', 'compute-1', 'nova-compute']);
    await ok(demo, ['server', 'delete', '--wait', 'd-1']);
  });

  test('usage list (admin) and usage show (demo): the servers that ran in the period, deleted ones included', async () => {
    const { admin, demo } = cloud.cli;
    const project = String((await openstackJson<Record<string, unknown>>(admin, ['project', 'show', 'demo']))['id']);
    // -f json prints the Servers column as the server usages themselves.
    const names = (row: Record<string, unknown> | undefined) => ((row?.['Servers'] ?? []) as Record<string, unknown>[]).map((server) => String(server['name'])).sort();
    const listed = await openstackJson<Record<string, unknown>[]>(admin, ['usage', 'list']);
    const shown = await openstackJson<Record<string, unknown>>(demo, ['usage', 'show']);
    assert.deepEqual(names(shown), ['d-1', 'd-2'], 'd-1 ran and was deleted, d-2 still runs');
    assert.deepEqual(names(listed.find((row) => row['Project'] === project)), names(shown));
  });

  test('aggregate cache image (the SDK sends 2.81): every host of the aggregate fetches the image; a member may not ask', async () => {
    const { admin, demo } = cloud.cli;
    await commands.ok(admin, ['aggregate', 'create', 'rack']);
    for (const host of ['compute-1', 'compute-2']) await commands.ok(admin, ['aggregate', 'add', 'host', 'rack', host]);
    await commands.ok(admin, ['aggregate', 'cache', 'image', 'rack', 'cirros']);
    for (const host of ['compute-1', 'compute-2']) await cloud.nimbus.waitFor(new RegExp(`Image ${cloud.imageId} (cached|was cached already) on ${host}`));
    const refused = await openstack(demo, ['aggregate', 'cache', 'image', 'rack', 'cirros']);
    assert.notEqual(refused.code, 0);
  });

  test('server create and set --hostname at 2.90, the owner sees OS-EXT-SRV-ATTR:hostname; server list --key-name at 2.83', async () => {
    const { demo } = cloud.cli;
    const at290 = (args: readonly string[]) => ['--os-compute-api-version', '2.90', ...args];
    await commands.ok(demo, at290(['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--nic', 'none', '--hostname', 'web-1', 'named']));
    await commands.waitForStatus('named', 'ACTIVE');
    const hostname = async () => (await openstackJson<Record<string, unknown>>(demo, at290(['server', 'show', 'named'])))['OS-EXT-SRV-ATTR:hostname'];
    assert.equal(await hostname(), 'web-1');
    await commands.ok(demo, at290(['server', 'set', '--hostname', 'web-2', 'named']));
    assert.equal(await hostname(), 'web-2');
    // 2.83: a member filters their own servers by key pair (ignored before it, as Nova does).
    await commands.ok(demo, ['keypair', 'create', 'deploy']);
    await commands.ok(demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--key-name', 'deploy', 'keyed']);
    await commands.waitForStatus('keyed', 'ACTIVE');
    const listed = async (version: string) =>
      (await openstackJson<{ Name: string }[]>(demo, ['--os-compute-api-version', version, 'server', 'list', '--key-name', 'deploy'])).map((row) => row.Name).sort();
    assert.deepEqual(await listed('2.83'), ['keyed']);
    assert.deepEqual(await listed('2.82'), ['d-2', 'keyed', 'named']);
    for (const name of ['named', 'keyed']) await commands.ok(demo, ['server', 'delete', '--wait', name]);
  });
  test('an admin forces a host with --availability-zone nova:<host> past the filters (onto a disabled host); zone::node too; a member gets 403; an unknown host ends in ERROR', async () => {
    const { admin } = cloud.cli;
    await commands.ok(admin, ['compute', 'service', 'set', '--disable', '--disable-reason', 'drain', 'compute-2', 'nova-compute']);
    try {
      const forced = await commands.boot(admin, 'forced', ['--availability-zone', 'nova:compute-2']);
      assert.deepEqual([forced['status'], forced['OS-EXT-SRV-ATTR:host'], forced['OS-EXT-AZ:availability_zone']], ['ACTIVE', 'compute-2', 'nova']);
    } finally {
      await commands.ok(admin, ['compute', 'service', 'set', '--enable', 'compute-2', 'nova-compute']);
    }
    const create = (zone: string, as: 'admin' | 'demo' = 'admin') =>
      cloud.compute('POST', '/servers', { as, body: { server: { name: 'forced-rest', imageRef: cloud.imageId, flavorRef: '1', availability_zone: zone } } });
    const refused = await create('nova:compute-1', 'demo');
    assert.equal(refused.status, 403, JSON.stringify(refused.json));
    assert.match(JSON.stringify(refused.json), /os_compute_api:servers:create:forced_host/);
    const unparsable = await create('nova:compute-1:compute-1:x');
    assert.equal(unparsable.status, 400);
    assert.match(JSON.stringify(unparsable.json), /Unable to parse availability_zone/);
    const ids: string[] = [];
    for (const [zone, status] of [['nova::compute-1', 'ACTIVE'], ['nova:nowhere', 'ERROR']] as const) {
      const created = await create(zone);
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const id = String((created.json['server'] as Record<string, unknown>)['id']);
      ids.push(id);
      const shown = await cloud.waitForStatus(id, status, 'admin');
      if (status === 'ACTIVE') assert.equal(shown['OS-EXT-SRV-ATTR:host'], 'compute-1');
      else assert.match(JSON.stringify(shown['fault']), /No valid host was found/);
    }
    for (const server of ['forced', ...ids]) await commands.ok(admin, ['server', 'delete', '--wait', server]);
  });
});
