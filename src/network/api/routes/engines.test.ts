import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../../test/support/databases.js';
import { ADMIN, memberOf, withNetworkApi } from '../../testing/network-api-fixture.js';

type Json = Record<string, unknown>;

// The main flow on every engine: booleans, bigints and JSON columns read back alike, and the
// shared/external visibility query works on each.
for (const dialect of DIALECTS) {
  describe(`network API on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('network, subnet, port, router with gateway and interface, floating IP; a shared network seen by others', () =>
      withNetworkApi(
        async (call) => {
          const post = async (collection: string, member: string, body: Json, as = memberOf('demo')) => {
            const reply = await call('POST', `/v2.0/${collection}`, { body: { [member]: body }, as });
            assert.equal(reply.status, 201, JSON.stringify(reply.json));
            return reply.json[member] as Json;
          };
          const external = await post('networks', 'network', { name: 'public', 'router:external': true, shared: true }, ADMIN);
          assert.equal(external['router:external'], true);
          await post('subnets', 'subnet', { network_id: external['id'], ip_version: 4, cidr: '172.24.4.0/24' }, ADMIN);
          const network = await post('networks', 'network', { name: 'private' });
          assert.equal(network['admin_state_up'], true);
          const subnet = await post('subnets', 'subnet', { network_id: network['id'], ip_version: 4, cidr: '10.0.0.0/24', dns_nameservers: ['10.0.0.53'] });
          assert.deepEqual(subnet['dns_nameservers'], ['10.0.0.53']);
          const port = await post('ports', 'port', { network_id: network['id'] });
          assert.equal(port['port_security_enabled'], true);
          const router = await post('routers', 'router', { external_gateway_info: { network_id: external['id'] } });
          assert.equal((await call('PUT', `/v2.0/routers/${String(router['id'])}/add_router_interface`, { body: { subnet_id: subnet['id'] } })).status, 200);
          const floating = await post('floatingips', 'floatingip', { floating_network_id: external['id'], port_id: port['id'] });
          assert.equal(floating['router_id'], router['id']);
          const renamed = await call('PUT', `/v2.0/networks/${String(network['id'])}`, { body: { network: { name: 'p2' } } });
          assert.equal((renamed.json['network'] as Json)['revision_number'], 2, 'a subnet added, then a rename');
          const seen = (await call('GET', '/v2.0/networks', { as: memberOf('other') })).json['networks'] as Json[];
          assert.deepEqual(seen.map((n) => n['name']), ['public']);
        },
        { dialect },
      ));
  });
}
