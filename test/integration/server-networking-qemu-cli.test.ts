import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { linuxBridgeSkip } from '../../src/network/agent/linux-bridge/testing/linux-harness.js';
import { openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Issue 14 through Debian's openstack CLI: `nimbus up --driver qemu` lays DevStack's `private`
// network; two real TCG guests booted on it get their addresses by DHCP, reach each other only
// once their security group lets ICMP in, and deleting them deletes the ports Nova made. Traffic
// stays inside the bridge and namespaces this cloud built.
const skip = qemuCliUnavailable() || (await linuxBridgeSkip());

const SERVERS = ['net-vm1', 'net-vm2'];
const GROUP = 'ping-test';

describe('servers on Neutron networks with real guests (qemu driver, Linux bridge)', { skip }, () => {
  let cloud: QemuCliCloud;

  before(async () => {
    cloud = await startQemuCliCloud('netcli', 1);
  });
  after(async () => {
    await cloud.stop(SERVERS);
  });

  /** The address the guest's DHCP client configured on eth0, from its ready line. */
  async function dhcpAddress(server: string): Promise<string> {
    const ready = await cloud.nextBoot(server);
    const found = /eth0=([0-9.]+)\//.exec(ready.line);
    assert.ok(found, `${server} got no DHCP address: ${ready.line}`);
    return found[1] ?? '';
  }

  const ping = (from: string, to: string) => cloud.inGuest(from, `ping -c 1 -W 2 ${to} >/dev/null 2>&1 && echo PING-OK || echo PING-FAIL`, 30_000);

  test('two guests on private get their addresses by DHCP and ping each other once the group allows ICMP', async () => {
    await cloud.ok(['security', 'group', 'create', GROUP]);
    for (const name of SERVERS) {
      await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--network', 'private', '--security-group', GROUP, name]);
    }
    for (const name of SERVERS) await cloud.waitForStatus(name, 'ACTIVE');

    const listed = await openstackJson<Server[]>(cloud.admin, ['server', 'list', '--name', '^net-vm']);
    const networks = new Map(listed.map((server) => [String(server['Name']), server['Networks'] as Record<string, string[]>]));
    // One at a time: each poll is a CLI run, and two pollers at once weigh on a busy machine.
    const first = await dhcpAddress('net-vm1');
    const second = await dhcpAddress('net-vm2');
    assert.deepEqual(networks.get('net-vm1'), { private: [first] });
    assert.deepEqual(networks.get('net-vm2'), { private: [second] });

    // The group has no ingress rule: vm2 drops vm1's echo request.
    assert.match(await ping('net-vm1', second), /PING-FAIL/);
    await cloud.ok(['security', 'group', 'rule', 'create', '--protocol', 'icmp', GROUP]);
    let answer = '';
    for (let attempt = 0; attempt < 10 && !answer.includes('PING-OK'); attempt += 1) {
      answer = await ping('net-vm1', second);
      if (!answer.includes('PING-OK')) await sleep(1000);
    }
    assert.match(answer, /PING-OK/);
    assert.match(await ping('net-vm2', first), /PING-OK/);
  });

  test('deleting the servers deletes the ports Nova made for them', async () => {
    const before = await openstackJson<Server[]>(cloud.admin, ['port', 'list', '--device-owner', 'compute:nova']);
    assert.equal(before.length, SERVERS.length);
    await cloud.ok(['server', 'delete', '--wait', ...SERVERS]);
    assert.deepEqual(await openstackJson<Server[]>(cloud.admin, ['port', 'list', '--device-owner', 'compute:nova']), []);
    await cloud.ok(['security', 'group', 'delete', GROUP]);
  });
});
