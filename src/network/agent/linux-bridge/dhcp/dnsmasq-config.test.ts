import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhcpMetadataSubnets } from '../../datapath-spec.js';
import { networkFixture, portFixture } from '../../testing/datapath-fixtures.js';
import { dnsmasqArgs, dnsmasqFiles, hostsFile, optionsFile } from './dnsmasq-config.js';

const network = networkFixture('10.203.1', { dns: ['192.0.2.53', '192.0.2.54'], mtu: 1450 });
const subnet = network.spec.subnets[0]!;

test('one static range per DHCP subnet, the MTU forced, DHCP only', () => {
  const args = dnsmasqArgs(network.spec, 'ns-0123456789a', dnsmasqFiles('/state/dhcp/x'));
  assert.ok(args.includes(`--dhcp-range=set:subnet-${subnet.id},10.203.1.0,static,255.255.255.0,86400s`));
  assert.ok(args.includes('--dhcp-option-force=option:mtu,1450'));
  assert.ok(args.includes('--port=0'));
  assert.ok(args.includes('--interface=ns-0123456789a'));
  const withoutDhcp = { ...network.spec, subnets: [{ ...subnet, enable_dhcp: false }] };
  assert.equal(dnsmasqArgs(withoutDhcp, 'ns-0123456789a', dnsmasqFiles('/x')).filter((arg) => arg.startsWith('--dhcp-range')).length, 0);
});

test('a host line per fixed IP on a DHCP subnet, named as Neutron names it', () => {
  const port = portFixture(network, 10);
  const named = { ...portFixture(network, 11), dns_name: 'vm1' };
  const elsewhere = { ...portFixture(network, 12), fixed_ips: [{ subnet_id: '00000000-0000-4000-8000-000000000000', ip_address: '10.9.9.9' }] };
  assert.equal(
    hostsFile(network.spec, [named, port, elsewhere]),
    [`${port.mac_address},host-10-203-1-10.openstacklocal,10.203.1.10`, `${named.mac_address},vm1.openstacklocal,10.203.1.11`].sort().join('\n') + '\n',
  );
});

test('options carry the router, DNS servers and host routes with the default route among them', () => {
  const routed = { ...network.spec, subnets: [{ ...subnet, host_routes: [{ destination: '172.16.0.0/16', nexthop: '10.203.1.254' }] }] };
  const tag = `tag:subnet-${subnet.id}`;
  assert.deepEqual(optionsFile(routed).trim().split('\n'), [
    `${tag},option:dns-server,192.0.2.53,192.0.2.54`,
    `${tag},option:classless-static-route,172.16.0.0/16,10.203.1.254,0.0.0.0/0,10.203.1.1`,
    `${tag},249,172.16.0.0/16,10.203.1.254,0.0.0.0/0,10.203.1.1`,
    `${tag},option:router,10.203.1.1`,
  ]);
});

test("the guests of the subnets served metadata here get 169.254.169.254 through the DHCP port, the default route staying; a routed subnet's go by their router", () => {
  const tag = `tag:subnet-${subnet.id}`;
  const lines = optionsFile(network.spec, dhcpMetadataSubnets(network.spec, false)).trim().split('\n');
  assert.ok(lines.includes(`${tag},option:classless-static-route,169.254.169.254/32,10.203.1.2,0.0.0.0/0,10.203.1.1`));
  assert.ok(lines.includes(`${tag},249,169.254.169.254/32,10.203.1.2,0.0.0.0/0,10.203.1.1`));
  assert.ok(!optionsFile(network.spec).includes('169.254.169.254'), 'no metadata route without the proxy');
  const routed = { ...network.spec, subnets: [{ ...subnet, isolated: false }] };
  assert.deepEqual(dhcpMetadataSubnets(routed, false), []);
  assert.deepEqual(optionsFile(routed, dhcpMetadataSubnets(routed, false)).trim().split('\n'), [`${tag},option:dns-server,192.0.2.53,192.0.2.54`, `${tag},option:router,10.203.1.1`]);
  // force_metadata: the DHCP namespace serves the routed subnet too.
  assert.ok(optionsFile(routed, dhcpMetadataSubnets(routed, true)).includes(`${tag},option:classless-static-route,169.254.169.254/32,10.203.1.2,0.0.0.0/0,10.203.1.1`));
});
