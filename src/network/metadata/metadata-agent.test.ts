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
import { ROUTER_METADATA_PORT } from '../agent/linux-bridge/metadata/metadata-proxy.js';
import { linuxBridgeSkip, linuxHarness, metadataSocketIn } from '../agent/linux-bridge/testing/linux-harness.js';
import { NetworkStore } from '../db/network-store.js';
import { networkMigrations } from '../db/migrations/index.js';
import { createNetworkPlugin, type CorePlugin } from '../plugin/network-plugin.js';
import { dhcpPortKeeper } from '../server/dhcp-ports.js';
import { HostStateBuilder } from '../server/host-state.js';
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

/** busybox wget of a metadata path from inside the guest (with any headers it chooses to send): the body, or the HTTP error wget reports. (Busybox 1.35's `wget -T` crashes: `timeout` bounds it.) */
async function fetchFrom(guest: GuestNamespace, path: string, headers: readonly string[] = [], seconds = 10): Promise<string> {
  try {
    return await guest.exec('busybox', ['timeout', String(seconds), 'busybox', 'wget', '-q', ...headers.flatMap((header) => ['--header', header]), '-O', '-', `http://169.254.169.254${path}`]);
  } catch (error) {
    return String((error as Error).message);
  }
}

/**
 * curl of a metadata path at fe80::a9fe:a9fe on the guest's link, as an IPv6 guest asks: the
 * body, or the HTTP status curl reports. Waits for the guest's own link-local address first (the
 * kernel sends from none while duplicate address detection runs).
 */
async function fetchV6From(guest: GuestNamespace, path: string): Promise<string> {
  for (let waited = 0; waited < 5000 && !/scope link(?!.*tentative)/.test(await guest.exec('ip', ['-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await guest.exec('curl', ['-sS', '-g', '--fail-with-body', '--max-time', '10', '-w', '', `http://[fe80::a9fe:a9fe%25eth0]${path}`]);
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
        // IPv6: fe80::a9fe:a9fe on the DHCP device, the instance known by the MAC in the guest's link-local source.
        assert.equal((JSON.parse(await fetchV6From(guest, '/openstack/latest/meta_data.json')) as Record<string, unknown>)['uuid'], instanceId);

        // A guest whose address no port holds (a port this host plugged, unknown to the network server).
        const stranger = await plug(crypto.randomUUID(), randomMac(), `${PREFIX}.21`);
        await stranger.setAddress(`${PREFIX}.21/24`);
        await stranger.exec('ip', ['route', 'add', '169.254.169.254/32', 'via', `${PREFIX}.3`]);
        assert.match(await fetchFrom(stranger, '/openstack/latest/meta_data.json'), /404/);
        assert.match(await fetchV6From(stranger, '/openstack/latest/meta_data.json'), /404/, 'a link-local address of a MAC no port has names no instance');
      } finally {
        for (const guest of guests) await guest.dispose();
        await agent.close();
        await nova.close();
        await harness.dispose();
      }
    });
  });

  test("a guest on a routed subnet gets its metadata through its router's namespace, never another project's on the same addresses, whatever headers it sends; the proxy is closed to the external network", async () => {
    await withCloudDb(async (db) => {
      const store = NetworkStore.open(db);
      const plugin = createNetworkPlugin(db, NETWORK_OPTIONS);
      const hostState = new HostStateBuilder(store, 'node-1', dhcpPortKeeper(store, plugin.ports));
      const external = await plugin.networks.create('admin', { name: 'meta-public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'physnet-meta-public' });
      await plugin.subnets.create('admin', { network_id: String(external['id']), ip_version: 4, cidr: `${ROUTED}.0.0/24`, gateway_ip: `${ROUTED}.0.1`, enable_dhcp: false });
      // Two projects with the same subnet, each behind its own router, each with a guest at the same address.
      const projects = await Promise.all(['project-r', 'project-x'].map((project, index) => routedProject(db, plugin, project, index === 0 ? String(external['id']) : null)));
      const [mine, theirs] = projects as [RoutedProject, RoutedProject];

      const harness = await linuxHarness();
      const nova = await startMetadataApi({ instances: new InstanceStore(db), sharedSecret: SECRET, host: '127.0.0.1', port: 0 });
      const agent = await startMetadataAgent({
        socketPath: metadataSocketIn(harness.stateDir),
        findInstance: (address, source) => instanceOfAddress(store, address, source),
        novaMetadataUrl: () => `http://127.0.0.1:${nova.port}`,
        sharedSecret: SECRET,
      });
      const guests: GuestNamespace[] = [];
      try {
        const group = defaultGroupFixture();
        await harness.datapath.syncSecurityGroup(group);
        const guestOf = async (project: RoutedProject): Promise<GuestNamespace> => {
          // What the server tells the l3 host: the router's networks (the subnet routed, so not isolated) and the router.
          const state = await hostState.router(project.routerId);
          assert.ok(state !== undefined);
          assert.deepEqual(state.networks.find((network) => network.id === project.networkId)?.subnets.map((subnet) => subnet.isolated), [false]);
          for (const network of state.networks) await harness.datapath.ensureNetwork(network);
          await harness.datapath.ensureRouter(state.router);
          const port = await store.ports.find(project.portId);
          assert.ok(port !== undefined);
          const spec = { ...(await hostState.port(port)), security_groups: [group.id] };
          const guest = await guestNamespace(spec);
          guests.push(guest);
          await harness.datapath.plugPort(spec);
          assert.equal(await guest.dhcp(), `${PREFIX_ROUTED}.20`);
          return guest;
        };
        const guest = await guestOf(mine);
        const other = await guestOf(theirs);
        const inventory = await harness.datapath.inventory();
        assert.deepEqual(inventory.metadataRouters.slice().sort(), [mine.routerId, theirs.routerId].sort());
        assert.deepEqual(inventory.metadataNetworks, [], 'no DHCP namespace serves a routed subnet');
        assert.match(await guest.exec('ip', ['route', 'get', '169.254.169.254']), new RegExp(`via ${PREFIX_ROUTED.replaceAll('.', '\\.')}\\.1 `), 'the guest reaches 169.254.169.254 by its default route, its router');

        const metaData = JSON.parse(await fetchFrom(guest, '/openstack/latest/meta_data.json')) as Record<string, unknown>;
        assert.equal(metaData['uuid'], mine.instanceId);
        assert.equal(metaData['hostname'], 'routed-guest');
        assert.equal(await fetchFrom(guest, '/latest/meta-data/public-keys/0/openssh-key'), KEY);
        assert.equal((JSON.parse(await fetchFrom(other, '/openstack/latest/meta_data.json')) as Record<string, unknown>)['uuid'], theirs.instanceId);
        // IPv6: each router's internal end holds fe80::a9fe:a9fe, redirected to its proxy.
        assert.equal((JSON.parse(await fetchV6From(guest, '/openstack/latest/meta_data.json')) as Record<string, unknown>)['uuid'], mine.instanceId);
        assert.equal((JSON.parse(await fetchV6From(other, '/openstack/latest/meta_data.json')) as Record<string, unknown>)['uuid'], theirs.instanceId);
        // The headers that name the router and the source are the proxy's to set: a guest naming the other project's router reads its own data still.
        const forged = await fetchFrom(guest, '/openstack/latest/meta_data.json', [`X-Neutron-Router-ID: ${theirs.routerId}`, `X-Neutron-Network-ID: ${theirs.networkId}`, `X-Forwarded-For: ${PREFIX_ROUTED}.20`, `X-Instance-ID: ${theirs.instanceId}`]);
        assert.equal((JSON.parse(forged) as Record<string, unknown>)['uuid'], mine.instanceId);
        // The proxy's own port is no way in: not from a guest directly.
        assert.equal(await guest.connectTcp(`${PREFIX_ROUTED}.1`, ROUTER_METADATA_PORT), false);

        // A host on the external network routing 169.254.169.254 (or the proxy's port) to the router's gateway reaches nothing.
        const gateway = (await hostState.router(mine.routerId))?.router.external_gateway;
        assert.ok(gateway != null);
        const outside: PortSpec = { id: crypto.randomUUID(), network_id: String(external['id']), mac_address: randomMac(), fixed_ips: [], security_groups: [], port_security_enabled: false, allowed_address_pairs: [], device_owner: '' };
        const stranger = await guestNamespace(outside);
        guests.push(stranger);
        await harness.datapath.plugPort(outside);
        await stranger.setAddress(`${ROUTED}.0.50/24`);
        await stranger.exec('ip', ['route', 'add', '169.254.169.254/32', 'via', gateway.ip_address]);
        assert.ok(await stranger.reaches(gateway.ip_address), 'the external host reaches the router');
        assert.doesNotMatch(await fetchFrom(stranger, '/openstack/latest/meta_data.json', [], 4), /uuid/);
        assert.equal(await stranger.connectTcp(gateway.ip_address, ROUTER_METADATA_PORT), false);

        // The router gone, its proxy goes with its namespace.
        await harness.datapath.deleteRouter(theirs.routerId);
        assert.deepEqual((await harness.datapath.inventory()).metadataRouters, [mine.routerId]);
      } finally {
        for (const guest of guests) await guest.dispose();
        await agent.close();
        await nova.close();
        await harness.dispose();
      }
    });
  });
});

/** The routed subnets' /24 and the external one's (`<ROUTED>.0.0/24`). */
const ROUTED = '10.207';
const PREFIX_ROUTED = `${ROUTED}.8`;

interface RoutedProject {
  readonly networkId: string;
  readonly routerId: string;
  readonly instanceId: string;
  readonly portId: string;
}

/** A project's network with `<PREFIX_ROUTED>.0/24` behind its router (with a gateway on `externalId` when given), and an instance's port at `.20`. */
async function routedProject(db: Database, plugin: CorePlugin, project: string, externalId: string | null): Promise<RoutedProject> {
  const network = await plugin.networks.create(project, { name: `${project}-net` });
  const networkId = String(network['id']);
  const subnet = await plugin.subnets.create(project, { network_id: networkId, ip_version: 4, cidr: `${PREFIX_ROUTED}.0/24`, gateway_ip: `${PREFIX_ROUTED}.1` });
  const router = await plugin.routers.create(project, { name: `${project}-router`, ...(externalId === null ? {} : { external_gateway_info: { network_id: externalId } }) });
  const routerId = String(router['id']);
  await plugin.routers.addInterface(routerId, { subnet_id: String(subnet['id']) });
  const instanceId = await insertInstance(db, project, { hostname: project === 'project-r' ? 'routed-guest' : 'other-guest', key_name: 'guest-key', key_data: KEY });
  const port = await plugin.ports.create(project, { network_id: networkId, device_id: instanceId, device_owner: 'compute:nova', fixed_ips: [{ subnet_id: String(subnet['id']), ip_address: `${PREFIX_ROUTED}.20` }] });
  return { networkId, routerId, instanceId, portId: String(port['id']) };
}
