import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, fault, memberOf, readerOf, withNetworkApi, type Call } from '../../testing/network-api-fixture.js';

const OTHER = memberOf('other');

async function createNetwork(call: Call, body: Record<string, unknown> = {}, as = memberOf('demo')): Promise<Record<string, unknown>> {
  const reply = await call('POST', '/v2.0/networks', { body: { network: { name: 'net', ...body } }, as });
  assert.equal(reply.status, 201, JSON.stringify(reply.json));
  return reply.json['network'] as Record<string, unknown>;
}

describe('network routes', () => {
  test("create and show: Neutron's attributes, a vxlan segment from the ranges hidden from members, MTU less VXLAN's overhead", () =>
    withNetworkApi(async (call) => {
      const network = await createNetwork(call, { description: 'd' });
      assert.equal(network['status'], 'ACTIVE');
      assert.equal(network['mtu'], 1450);
      assert.equal(network['shared'], false);
      assert.equal(network['router:external'], false);
      assert.equal(network['port_security_enabled'], true);
      assert.equal(network['project_id'], 'demo');
      assert.equal(network['tenant_id'], 'demo');
      assert.equal(network['revision_number'], 0);
      assert.deepEqual(network['tags'], []);
      assert.deepEqual(network['subnets'], []);
      assert.match(String(network['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(!('provider:network_type' in network), 'provider attributes are admin-only');
      const asAdmin = await call('GET', `/v2.0/networks/${String(network['id'])}`, { as: ADMIN });
      const shown = asAdmin.json['network'] as Record<string, unknown>;
      assert.equal(shown['provider:network_type'], 'vxlan');
      assert.equal(shown['provider:physical_network'], null);
      assert.ok(Number(shown['provider:segmentation_id']) >= 1 && Number(shown['provider:segmentation_id']) <= 1000);
    }));

  test('provider networks: flat once per physical network, vlan ids from the range or as asked (409 when taken), admin only', () =>
    withNetworkApi(async (call) => {
      const flat = await createNetwork(call, { 'provider:network_type': 'flat', 'provider:physical_network': 'public' }, ADMIN);
      assert.equal(flat['mtu'], 1500);
      const again = await call('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'public' } }, as: ADMIN });
      assert.equal(again.status, 409);
      assert.equal(fault(again).type, 'FlatNetworkInUse');
      const vlans = [];
      for (let index = 0; index < 3; index += 1) vlans.push((await createNetwork(call, { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1' }, ADMIN))['provider:segmentation_id']);
      assert.deepEqual([...vlans].sort(), [100, 101, 102]);
      const taken = await call('POST', '/v2.0/networks', {
        body: { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 101 } },
        as: ADMIN,
      });
      assert.equal(taken.status, 409);
      assert.equal(fault(taken).type, 'VlanIdInUse');
      const unknown = await call('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'gre' } }, as: ADMIN });
      assert.equal(unknown.status, 400);
      // ML2's type drivers: a VLAN id in 1-4094, a physical network [ml2_type_vlan] names, none for vxlan, no id for flat.
      for (const bad of [
        { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 0 },
        { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 4095 },
        { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet9', 'provider:segmentation_id': 101 },
        { 'provider:network_type': 'vlan' },
        { 'provider:network_type': 'vxlan', 'provider:physical_network': 'physnet1' },
        { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet2', 'provider:segmentation_id': 5 },
        { 'provider:physical_network': 'physnet1' },
      ]) {
        const refused = await call('POST', '/v2.0/networks', { body: { network: bad }, as: ADMIN });
        assert.equal(refused.status, 400, JSON.stringify(bad));
        assert.equal(fault(refused).type, 'InvalidInput', JSON.stringify(bad));
      }
      assert.match(fault(await call('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet9' } }, as: ADMIN })).message, /physical_network 'physnet9' unknown for VLAN provider network/);
      const member = await call('POST', '/v2.0/networks', { body: { network: { 'provider:network_type': 'vxlan' } } });
      assert.equal(member.status, 403);
      assert.equal(fault(member).type, 'PolicyNotAuthorized');
      const shared = await call('POST', '/v2.0/networks', { body: { network: { shared: true } } });
      assert.equal(shared.status, 403);
      const list = await call('GET', '/v2.0/networks', { as: ADMIN });
      assert.equal((list.json['networks'] as unknown[]).length, 4, 'refused requests left no network');
    }));

  test("another project's network is 404; shared and external ones are visible to all; a reader cannot create", () =>
    withNetworkApi(async (call) => {
      const mine = await createNetwork(call);
      const shared = await createNetwork(call, { name: 'shared', shared: true }, ADMIN);
      const external = await createNetwork(call, { name: 'public', 'router:external': true }, ADMIN);
      const notMine = await call('GET', `/v2.0/networks/${String(mine['id'])}`, { as: OTHER });
      assert.equal(notMine.status, 404);
      assert.equal(fault(notMine).type, 'NetworkNotFound');
      assert.equal((await call('DELETE', `/v2.0/networks/${String(mine['id'])}`, { as: OTHER })).status, 404);
      assert.equal((await call('PUT', `/v2.0/networks/${String(shared['id'])}`, { body: { network: { name: 'x' } }, as: OTHER })).status, 403);
      const listed = (await call('GET', '/v2.0/networks', { as: OTHER })).json['networks'] as Record<string, unknown>[];
      assert.deepEqual(listed.map((network) => network['name']).sort(), ['public', 'shared']);
      assert.equal(listed.find((network) => network['id'] === external['id'])?.['router:external'], true, 'router:external shows to every project');
      const filtered = (await call('GET', '/v2.0/networks?router:external=True', { as: OTHER })).json['networks'] as Record<string, unknown>[];
      assert.deepEqual(filtered.map((network) => [network['name'], network['router:external']]), [['public', true]]);
      assert.equal((await call('POST', '/v2.0/networks', { body: { network: {} }, as: readerOf('demo') })).status, 403);
    }));

  test('update bumps revision and updated_at; an unknown attribute is 400; delete is 204 then 404', () =>
    withNetworkApi(async (call) => {
      const network = await createNetwork(call);
      const path = `/v2.0/networks/${String(network['id'])}`;
      const updated = await call('PUT', path, { body: { network: { name: 'renamed', mtu: 1400 } } });
      assert.equal(updated.status, 200);
      assert.equal((updated.json['network'] as Record<string, unknown>)['name'], 'renamed');
      assert.equal((updated.json['network'] as Record<string, unknown>)['revision_number'], 1);
      assert.equal((await call('PUT', path, { body: { network: { mtu: 9000 } } })).status, 400);
      const unknown = await call('PUT', path, { body: { network: { colour: 'red' } } });
      assert.equal(unknown.status, 400);
      assert.equal(fault(unknown).type, 'HTTPBadRequest');
      assert.equal((await call('DELETE', path)).status, 204);
      assert.equal((await call('GET', path)).status, 404);
    }));

  test('filters, fields, sorting and limit/marker pages with networks_links', () =>
    withNetworkApi(async (call) => {
      for (const name of ['c', 'a', 'b', 'd']) await createNetwork(call, { name, admin_state_up: name !== 'd' });
      const down = await call('GET', '/v2.0/networks?admin_state_up=False&fields=name&fields=id');
      assert.deepEqual(down.json['networks'], [{ id: (down.json['networks'] as { id: string }[])[0]?.id, name: 'd' }]);
      const first = await call('GET', '/v2.0/networks?sort_key=name&sort_dir=asc&limit=2');
      assert.deepEqual((first.json['networks'] as { name: string }[]).map((network) => network.name), ['a', 'b']);
      const next = (first.json['networks_links'] as { rel: string; href: string }[]).find((link) => link.rel === 'next');
      assert.ok(next !== undefined);
      const nextPath = next.href.replace('http://cloud/network', '');
      const second = await call('GET', nextPath);
      assert.deepEqual((second.json['networks'] as { name: string }[]).map((network) => network.name), ['c', 'd']);
      assert.ok((second.json['networks_links'] as { rel: string }[]).some((link) => link.rel === 'previous'));
      const desc = await call('GET', '/v2.0/networks?sort_key=name&sort_dir=desc');
      assert.deepEqual((desc.json['networks'] as { name: string }[]).map((network) => network.name), ['d', 'c', 'b', 'a']);
      assert.equal((await call('GET', '/v2.0/networks?limit=x')).status, 400);
      assert.equal((await call('GET', '/v2.0/networks?sort_key=name&sort_dir=up')).status, 400);
    }));

  test('tags: set, add, check, remove; the tags filters; each change is a revision', () =>
    withNetworkApi(async (call) => {
      const network = await createNetwork(call);
      const base = `/v2.0/networks/${String(network['id'])}/tags`;
      assert.deepEqual((await call('PUT', base, { body: { tags: ['red', 'blue'] } })).json, { tags: ['blue', 'red'] });
      assert.equal((await call('PUT', `${base}/green`)).status, 201);
      assert.equal((await call('GET', `${base}/green`)).status, 204);
      assert.equal((await call('DELETE', `${base}/green`)).status, 204);
      const gone = await call('GET', `${base}/green`);
      assert.equal(gone.status, 404);
      assert.equal(fault(gone).type, 'TagNotFound');
      assert.equal(((await call('GET', '/v2.0/networks?tags=red,blue')).json['networks'] as unknown[]).length, 1);
      assert.equal(((await call('GET', '/v2.0/networks?not-tags-any=red')).json['networks'] as unknown[]).length, 0);
      const shown = (await call('GET', `/v2.0/networks/${String(network['id'])}`)).json['network'] as Record<string, unknown>;
      assert.deepEqual(shown['tags'], ['blue', 'red']);
      assert.equal(shown['revision_number'], 3);
      assert.equal((await call('GET', base, { as: OTHER })).status, 404);
    }));

  test('over quota: 409 OverQuota and no row', () =>
    withNetworkApi(
      async (call) => {
        await createNetwork(call);
        const over = await call('POST', '/v2.0/networks', { body: { network: {} } });
        assert.equal(over.status, 409);
        assert.equal(fault(over).type, 'OverQuota');
        assert.equal(((await call('GET', '/v2.0/networks')).json['networks'] as unknown[]).length, 1);
      },
      { network: { quota_network: 1 } },
    ));
});
