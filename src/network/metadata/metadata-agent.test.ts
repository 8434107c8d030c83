import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import type { Database } from '../../common/db/database.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { startMetadataApi } from '../../compute/api/metadata/index.js';
import { InstanceStore } from '../../compute/db/instance-store.js';
import { computeMigrations } from '../../compute/db/migrations/index.js';
import { insertInstance } from '../../compute/db/testing/compute-db.js';
import type { NetworkSpec, PortSpec } from '../agent/datapath-spec.js';
import { defaultGroupFixture, randomMac } from '../agent/testing/datapath-fixtures.js';
import { guestNamespace, type GuestNamespace } from '../agent/linux-bridge/testing/guest-namespace.js';
import { linuxBridgeSkip, linuxHarness, metadataSocketIn } from '../agent/linux-bridge/testing/linux-harness.js';
import { NetworkStore } from '../db/network-store.js';
import { networkMigrations } from '../db/migrations/index.js';
import { createNetworkPlugin } from '../plugin/network-plugin.js';
import { NETWORK_OPTIONS } from '../testing/network-api-fixture.js';
import { instanceOfAddress } from './instance-ports.js';
import { startMetadataAgent } from './metadata-agent.js';

// Real parts end to end: Nova's metadata API on loopback, the metadata agent on a unix socket,
// a network wired by the Linux bridge data path with dnsmasq and the haproxy proxy in its
// qdhcp namespace, and guests made of namespaces asking 169.254.169.254 as a booting guest does.

const skip = await linuxBridgeSkip();
const SECRET = 'agent-test-secret';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAgentTest guest@nimbus';
const PREFIX = '10.206.7';

/** A migrated database holding both compute's and the network's tables, as the all-in-one's. */
function withCloudDb(fn: (db: Database) => Promise<void>): Promise<void> {
  return withTestDatabase('sqlite', (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, computeMigrations);
      await migrateToLatest(db, networkMigrations);
      await fn(db);
    }),
  );
}

/** busybox wget of a metadata path from inside the guest: the body, or the HTTP error wget reports. (Busybox 1.35's `wget -T` crashes: `timeout` bounds it.) */
async function fetchFrom(guest: GuestNamespace, path: string): Promise<string> {
  try {
    return await guest.exec('busybox', ['timeout', '10', 'busybox', 'wget', '-q', '-O', '-', `http://169.254.169.254${path}`]);
  } catch (error) {
    return String((error as Error).message);
  }
}

describe('metadata through the namespace proxy and the metadata agent', { skip }, () => {
  test("a guest gets its own instance's metadata at 169.254.169.254; an address without a port gets 404", async () => {
    await withCloudDb(async (db) => {
      const plugin = createNetworkPlugin(db, NETWORK_OPTIONS);
      const network = await plugin.networks.create('project-m', { name: 'metadata-net', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet-metadata' });
      const networkId = String(network['id']);
      const subnet = await plugin.subnets.create('project-m', { network_id: networkId, ip_version: 4, cidr: `${PREFIX}.0/24`, gateway_ip: `${PREFIX}.1` });
      const subnetId = String(subnet['id']);
      const instanceId = await insertInstance(db, 'project-m', { hostname: 'meta-guest', display_name: 'meta guest', key_name: 'guest-key', key_data: KEY });
      const port = await plugin.ports.create('project-m', {
        network_id: networkId,
        device_id: instanceId,
        device_owner: 'compute:nova',
        fixed_ips: [{ subnet_id: subnetId, ip_address: `${PREFIX}.20` }],
      });
      const mac = String(port['mac_address']);

      const harness = await linuxHarness();
      const nova = await startMetadataApi({ instances: new InstanceStore(db), sharedSecret: SECRET, host: '127.0.0.1', port: 0 });
      const agent = await startMetadataAgent({
        socketPath: metadataSocketIn(harness.stateDir),
        findInstance: (address, source) => instanceOfAddress(NetworkStore.open(db), address, source),
        novaMetadataUrl: () => `http://127.0.0.1:${nova.port}`,
        sharedSecret: SECRET,
      });
      const guests: GuestNamespace[] = [];
      try {
        const spec: NetworkSpec = {
          id: networkId,
          network_type: 'flat',
          segmentation_id: null,
          mtu: 1500,
          subnets: [{ id: subnetId, ip_version: 4, cidr: `${PREFIX}.0/24`, gateway_ip: `${PREFIX}.1`, enable_dhcp: true, allocation_pools: [{ start: `${PREFIX}.2`, end: `${PREFIX}.254` }], dns_nameservers: [], host_routes: [], isolated: true }],
          dhcp_port: { id: crypto.randomUUID(), mac_address: randomMac(), fixed_ips: [{ subnet_id: subnetId, ip_address: `${PREFIX}.3` }] },
        };
        await harness.datapath.ensureNetwork(spec);
        const group = defaultGroupFixture();
        await harness.datapath.syncSecurityGroup(group);
        const plug = async (id: string, macAddress: string, address: string): Promise<GuestNamespace> => {
          const portSpec: PortSpec = {
            id,
            network_id: networkId,
            mac_address: macAddress,
            fixed_ips: [{ subnet_id: subnetId, ip_address: address }],
            security_groups: [group.id],
            port_security_enabled: true,
            allowed_address_pairs: [],
            device_owner: 'compute:nova',
          };
          const guest = await guestNamespace(portSpec);
          guests.push(guest);
          await harness.datapath.plugPort(portSpec);
          return guest;
        };

        const guest = await plug(String(port['id']), mac, `${PREFIX}.20`);
        assert.equal(await guest.dhcp(), `${PREFIX}.20`);
        assert.match(await guest.exec('ip', ['route', 'show', '169.254.169.254']), new RegExp(`via ${PREFIX.replaceAll('.', '\\.')}\\.3 `), 'DHCP routed the metadata address through the DHCP port');
        const metaData = JSON.parse(await fetchFrom(guest, '/openstack/latest/meta_data.json')) as Record<string, unknown>;
        assert.equal(metaData['uuid'], instanceId);
        assert.equal(metaData['hostname'], 'meta-guest');
        assert.deepEqual(metaData['public_keys'], { 'guest-key': KEY });
        assert.equal(await fetchFrom(guest, '/latest/meta-data/public-keys/0/openssh-key'), KEY);
        assert.equal(await fetchFrom(guest, '/latest/meta-data/local-ipv4'), `${PREFIX}.20`);

        // A guest whose address no port holds (a port this host plugged, unknown to the network server).
        const stranger = await plug(crypto.randomUUID(), randomMac(), `${PREFIX}.21`);
        await stranger.setAddress(`${PREFIX}.21/24`);
        await stranger.exec('ip', ['route', 'add', '169.254.169.254/32', 'via', `${PREFIX}.3`]);
        assert.match(await fetchFrom(stranger, '/openstack/latest/meta_data.json'), /404/);
      } finally {
        for (const guest of guests) await guest.dispose();
        await agent.close();
        await nova.close();
        await harness.dispose();
      }
    });
  });
});
