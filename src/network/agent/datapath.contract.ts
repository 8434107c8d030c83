import assert from 'node:assert/strict';
import { describeContract, type ContractCases, type ContractOptions } from '../../../test/support/contract-suite.js';
import type { Datapath, DatapathInventory } from './datapath.js';
import type { PortSpec } from './datapath-spec.js';
import { bridgeName, dhcpNamespace, routerNamespace, tapName } from './device-names.js';
import { InvalidDatapathSpec, NetworkInUse, NetworkNotWired } from './errors.js';
import { defaultGroupFixture, networkFixture, portFixture, routerFixture } from './testing/datapath-fixtures.js';

// The behaviour every Datapath shares, seen through its inventory. Each implementation's own test
// file calls describeDatapathContract and lists the cases it skips, each with the reason; traffic
// (DHCP, pings, security groups, NAT) is the Linux implementation's own tests.

export interface DatapathHarness {
  readonly datapath: Datapath;
  /** Removes whatever a failed case left behind. */
  dispose(): Promise<void>;
}


function assertHas(inventory: DatapathInventory, key: keyof DatapathInventory, name: string, present: boolean): void {
  assert.equal(inventory[key].includes(name), present, `${key} ${present ? 'lacks' : 'still holds'} ${name}`);
}

const CASES = {
  'a network is a brq bridge; deleting it removes the bridge; both are idempotent': async ({ datapath }) => {
    const network = networkFixture('10.201.1', { dhcp: false });
    await datapath.ensureNetwork(network.spec);
    await datapath.ensureNetwork(network.spec);
    assertHas(await datapath.inventory(), 'bridges', bridgeName(network.spec.id), true);
    await datapath.deleteNetwork(network.spec.id);
    await datapath.deleteNetwork(network.spec.id);
    assertHas(await datapath.inventory(), 'bridges', bridgeName(network.spec.id), false);
  },

  'a DHCP network runs its server in qdhcp-<id>, plugged into the bridge; without a DHCP port it stops': async ({ datapath }) => {
    const network = networkFixture('10.201.2');
    const dhcpPort = network.spec.dhcp_port;
    assert.ok(dhcpPort !== null);
    await datapath.ensureNetwork(network.spec);
    let inventory = await datapath.inventory();
    assertHas(inventory, 'namespaces', dhcpNamespace(network.spec.id), true);
    assertHas(inventory, 'dhcpNetworks', network.spec.id, true);
    assertHas(inventory, 'taps', tapName(dhcpPort.id), true);
    await datapath.ensureNetwork({ ...network.spec, dhcp_port: null, subnets: network.spec.subnets.map((subnet) => ({ ...subnet, enable_dhcp: false })) });
    inventory = await datapath.inventory();
    assertHas(inventory, 'namespaces', dhcpNamespace(network.spec.id), false);
    assertHas(inventory, 'dhcpNetworks', network.spec.id, false);
    await datapath.deleteNetwork(network.spec.id);
  },

  'a DHCP namespace serves the metadata service while DHCP runs; without DHCP, or the network, it stops': async ({ datapath }) => {
    const network = networkFixture('10.201.9');
    await datapath.ensureNetwork(network.spec);
    await datapath.ensureNetwork(network.spec);
    assertHas(await datapath.inventory(), 'metadataNetworks', network.spec.id, true);
    await datapath.ensureNetwork({ ...network.spec, dhcp_port: null, subnets: network.spec.subnets.map((subnet) => ({ ...subnet, enable_dhcp: false })) });
    assertHas(await datapath.inventory(), 'metadataNetworks', network.spec.id, false);
    await datapath.ensureNetwork(network.spec);
    assertHas(await datapath.inventory(), 'metadataNetworks', network.spec.id, true);
    await datapath.deleteNetwork(network.spec.id);
    assertHas(await datapath.inventory(), 'metadataNetworks', network.spec.id, false);
  },

  "a router serves the metadata service to its subnets, whose DHCP namespace then serves none; the router gone, the subnet is isolated again": async ({ datapath }) => {
    const network = networkFixture('10.201.10');
    await datapath.ensureNetwork(network.spec);
    const router = routerFixture(network, null);
    await datapath.ensureRouter(router);
    await datapath.ensureNetwork({ ...network.spec, subnets: network.spec.subnets.map((subnet) => ({ ...subnet, isolated: false })) });
    let inventory = await datapath.inventory();
    assertHas(inventory, 'metadataRouters', router.id, true);
    assertHas(inventory, 'metadataNetworks', network.spec.id, false);
    assertHas(inventory, 'dhcpNetworks', network.spec.id, true);
    await datapath.deleteRouter(router.id);
    await datapath.ensureNetwork(network.spec);
    inventory = await datapath.inventory();
    assertHas(inventory, 'metadataRouters', router.id, false);
    assertHas(inventory, 'metadataNetworks', network.spec.id, true);
    await datapath.deleteNetwork(network.spec.id);
  },

  'a port is a tap on its bridge with its rules in force; port security off means no rules; unplugging removes it': async ({ datapath }) => {
    const network = networkFixture('10.201.3', { dhcp: false });
    await datapath.ensureNetwork(network.spec);
    const group = defaultGroupFixture();
    await datapath.syncSecurityGroup(group);
    const secured = portFixture(network, 10, { security_groups: [group.id] });
    const open = portFixture(network, 11, { port_security_enabled: false });
    await datapath.plugPort(secured);
    await datapath.plugPort(secured);
    await datapath.plugPort(open);
    let inventory = await datapath.inventory();
    assertHas(inventory, 'taps', tapName(secured.id), true);
    assertHas(inventory, 'taps', tapName(open.id), true);
    assertHas(inventory, 'securedPorts', secured.id, true);
    assertHas(inventory, 'securedPorts', open.id, false);
    await datapath.updatePortSecurity({ ...secured, port_security_enabled: false, security_groups: [] });
    assertHas(await datapath.inventory(), 'securedPorts', secured.id, false);
    await datapath.unplugPort(secured.id);
    await datapath.unplugPort(secured.id);
    await assert.rejects(datapath.updatePortSecurity(secured), InvalidDatapathSpec, 'an unplugged port has no security to update');
    await datapath.unplugPort(open.id);
    inventory = await datapath.inventory();
    assertHas(inventory, 'taps', tapName(secured.id), false);
    assertHas(inventory, 'taps', tapName(open.id), false);
    await datapath.deleteSecurityGroup(group.id);
    await datapath.deleteNetwork(network.spec.id);
  },

  'a port on a network that is not wired is refused and leaves nothing': async ({ datapath }) => {
    const network = networkFixture('10.201.4', { dhcp: false });
    const port = portFixture(network, 10);
    await assert.rejects(datapath.plugPort(port), NetworkNotWired);
    const inventory = await datapath.inventory();
    assertHas(inventory, 'taps', tapName(port.id), false);
    assertHas(inventory, 'securedPorts', port.id, false);
  },

  'a network with a port or a router on it is not deleted': async ({ datapath }) => {
    const network = networkFixture('10.201.5', { dhcp: false });
    await datapath.ensureNetwork(network.spec);
    const port = portFixture(network, 10);
    await datapath.plugPort(port);
    await assert.rejects(datapath.deleteNetwork(network.spec.id), NetworkInUse);
    assertHas(await datapath.inventory(), 'bridges', bridgeName(network.spec.id), true);
    await datapath.unplugPort(port.id);
    const router = routerFixture(network, null);
    await datapath.ensureRouter(router);
    await assert.rejects(datapath.deleteNetwork(network.spec.id), NetworkInUse);
    await datapath.deleteRouter(router.id);
    await datapath.deleteNetwork(network.spec.id);
  },

  'ids, MACs and addresses that are not what Neutron sends are refused before anything is made': async ({ datapath }) => {
    const network = networkFixture('10.201.6', { dhcp: false });
    await assert.rejects(datapath.ensureNetwork({ ...network.spec, id: 'x; reboot' }), InvalidDatapathSpec);
    await datapath.ensureNetwork(network.spec);
    const port = portFixture(network, 10);
    const bad: PortSpec[] = [
      { ...port, mac_address: 'fa:16:3e:00:00:0g' },
      { ...port, fixed_ips: [{ subnet_id: network.subnetId, ip_address: '10.201.6.300' }] },
      { ...port, allowed_address_pairs: [{ ip_address: '10.0.0.0/33' }] },
      { ...port, security_groups: ['$(id)'] },
    ];
    for (const spec of bad) await assert.rejects(datapath.plugPort(spec), InvalidDatapathSpec);
    await assert.rejects(datapath.syncSecurityGroup({ id: defaultGroupFixture().id, rules: [{ ...defaultGroupFixture().rules[0]!, protocol: 'tcp; drop' }] }), InvalidDatapathSpec);
    assertHas(await datapath.inventory(), 'taps', tapName(port.id), false);
    await datapath.deleteNetwork(network.spec.id);
  },

  'a router is a qrouter namespace with an end on each network; floating IPs need its gateway': async ({ datapath }) => {
    const internal = networkFixture('10.201.7', { dhcp: false });
    const external = networkFixture('10.201.8', { dhcp: false });
    await datapath.ensureNetwork(internal.spec);
    const router = routerFixture(internal, external);
    await assert.rejects(datapath.ensureRouter(router), NetworkNotWired);
    await datapath.ensureNetwork(external.spec);
    const isolated = routerFixture(internal, null);
    await datapath.ensureRouter(router);
    await datapath.ensureRouter(router);
    await datapath.ensureRouter(isolated);
    const inventory = await datapath.inventory();
    assertHas(inventory, 'namespaces', routerNamespace(router.id), true);
    for (const end of [...router.interfaces, router.external_gateway!]) assertHas(inventory, 'taps', tapName(end.port_id), true);
    await datapath.setFloatingIps(router.id, [{ floating_ip_address: '10.201.8.20', fixed_ip_address: '10.201.7.10' }]);
    await assert.rejects(datapath.setFloatingIps(isolated.id, [{ floating_ip_address: '10.201.8.21', fixed_ip_address: '10.201.7.11' }]), InvalidDatapathSpec);
    await datapath.deleteRouter(router.id);
    await datapath.deleteRouter(isolated.id);
    assertHas(await datapath.inventory(), 'namespaces', routerNamespace(router.id), false);
    await datapath.deleteNetwork(internal.spec.id);
    await datapath.deleteNetwork(external.spec.id);
  },
} satisfies ContractCases<DatapathHarness, string>;

export type DatapathContractCase = keyof typeof CASES;

/** Declares `Datapath contract: <name>`, one test per case, each on a fresh harness. */
export function describeDatapathContract(name: string, create: () => Promise<DatapathHarness>, options?: ContractOptions<DatapathContractCase>): void {
  describeContract(`Datapath contract: ${name}`, CASES, create, options);
}
