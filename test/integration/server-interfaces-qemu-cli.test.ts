import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { linuxBridgeSkip } from '../../src/network/agent/linux-bridge/testing/linux-harness.js';
import { openstack, openstackJson } from '../support/openstack-cli.js';
import { pollUntil } from '../support/openstack-rest.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud, type Server } from '../support/qemu-cli-cloud.js';

// Issue 14's interface attach through Debian's openstack CLI on a real TCG guest: `server add
// port` hot-plugs a NIC (QMP netdev_add + device_add) the guest sees as eth1 and configures by
// DHCP from the new network's dnsmasq, `server show` lists the address; `server remove port`
// unplugs it (device_del, DEVICE_DELETED) and leaves the user's port unbound; `server add
// network` makes a port that `server remove network` deletes. Traffic stays inside the bridges
// and namespaces this cloud built.
const skip = qemuCliUnavailable() || (await linuxBridgeSkip());

const SERVER = 'if-vm';
const NETWORK = 'if-net';
const SUBNET = 'if-subnet';
const PORT = 'if-port';

describe('interface attach and detach on a running guest (qemu driver, Linux bridge)', { skip }, () => {
  let cloud: QemuCliCloud;

  before(async () => {
    cloud = await startQemuCliCloud('ifcli', 1);
    await cloud.ok(['network', 'create', NETWORK]);
    await cloud.ok(['subnet', 'create', '--network', NETWORK, '--subnet-range', '10.77.0.0/24', SUBNET]);
    await cloud.ok(['port', 'create', '--network', NETWORK, PORT]);
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', '--network', 'private', SERVER]);
    await cloud.waitForStatus(SERVER, 'ACTIVE');
    await cloud.nextBoot(SERVER);
  });
  after(async () => {
    await openstack(cloud.admin, ['server', 'delete', '--wait', SERVER]);
    await openstack(cloud.admin, ['port', 'delete', PORT]);
    await openstack(cloud.admin, ['network', 'delete', NETWORK]);
    await cloud.stop([]);
  });

  /** The guest's eth1: its IPv4 address once DHCP gave one, `absent` when the guest has no such NIC. */
  const eth1 = () =>
    cloud.inGuest(
      SERVER,
      'if [ -e /sys/class/net/eth1 ]; then ip link set eth1 up; udhcpc -i eth1 -n -q -t 5 -T 2 -s /etc/udhcpc.script >/dev/null 2>&1; echo "ETH1=$(ip -4 -o addr show eth1 | sed -n \'s/.* inet \\([^/]*\\).*/\\1/p\')"; else echo ETH1=absent; fi',
      60_000,
    );

  async function waitForEth1(expected: RegExp): Promise<string> {
    let seen = '';
    for (let attempt = 0; attempt < 20; attempt += 1) {
      seen = (/ETH1=(\S*)/.exec(await eth1()))?.[1] ?? '';
      if (expected.test(seen)) return seen;
      await sleep(1000);
    }
    assert.fail(`the guest's eth1 is ${seen}, expected ${String(expected)}`);
  }

  const addresses = async () => (await cloud.show(SERVER))['addresses'] as Record<string, string[]>;
  /** Waits (over REST: 50 polls of the CLI took at least 100 s) until the server's addresses lose NETWORK. */
  const networkGone = () =>
    pollUntil(`${NETWORK} gone from the addresses`, async () => ((await cloud.rest.serverNamed(SERVER))['addresses'] as Record<string, unknown>)[NETWORK] === undefined ? true : undefined, 100_000).catch(() => undefined);
  const portOf = (port: string) => openstackJson<Server>(cloud.admin, ['port', 'show', port]);

  test('server add port: the guest gets eth1 with the port address, server show lists it; remove port unplugs it and keeps the port unbound', async () => {
    const address = ((await portOf(PORT))['fixed_ips'] as { ip_address: string }[])[0]?.ip_address ?? '';
    assert.match(await waitForEth1(/^absent$/), /absent/);

    await cloud.ok(['server', 'add', 'port', SERVER, PORT]);
    assert.equal(await waitForEth1(/^10\.77\.0\./), address);
    assert.deepEqual((await addresses())[NETWORK], [address]);
    const bound = await portOf(PORT);
    assert.equal(bound['device_id'], await cloud.idOf(SERVER));
    assert.equal(bound['status'], 'ACTIVE');

    await cloud.ok(['server', 'remove', 'port', SERVER, PORT]);
    await waitForEth1(/^absent$/);
    await networkGone();
    assert.equal((await addresses())[NETWORK], undefined);
    const unbound = await portOf(PORT);
    assert.equal(unbound['device_id'], '');
    assert.deepEqual(Object.keys(await addresses()), ['private']);
  });

  test('server add network makes a port the guest configures; remove network deletes it', async () => {
    await cloud.ok(['server', 'add', 'network', SERVER, NETWORK]);
    const address = await waitForEth1(/^10\.77\.0\./);
    assert.deepEqual((await addresses())[NETWORK], [address]);
    const made = await openstackJson<Server[]>(cloud.admin, ['port', 'list', '--network', NETWORK, '--device-owner', 'compute:nova']);
    assert.equal(made.length, 1);

    await cloud.ok(['server', 'remove', 'network', SERVER, NETWORK]);
    await waitForEth1(/^absent$/);
    await networkGone();
    assert.equal((await addresses())[NETWORK], undefined);
    assert.deepEqual(await openstackJson<Server[]>(cloud.admin, ['port', 'list', '--network', NETWORK, '--device-owner', 'compute:nova']), []);
    // The guest still answers on its first NIC.
    assert.match(await cloud.inGuest(SERVER, 'ip -4 -o addr show eth0 | grep -c inet', 30_000), /1/);
  });
});
