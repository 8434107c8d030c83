import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, create, fault, memberOf, withNetworkApi, type Call } from '../../testing/network-api-fixture.js';

type Json = Record<string, unknown>;

/** DevStack's topology: `public` (external, flat) with a subnet, `private` with a subnet, both in reach of one router. */
async function topology(call: Call): Promise<{ publicNet: Json; privateNet: Json; privateSubnet: Json; router: Json }> {
  const publicNet = await create(call, 'networks', 'network', { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'public' }, ADMIN);
  await create(call, 'subnets', 'subnet', { network_id: publicNet['id'], ip_version: 4, cidr: '172.24.4.0/24', enable_dhcp: false }, ADMIN);
  const privateNet = await create(call, 'networks', 'network', { name: 'private' });
  const privateSubnet = await create(call, 'subnets', 'subnet', { network_id: privateNet['id'], ip_version: 4, cidr: '10.0.0.0/24' });
  const router = await create(call, 'routers', 'router', { name: 'router1', external_gateway_info: { network_id: publicNet['id'] } });
  return { publicNet, privateNet, privateSubnet, router };
}

describe('security group routes', () => {
  test('rules: bad protocol or port range is 400, a duplicate 409; a group in use cannot be deleted (409)', () =>
    withNetworkApi(async (call) => {
      const group = await create(call, 'security-groups', 'security_group', { name: 'web' });
      assert.equal((group['security_group_rules'] as unknown[]).length, 2, 'egress IPv4 and IPv6');
      const rule = { security_group_id: group['id'], direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80 };
      const made = await create(call, 'security-group-rules', 'security_group_rule', rule);
      assert.equal(made['ethertype'], 'IPv4');
      const bad = async (body: Json, type: string, status = 400) => {
        const reply = await call('POST', '/v2.0/security-group-rules', { body: { security_group_rule: { security_group_id: group['id'], direction: 'ingress', ...body } } });
        assert.equal(reply.status, status, JSON.stringify(reply.json));
        assert.equal(fault(reply).type, type);
      };
      await bad({ protocol: 'tcp', port_range_min: 80, port_range_max: 80 }, 'SecurityGroupRuleExists', 409);
      await bad({ protocol: 'bogus' }, 'SecurityGroupRuleInvalidProtocol');
      await bad({ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, 'SecurityGroupInvalidPortRange');
      await bad({ protocol: 'udp', port_range_min: 0, port_range_max: 70000 }, 'SecurityGroupInvalidPortValue');
      await bad({ port_range_min: 22, port_range_max: 22 }, 'SecurityGroupProtocolRequiredWithPorts');
      await bad({ protocol: 'icmp', port_range_min: 300 }, 'SecurityGroupInvalidIcmpValue');
      await bad({ protocol: 'gre', port_range_min: 1, port_range_max: 2 }, 'SecurityGroupInvalidProtocolForPortRange');
      await bad({ remote_ip_prefix: 'fd00::/8' }, 'SecurityGroupRuleParameterConflict');
      const icmp = await create(call, 'security-group-rules', 'security_group_rule', { security_group_id: group['id'], direction: 'ingress', protocol: 'icmp' });
      assert.equal(icmp['protocol'], 'icmp');
      const shown = (await call('GET', `/v2.0/security-groups/${String(group['id'])}`)).json['security_group'] as Json;
      assert.equal((shown['security_group_rules'] as unknown[]).length, 4);

      const network = await create(call, 'networks', 'network', {});
      await create(call, 'subnets', 'subnet', { network_id: network['id'], ip_version: 4, cidr: '10.0.0.0/24' });
      const port = await create(call, 'ports', 'port', { network_id: network['id'], security_groups: [group['id']] });
      const inUse = await call('DELETE', `/v2.0/security-groups/${String(group['id'])}`);
      assert.equal(inUse.status, 409);
      assert.equal(fault(inUse).type, 'SecurityGroupInUse');
      assert.equal((await call('DELETE', `/v2.0/ports/${String(port['id'])}`)).status, 204);
      assert.equal((await call('DELETE', `/v2.0/security-groups/${String(group['id'])}`)).status, 204);
      assert.equal((await call('GET', `/v2.0/security-group-rules/${String(made['id'])}`)).status, 404, 'rules go with their group');
    }));

  test("another project's group is 404, also to a rule naming it; the default group cannot be deleted by its project", () =>
    withNetworkApi(async (call) => {
      const group = await create(call, 'security-groups', 'security_group', { name: 'mine' });
      assert.equal((await call('GET', `/v2.0/security-groups/${String(group['id'])}`, { as: memberOf('other') })).status, 404);
      const foreign = await call('POST', '/v2.0/security-group-rules', { body: { security_group_rule: { security_group_id: group['id'], direction: 'ingress' } }, as: memberOf('other') });
      assert.equal(foreign.status, 404);
      const defaults = ((await call('GET', '/v2.0/security-groups?name=default')).json['security_groups'] as Json[])[0];
      const refused = await call('DELETE', `/v2.0/security-groups/${String(defaults?.['id'])}`);
      assert.equal(refused.status, 409);
      assert.equal(fault(refused).type, 'SecurityGroupCannotRemoveDefault');
      // Listed by id (as Nova names its servers' groups): those asked for, only where the caller sees them.
      const byId = async (ids: readonly unknown[], as = memberOf('demo')) => {
        const query = [...ids.map((id) => `id=${String(id)}`), 'fields=id', 'fields=name'].join('&');
        return ((await call('GET', `/v2.0/security-groups?${query}`, { as })).json['security_groups'] as Json[]).map((g) => g['name']).sort();
      };
      assert.deepEqual(await byId([group['id'], defaults?.['id']]), ['default', 'mine']);
      assert.deepEqual(await byId([group['id']], memberOf('other')), []);
    }));

  test('no group may be named default but the default one, on create or rename, in any case; the default group keeps its name', () =>
    withNetworkApi(async (call) => {
      const group = await create(call, 'security-groups', 'security_group', { name: 'mine' });
      for (const name of ['default', 'Default']) {
        const renamed = await call('PUT', `/v2.0/security-groups/${String(group['id'])}`, { body: { security_group: { name } } });
        assert.equal(renamed.status, 409);
        assert.equal(fault(renamed).type, 'SecurityGroupDefaultAlreadyExists');
        assert.equal(fault(await call('POST', '/v2.0/security-groups', { body: { security_group: { name } } })).type, 'SecurityGroupDefaultAlreadyExists');
      }
      const defaults = ((await call('GET', '/v2.0/security-groups?name=default')).json['security_groups'] as Json[])[0];
      const kept = await call('PUT', `/v2.0/security-groups/${String(defaults?.['id'])}`, { body: { security_group: { name: 'mine-now' } } });
      assert.equal(fault(kept).type, 'SecurityGroupCannotUpdateDefault');
      const names = ((await call('GET', '/v2.0/security-groups')).json['security_groups'] as Json[]).map((g) => g['name']).sort();
      assert.deepEqual(names, ['default', 'mine']);
    }));
});

describe('router and floating IP routes', () => {
  test('a gateway on the external network, one interface per subnet (a second is 400), RouterInUse until removed', () =>
    withNetworkApi(async (call) => {
      const { privateSubnet, router } = await topology(call);
      const gateway = router['external_gateway_info'] as { enable_snat: boolean; external_fixed_ips: { ip_address: string }[] };
      assert.equal(gateway.enable_snat, true);
      assert.match(gateway.external_fixed_ips[0]?.ip_address ?? '', /^172\.24\.4\.\d+$/);
      const path = `/v2.0/routers/${String(router['id'])}`;
      const added = await call('PUT', `${path}/add_router_interface`, { body: { subnet_id: privateSubnet['id'] } });
      assert.equal(added.status, 200, JSON.stringify(added.json));
      assert.deepEqual(added.json['subnet_ids'], [privateSubnet['id']]);
      const port = (await call('GET', `/v2.0/ports/${String(added.json['port_id'])}`)).json['port'] as Json;
      assert.equal(port['device_owner'], 'network:router_interface');
      assert.deepEqual(port['fixed_ips'], [{ subnet_id: privateSubnet['id'], ip_address: '10.0.0.1' }]);
      const second = await call('PUT', `${path}/add_router_interface`, { body: { subnet_id: privateSubnet['id'] } });
      assert.equal(second.status, 400);
      assert.match(fault(second).message, /already has a port on subnet/);
      assert.equal((await call('DELETE', `/v2.0/ports/${String(added.json['port_id'])}`)).status, 409, 'an interface port goes through the router');
      const inUse = await call('DELETE', path);
      assert.equal(inUse.status, 409);
      assert.equal(fault(inUse).type, 'RouterInUse');
      assert.equal((await call('PUT', `${path}/remove_router_interface`, { body: { subnet_id: privateSubnet['id'] } })).status, 200);
      assert.equal((await call('DELETE', path)).status, 204);
      const left = (await call('GET', '/v2.0/ports', { as: ADMIN })).json['ports'] as unknown[];
      assert.equal(left.length, 0, 'gateway and interface ports went with the router');
    }));

  test('an empty external_gateway_info ({}, what Tempest and the clients send) means no gateway, on create and on update', () =>
    withNetworkApi(async (call) => {
      const { publicNet } = await topology(call);
      const bare = await create(call, 'routers', 'router', { name: 'bare', external_gateway_info: {} });
      assert.equal(bare['external_gateway_info'], null);
      const path = `/v2.0/routers/${String(bare['id'])}`;
      const set = await call('PUT', path, { body: { router: { external_gateway_info: { network_id: publicNet['id'], enable_snat: false } } }, as: ADMIN });
      assert.equal(((set.json['router'] as Json)['external_gateway_info'] as Json)['enable_snat'], false);
      const cleared = await call('PUT', path, { body: { router: { external_gateway_info: {} } } });
      assert.equal(cleared.status, 200, JSON.stringify(cleared.json));
      assert.equal((cleared.json['router'] as Json)['external_gateway_info'], null);
      const gateways = (await call('GET', `/v2.0/ports?device_id=${String(bare['id'])}`, { as: ADMIN })).json['ports'] as unknown[];
      assert.equal(gateways.length, 0, 'the gateway port went with the gateway');
    }));

  test('floating IPs: only from an external network (400), associated through a router, disassociated, deleted', () =>
    withNetworkApi(async (call) => {
      const { publicNet, privateNet, privateSubnet, router } = await topology(call);
      const notExternal = await call('POST', '/v2.0/floatingips', { body: { floatingip: { floating_network_id: privateNet['id'] } } });
      assert.equal(notExternal.status, 400);
      assert.match(fault(notExternal).message, /is not a valid external network/);
      const port = await create(call, 'ports', 'port', { network_id: privateNet['id'] });
      const unreachable = await call('POST', '/v2.0/floatingips', { body: { floatingip: { floating_network_id: publicNet['id'], port_id: port['id'] } } });
      assert.equal(unreachable.status, 404);
      assert.equal(fault(unreachable).type, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(((await call('GET', '/v2.0/floatingips')).json['floatingips'] as unknown[]).length, 0, 'the refused request left no floating IP');
      await call('PUT', `/v2.0/routers/${String(router['id'])}/add_router_interface`, { body: { subnet_id: privateSubnet['id'] } });
      const floating = await create(call, 'floatingips', 'floatingip', { floating_network_id: publicNet['id'], port_id: port['id'] });
      assert.match(String(floating['floating_ip_address']), /^172\.24\.4\.\d+$/);
      assert.equal(floating['router_id'], router['id']);
      assert.equal(floating['fixed_ip_address'], (port['fixed_ips'] as { ip_address: string }[])[0]?.ip_address);
      const path = `/v2.0/floatingips/${String(floating['id'])}`;
      const detached = await call('PUT', path, { body: { floatingip: { port_id: null } } });
      assert.equal((detached.json['floatingip'] as Json)['port_id'], null);
      assert.equal((await call('GET', path, { as: memberOf('other') })).status, 404);
      assert.equal((await call('DELETE', path)).status, 204);
      const ports = (await call('GET', `/v2.0/ports?network_id=${String(publicNet['id'])}`, { as: ADMIN })).json['ports'] as Json[];
      assert.deepEqual(ports.map((p) => p['device_owner']), ['network:router_gateway'], "the floating IP's port went with it");
    }));

  test("deleting an external network deletes the floating IPs no port holds; a router's gateway keeps it in use (409)", () =>
    withNetworkApi(async (call) => {
      const { publicNet, privateNet, privateSubnet, router } = await topology(call);
      await call('PUT', `/v2.0/routers/${String(router['id'])}/add_router_interface`, { body: { subnet_id: privateSubnet['id'] } });
      const port = await create(call, 'ports', 'port', { network_id: privateNet['id'] });
      const held = await create(call, 'floatingips', 'floatingip', { floating_network_id: publicNet['id'], port_id: port['id'] });
      const free = await create(call, 'floatingips', 'floatingip', { floating_network_id: publicNet['id'] });
      const publicPath = `/v2.0/networks/${String(publicNet['id'])}`;
      const inUse = await call('DELETE', publicPath, { as: ADMIN });
      assert.equal(fault(inUse).type, 'NetworkInUse');
      assert.equal((await call('GET', `/v2.0/floatingips/${String(free['id'])}`)).status, 200, 'a refused delete changes nothing');
      assert.equal((await call('PUT', `/v2.0/floatingips/${String(held['id'])}`, { body: { floatingip: { port_id: null } } })).status, 200);
      const cleared = await call('PUT', `/v2.0/routers/${String(router['id'])}`, { body: { router: { external_gateway_info: null } }, as: ADMIN });
      assert.equal(cleared.status, 200, JSON.stringify(cleared.json));
      assert.equal((await call('DELETE', publicPath, { as: ADMIN })).status, 204);
      assert.deepEqual((await call('GET', '/v2.0/floatingips', { as: ADMIN })).json['floatingips'], []);
      const left = (await call('GET', '/v2.0/ports', { as: ADMIN })).json['ports'] as Json[];
      assert.deepEqual(left.map((p) => p['network_id']).filter((net) => net === publicNet['id']), [], 'their ports went with them');
    }));
});

describe('quota and extension routes', () => {
  test('a project reads its own quota and details; only an administrator sets and resets them', () =>
    withNetworkApi(async (call) => {
      await create(call, 'networks', 'network', {});
      assert.deepEqual((await call('GET', '/v2.0/quotas/demo')).json['quota'], {
        network: 100,
        subnet: 100,
        port: 500,
        router: 10,
        floatingip: 50,
        security_group: 10,
        security_group_rule: 100,
      });
      const details = (await call('GET', '/v2.0/quotas/demo/details')).json['quota'] as Record<string, Json>;
      assert.deepEqual(details['network'], { limit: 100, used: 1, reserved: 0 });
      assert.deepEqual((await call('GET', '/v2.0/quotas/demo/details.json')).json['quota'], details, "Neutron's format suffix");
      assert.equal((await call('GET', '/v2.0/quotas/other')).status, 403);
      assert.equal((await call('PUT', '/v2.0/quotas/demo', { body: { quota: { network: 1 } } })).status, 403);
      assert.equal((await call('PUT', '/v2.0/quotas/demo', { body: { quota: { bogus: 1 } }, as: ADMIN })).status, 400);
      const set = await call('PUT', '/v2.0/quotas/demo', { body: { quota: { network: 1 } }, as: ADMIN });
      assert.equal((set.json['quota'] as Json)['network'], 1);
      const over = await call('POST', '/v2.0/networks', { body: { network: {} } });
      assert.equal(fault(over).type, 'OverQuota');
      assert.deepEqual(((await call('GET', '/v2.0/quotas', { as: ADMIN })).json['quotas'] as Json[]).map((q) => q['project_id']), ['demo']);
      assert.equal((await call('DELETE', '/v2.0/quotas/demo', { as: ADMIN })).status, 204);
      assert.equal(((await call('GET', '/v2.0/quotas/demo')).json['quota'] as Json)['network'], 100);
    }));

  test("a project's default security group counts in its quota usage from its first network on", () =>
    withNetworkApi(async (call) => {
      const used = async () => ((await call('GET', '/v2.0/quotas/demo/details')).json['quota'] as Record<string, Json>)['security_group'];
      assert.deepEqual(await used(), { limit: 10, used: 0, reserved: 0 });
      await create(call, 'networks', 'network', { name: 'private' });
      assert.deepEqual(await used(), { limit: 10, used: 1, reserved: 0 }, 'the network made the default group, as Neutron does');
      const groups = (await call('GET', '/v2.0/security-groups')).json['security_groups'] as Json[];
      assert.deepEqual(groups.map((group) => group['name']), ['default']);
    }));

  test('extensions list what is implemented; an unknown alias is 404', () =>
    withNetworkApi(async (call) => {
      const aliases = ((await call('GET', '/v2.0/extensions')).json['extensions'] as Json[]).map((ext) => ext['alias']);
      for (const alias of ['external-net', 'router', 'security-group', 'quotas', 'standard-attr-tag', 'binding', 'provider']) assert.ok(aliases.includes(alias), alias);
      assert.equal((await call('GET', '/v2.0/extensions/router')).status, 200);
      assert.equal((await call('GET', '/v2.0/extensions/dvr')).status, 404);
    }));
});
