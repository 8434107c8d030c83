import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startComputeCloud, type ComputeCloud, type HypervisorUsage } from '../support/compute-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk } from '../support/openstack-cli.js';

// Issue 6's resize and cold migration acceptance, through Debian's python3-openstackclient
// against an all-in-one cloud with two fake compute hosts.
const skip = openstackCliUnavailable();

type Row = Record<string, unknown>;

/** m1.tiny, m1.small and m1.medium as the default flavors define them. */
const SIZES: Record<string, { memoryMb: number; vcpus: number; localGb: number }> = {
  'm1.tiny': { memoryMb: 128, vcpus: 1, localGb: 1 },
  'm1.small': { memoryMb: 512, vcpus: 1, localGb: 5 },
  'm1.medium': { memoryMb: 2048, vcpus: 2, localGb: 10 },
};

describe('resize and cold migration through the openstack CLI', { skip }, () => {
  let cloud: ComputeCloud;
  let serverId = '';

  const ok = (persona: 'admin' | 'demo', args: readonly string[]) => openstackOk(cloud.cli[persona], args);
  const hostOf = async (): Promise<string> => String((await openstackJson<Row>(cloud.cli.admin, ['server', 'show', serverId]))['OS-EXT-SRV-ATTR:host']);

  /** The usage the fake hosts report, host by host, once it settles at what `expected` says (agents report just after each step). */
  async function usageBecomes(expected: (usage: HypervisorUsage) => boolean, what: string): Promise<HypervisorUsage> {
    const usage = await cloud.usageWhen(expected);
    assert.ok(expected(usage), `${what}: ${JSON.stringify(usage)}`);
    return usage;
  }
  const memory = (usage: HypervisorUsage, host: string) => usage[host]?.memoryMb ?? -1;
  const otherHost = (host: string) => (host === 'compute-1' ? 'compute-2' : 'compute-1');

  before(async () => {
    cloud = await startComputeCloud('resize-cli', { hosts: 2 });
    const created = await openstackJson<Row>(cloud.cli.demo, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', 'vm']);
    serverId = String(created['id']);
    await cloud.waitForStatus(serverId, 'ACTIVE');
  });
  after(async () => {
    await cloud.stop();
  });

  test('resize --wait → VERIFY_RESIZE on the other host, both hosts holding the guest; confirm → ACTIVE with the new flavor', async () => {
    const source = await hostOf();
    const dest = otherHost(source);
    const before = await usageBecomes((usage) => memory(usage, source) === 128 && memory(usage, dest) === 0, 'before the resize');
    await ok('demo', ['server', 'resize', '--flavor', 'm1.small', '--wait', 'vm']);
    const resized = await openstackJson<Row>(cloud.cli.demo, ['server', 'show', 'vm']);
    assert.equal(resized['status'], 'VERIFY_RESIZE');
    assert.equal(await hostOf(), dest);
    await usageBecomes((usage) => memory(usage, source) === 128 && memory(usage, dest) === 512, 'old and new flavor during VERIFY_RESIZE');

    await ok('demo', ['server', 'resize', 'confirm', 'vm']);
    const confirmed = await cloud.waitForStatus(serverId, 'ACTIVE', 'demo');
    assert.equal((confirmed['flavor'] as Row)['id'], '2');
    assert.match(String((await openstackJson<Row>(cloud.cli.demo, ['server', 'show', 'vm']))['flavor']), /m1\.small/);
    const after = await usageBecomes((usage) => memory(usage, source) === 0 && memory(usage, dest) === 512, 'only the new flavor after confirm');
    const total = (usage: HypervisorUsage) => Object.values(usage).reduce((sum, host) => sum + host.localGb, 0);
    assert.equal(total(after) - total(before), (SIZES['m1.small']?.localGb ?? 0) - (SIZES['m1.tiny']?.localGb ?? 0));
  });

  test('a second resize reverted: ACTIVE with the old flavor on the old host, usage as before', async () => {
    const home = await hostOf();
    const before = await usageBecomes((usage) => memory(usage, home) === 512, 'before the second resize');
    await ok('demo', ['server', 'resize', '--flavor', 'm1.medium', 'vm']);
    await cloud.waitForStatus(serverId, 'VERIFY_RESIZE', 'demo');
    assert.equal(await hostOf(), otherHost(home));
    await ok('demo', ['server', 'resize', 'revert', 'vm']);
    const reverted = await cloud.waitForStatus(serverId, 'ACTIVE', 'demo');
    assert.equal((reverted['flavor'] as Row)['id'], '2');
    assert.equal(await hostOf(), home);
    await usageBecomes((usage) => JSON.stringify(usage) === JSON.stringify(before), 'usage back to what it was');
  });

  test('migrate --wait + confirm moves the server to the other host with the same flavor and the same total usage', async () => {
    const source = await hostOf();
    const before = await usageBecomes((usage) => memory(usage, source) === 512, 'before the migration');
    await ok('admin', ['server', 'migrate', '--wait', serverId]);
    assert.equal((await openstackJson<Row>(cloud.cli.admin, ['server', 'show', serverId]))['status'], 'VERIFY_RESIZE');
    await ok('admin', ['server', 'migration', 'confirm', serverId]);
    await cloud.waitForStatus(serverId, 'ACTIVE');
    assert.equal(await hostOf(), otherHost(source));
    const after = await usageBecomes((usage) => memory(usage, source) === 0, 'the source empty after confirm');
    assert.deepEqual(after[otherHost(source)], before[source]);
  });

  test('server migration list shows every move of the server with Nova\'s columns', async () => {
    const rows = await openstackJson<Row[]>(cloud.cli.admin, ['server', 'migration', 'list', '--server', serverId]);
    assert.deepEqual(rows.map((row) => row['Status']), ['confirmed', 'reverted', 'confirmed']);
    assert.deepEqual(rows.map((row) => [row['Old Flavor'], row['New Flavor']]), [[2, 2], [2, 3], [1, 2]]);
    for (const row of rows) assert.equal(row['Server UUID'], serverId);
    const reverted = await openstackJson<Row[]>(cloud.cli.admin, ['server', 'migration', 'list', '--status', 'reverted']);
    assert.equal(reverted.length, 1);
    const denied = await openstack(cloud.cli.demo, ['server', 'migration', 'list']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /HTTP 403/);
  });

  test('resize to the same flavor is 400; confirm or revert when not VERIFY_RESIZE is 409', async () => {
    const same = await openstack(cloud.cli.demo, ['server', 'resize', '--flavor', 'm1.small', 'vm']);
    assert.notEqual(same.code, 0);
    assert.match(same.stderr, /When resizing, instances must change flavor! \(HTTP 400\)/);
    const confirm = await openstack(cloud.cli.demo, ['server', 'resize', 'confirm', 'vm']);
    assert.notEqual(confirm.code, 0);
    assert.match(confirm.stderr, new RegExp(`Cannot 'confirmResize' instance ${serverId} while it is in vm_state active \\(HTTP 409\\)`));
    const revert = await openstack(cloud.cli.demo, ['server', 'resize', 'revert', 'vm']);
    assert.match(revert.stderr, /Cannot 'revertResize' instance .* while it is in vm_state active \(HTTP 409\)/);
    const unknown = await openstack(cloud.cli.demo, ['server', 'migrate', 'vm']);
    assert.match(unknown.stderr, /HTTP 403/, 'cold migration is for admins');
    assert.equal((await openstackJson<Row>(cloud.cli.demo, ['server', 'show', 'vm']))['status'], 'ACTIVE');
  });
});
