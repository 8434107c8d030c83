import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, create, fault, memberOf, withNetworkApi, type Call } from '../../testing/network-api-fixture.js';

type Json = Record<string, unknown>;

async function networkWithSubnet(call: Call, cidr = '10.0.0.0/24'): Promise<{ network: Json; subnet: Json }> {
  const network = await create(call, 'networks', 'network', { name: 'private' });
  const subnet = await create(call, 'subnets', 'subnet', { network_id: network['id'], ip_version: 4, cidr, name: 'private-subnet' });
  return { network, subnet };
}

describe('subnet routes', () => {
  test('defaults: the first address is the gateway, the pool the rest; the network lists the subnet', () =>
    withNetworkApi(async (call) => {
      const { network, subnet } = await networkWithSubnet(call);
      assert.equal(subnet['gateway_ip'], '10.0.0.1');
      assert.deepEqual(subnet['allocation_pools'], [{ start: '10.0.0.2', end: '10.0.0.254' }]);
      assert.equal(subnet['enable_dhcp'], true);
      assert.equal(subnet['ip_version'], 4);
      assert.deepEqual(subnet['dns_nameservers'], []);
      const shown = (await call('GET', `/v2.0/networks/${String(network['id'])}`)).json['network'] as Json;
      assert.deepEqual(shown['subnets'], [subnet['id']]);
      const v6 = await create(call, 'subnets', 'subnet', { network_id: network['id'], ip_version: 6, cidr: 'fd00:1::/64', ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' });
      assert.equal(v6['gateway_ip'], 'fd00:1::1');
    }));

  test('bad subnets are 400 and leave nothing: overlap, host bits, version mismatch, pool outside, bad DNS', () =>
    withNetworkApi(async (call) => {
      const { network } = await networkWithSubnet(call);
      const bad = async (body: Json, type = 'InvalidInput') => {
        const reply = await call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, ...body } } });
        assert.equal(reply.status, 400, JSON.stringify(reply.json));
        assert.equal(fault(reply).type, type);
        return fault(reply).message;
      };
      assert.match(await bad({ cidr: '10.0.0.128/25' }), /overlaps with another subnet/);
      assert.match(await bad({ cidr: '10.1.0.1/24' }), /'10\.1\.0\.0\/24' is recommended/);
      await bad({ cidr: 'fd00::/64' });
      await bad({ cidr: '10.2.0.0/24', allocation_pools: [{ start: '10.2.0.10', end: '10.3.0.20' }] }, 'OutOfBoundsAllocationPool');
      await bad({ cidr: '10.2.0.0/24', dns_nameservers: ['8.8.8.8', '8.8.8.8'] });
      await bad({ cidr: '10.2.0.0/24', gateway_ip: '10.9.9.9' });
      const conflict = await call('POST', '/v2.0/subnets', {
        body: { subnet: { network_id: network['id'], ip_version: 4, cidr: '10.2.0.0/24', gateway_ip: '10.2.0.5', allocation_pools: [{ start: '10.2.0.2', end: '10.2.0.9' }] } },
      });
      assert.equal(conflict.status, 409);
      assert.equal(((await call('GET', '/v2.0/subnets')).json['subnets'] as unknown[]).length, 1);
    }));

  test("a subnet on another project's network is 404 NetworkNotFound; on a shared one it is allowed", () =>
    withNetworkApi(async (call) => {
      const { network } = await networkWithSubnet(call);
      const refused = await call('POST', '/v2.0/subnets', { body: { subnet: { network_id: network['id'], ip_version: 4, cidr: '10.5.0.0/24' } }, as: memberOf('other') });
      assert.equal(refused.status, 404);
      assert.equal(fault(refused).type, 'NetworkNotFound');
      assert.equal(((await call('GET', '/v2.0/subnets', { as: memberOf('other') })).json['subnets'] as unknown[]).length, 0);
    }));
});

describe('port routes', () => {
  test('a port gets a MAC, an address from the pool, the default group, status DOWN; the default group is made once', () =>
    withNetworkApi(async (call) => {
      const { network, subnet } = await networkWithSubnet(call);
      const port = await create(call, 'ports', 'port', { network_id: network['id'], name: 'p1' });
      assert.match(String(port['mac_address']), /^fa:16:3e(:[0-9a-f]{2}){3}$/);
      assert.equal(port['status'], 'DOWN');
      const fixed = port['fixed_ips'] as { subnet_id: string; ip_address: string }[];
      assert.equal(fixed.length, 1);
      assert.equal(fixed[0]?.subnet_id, subnet['id']);
      assert.match(fixed[0]?.ip_address ?? '', /^10\.0\.0\.\d+$/);
      assert.equal(port['binding:vnic_type'], 'normal');
      assert.ok(!('binding:vif_type' in port), 'binding details are admin-only');
      const groups = (await call('GET', '/v2.0/security-groups')).json['security_groups'] as Json[];
      assert.deepEqual(groups.map((group) => group['name']), ['default']);
      assert.deepEqual(port['security_groups'], [groups[0]?.['id']]);
      const rules = groups[0]?.['security_group_rules'] as Json[];
      assert.deepEqual(rules.map((rule) => `${String(rule['direction'])} ${String(rule['ethertype'])} ${rule['remote_group_id'] === null ? 'any' : 'group'}`).sort(), [
        'egress IPv4 any',
        'egress IPv6 any',
        'ingress IPv4 group',
        'ingress IPv6 group',
      ]);
      const bound = await call('PUT', `/v2.0/ports/${String(port['id'])}`, { body: { port: { 'binding:host_id': 'compute-1' } }, as: ADMIN });
      assert.equal((bound.json['port'] as Json)['binding:vif_type'], 'bridge');
    }));

  test('fixed IPs: outside the subnet 400, in use 409, a MAC in use 409; delete frees the address', () =>
    withNetworkApi(async (call) => {
      const { network, subnet } = await networkWithSubnet(call);
      const port = await create(call, 'ports', 'port', { network_id: network['id'], fixed_ips: [{ subnet_id: subnet['id'], ip_address: '10.0.0.50' }] }, ADMIN);
      const outside = await call('POST', '/v2.0/ports', { body: { port: { network_id: network['id'], fixed_ips: [{ subnet_id: subnet['id'], ip_address: '10.9.0.5' }] } }, as: ADMIN });
      assert.equal(outside.status, 400);
      assert.equal(fault(outside).type, 'InvalidIpForSubnet');
      const inUse = await call('POST', '/v2.0/ports', { body: { port: { network_id: network['id'], fixed_ips: [{ ip_address: '10.0.0.50' }] } }, as: ADMIN });
      assert.equal(inUse.status, 409);
      assert.equal(fault(inUse).type, 'IpAddressAlreadyAllocated');
      const macInUse = await call('POST', '/v2.0/ports', { body: { port: { network_id: network['id'], mac_address: port['mac_address'] } }, as: ADMIN });
      assert.equal(macInUse.status, 409);
      assert.equal(fault(macInUse).type, 'MacAddressInUse');
      assert.equal(((await call('GET', '/v2.0/ports', { as: ADMIN })).json['ports'] as unknown[]).length, 1, 'refused requests left no port');
      const member = await call('POST', '/v2.0/ports', { body: { port: { network_id: network['id'], fixed_ips: [{ ip_address: '10.0.0.60' }] } }, as: memberOf('other') });
      assert.equal(member.status, 404, 'the network is not theirs');
      assert.equal((await call('DELETE', `/v2.0/ports/${String(port['id'])}`, { as: ADMIN })).status, 204);
      const again = await create(call, 'ports', 'port', { network_id: network['id'], fixed_ips: [{ ip_address: '10.0.0.50' }] }, ADMIN);
      assert.deepEqual(again['fixed_ips'], [{ subnet_id: subnet['id'], ip_address: '10.0.0.50' }]);
      const filtered = await call('GET', '/v2.0/ports?fixed_ips=ip_address%3D10.0.0.50', { as: ADMIN });
      assert.equal((filtered.json['ports'] as unknown[]).length, 1);
    }));

  test("deleting a network with ports is 409 NetworkInUse; another project's port is 404", () =>
    withNetworkApi(async (call) => {
      const { network } = await networkWithSubnet(call);
      const port = await create(call, 'ports', 'port', { network_id: network['id'] });
      const inUse = await call('DELETE', `/v2.0/networks/${String(network['id'])}`);
      assert.equal(inUse.status, 409);
      assert.equal(fault(inUse).type, 'NetworkInUse');
      assert.equal((await call('GET', `/v2.0/ports/${String(port['id'])}`, { as: memberOf('other') })).status, 404);
      assert.equal((await call('DELETE', `/v2.0/ports/${String(port['id'])}`)).status, 204);
      assert.equal((await call('DELETE', `/v2.0/networks/${String(network['id'])}`)).status, 204);
      assert.equal(((await call('GET', '/v2.0/subnets', { as: ADMIN })).json['subnets'] as unknown[]).length, 0, 'subnets go with their network');
    }));

  test('listing ports by network_id and device_id: each filter, both, and several values; a member still sees only its own', () =>
    withNetworkApi(async (call) => {
      const first = await networkWithSubnet(call);
      const second = await networkWithSubnet(call);
      const onFirst = await create(call, 'ports', 'port', { network_id: first.network['id'], device_id: 'vm-1' });
      const onSecond = await create(call, 'ports', 'port', { network_id: second.network['id'], device_id: 'vm-1' });
      await create(call, 'ports', 'port', { network_id: second.network['id'], device_id: 'vm-2' });
      const ids = async (query: string, as = ADMIN) => ((await call('GET', `/v2.0/ports?${query}`, { as })).json['ports'] as Json[]).map((port) => port['id']).sort();
      assert.deepEqual(await ids(`network_id=${String(first.network['id'])}`), [onFirst['id']]);
      assert.equal((await ids(`network_id=${String(second.network['id'])}`)).length, 2);
      assert.deepEqual(await ids(`network_id=${String(second.network['id'])}&device_id=vm-1`), [onSecond['id']]);
      assert.deepEqual(await ids(`network_id=${String(first.network['id'])}&network_id=${String(second.network['id'])}&device_id=vm-1`), [onFirst['id'], onSecond['id']].sort());
      assert.deepEqual(await ids(`network_id=${String(first.network['id'])}`, memberOf('other')), [], "another project's ports stay unseen");
    }));

  test('bulk create: a list under the collection key makes them all (201 with the list), or none when one fails', () =>
    withNetworkApi(async (call) => {
      const { network } = await networkWithSubnet(call);
      const bulk = await call('POST', '/v2.0/ports', { body: { ports: [{ network_id: network['id'], name: 'a' }, { network_id: network['id'], name: 'b' }] } });
      assert.equal(bulk.status, 201, JSON.stringify(bulk.json));
      const made = bulk.json['ports'] as Json[];
      assert.deepEqual(made.map((port) => port['name']), ['a', 'b']);
      assert.notEqual(made[0]?.['mac_address'], made[1]?.['mac_address']);
      const inUse = (made[0]?.['fixed_ips'] as { ip_address: string }[])[0]?.ip_address;
      const clash = await call('POST', '/v2.0/ports', {
        body: { ports: [{ network_id: network['id'], name: 'c' }, { network_id: network['id'], name: 'd', fixed_ips: [{ ip_address: inUse }] }] },
      });
      assert.equal(clash.status, 409, JSON.stringify(clash.json));
      const names = ((await call('GET', '/v2.0/ports')).json['ports'] as Json[]).map((port) => port['name']).sort();
      assert.deepEqual(names, ['a', 'b'], 'the port made before the failure was deleted');
      assert.equal((await call('POST', '/v2.0/ports', { body: { ports: [] } })).status, 400);
      assert.equal((await call('POST', '/v2.0/ports', { body: { port: { network_id: network['id'] }, ports: [{ network_id: network['id'] }] } })).status, 400);
      const networks = await call('POST', '/v2.0/networks', { body: { networks: [{ name: 'n1' }, { name: 'n2' }] } });
      assert.deepEqual((networks.json['networks'] as Json[]).map((made) => made['status']), ['ACTIVE', 'ACTIVE']);
    }));

  test('address pairs need port security; security groups need it too', () =>
    withNetworkApi(async (call) => {
      const { network } = await networkWithSubnet(call);
      const port = await create(call, 'ports', 'port', { network_id: network['id'], allowed_address_pairs: [{ ip_address: '10.0.0.200' }] }, ADMIN);
      assert.deepEqual(port['allowed_address_pairs'], [{ ip_address: '10.0.0.200', mac_address: port['mac_address'] }]);
      const off = await call('PUT', `/v2.0/ports/${String(port['id'])}`, { body: { port: { port_security_enabled: false } }, as: ADMIN });
      assert.equal(off.status, 409);
      assert.equal(fault(off).type, 'AddressPairAndPortSecurityRequired');
      const cleared = await call('PUT', `/v2.0/ports/${String(port['id'])}`, { body: { port: { port_security_enabled: false, allowed_address_pairs: [], security_groups: [] } }, as: ADMIN });
      assert.equal(cleared.status, 200, JSON.stringify(cleared.json));
      assert.deepEqual((cleared.json['port'] as Json)['security_groups'], []);
    }));
});
