/**
 * Nova's deprecated network proxies (os-security-groups, os-security-group-rules,
 * os-floating-ips, os-floating-ip-pools, addFloatingIp/removeFloatingIp, os-networks,
 * os-tenant-networks) over the real network API: Nova's shapes, Neutron's state behind them, and
 * Nova's refusals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createComputeStores } from '../../db/compute-stores.js';
import { insertInstance } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';
import { DEMO, LONELY, withNetworkedCompute, type Topology } from '../../testing/networked-compute-app.js';

type Json = Record<string, unknown>;

const messageOf = (json: Json) => (Object.values(json)[0] as { message: string }).message;

/** An external network `public` and demo's router from it to net1's subnet. */
async function withExternal(net: Topology): Promise<{ publicId: string }> {
  const publicId = await net.made('/v2.0/networks', { network: { name: 'public', 'router:external': true } });
  await net.made('/v2.0/subnets', { subnet: { network_id: publicId, cidr: '172.24.4.0/28', ip_version: 4, enable_dhcp: false } });
  const router = await net.madeByDemo('/v2.0/routers', { router: { name: 'r1', external_gateway_info: { network_id: publicId } } });
  const subnets = (await net.read(`/v2.0/subnets?network_id=${net.net1}`))['subnets'] as { id: string }[];
  const response = await fetch(`${net.base}/v2.0/routers/${router}/add_router_interface`, {
    method: 'PUT',
    headers: { 'x-auth-token': 'demo-token', 'content-type': 'application/json' },
    body: JSON.stringify({ subnet_id: subnets[0]?.id }),
  });
  assert.equal(response.status, 200);
  return { publicId };
}

describe('compute routes: network proxies (until 2.35)', () => {
  test('os-security-groups and rules: create, show, list, update, rules from a CIDR and a group, delete; Nova refusals', () =>
    withNetworkedCompute(async ({ call }, net) => {
      const created = await call('POST', '/os-security-groups', { body: { security_group: { name: 'web', description: 'web servers' } }, as: DEMO });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      const group = created.json['security_group'] as Json;
      assert.deepEqual([group['name'], group['description'], group['tenant_id'], group['rules']], ['web', 'web servers', 'demo', []]);
      const id = String(group['id']);

      const ssh = await call('POST', '/os-security-group-rules', { body: { security_group_rule: { parent_group_id: id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' } }, as: DEMO });
      assert.equal(ssh.status, 200, JSON.stringify(ssh.json));
      const sshRule = ssh.json['security_group_rule'] as Json;
      assert.deepEqual(sshRule, { id: sshRule['id'], parent_group_id: id, ip_protocol: 'tcp', from_port: 22, to_port: 22, group: {}, ip_range: { cidr: '10.0.0.0/8' } });
      // The rule is Neutron's ingress rule underneath (Zed's new defaults show it to its project only, not to another project's admin).
      const neutronRule = (await readByDemo(net, `/v2.0/security-group-rules/${String(sshRule['id'])}`))['security_group_rule'] as Json;
      assert.deepEqual([neutronRule['direction'], neutronRule['port_range_min'], neutronRule['remote_ip_prefix']], ['ingress', 22, '10.0.0.0/8']);
      const fromGroup = await call('POST', '/os-security-group-rules', { body: { security_group_rule: { parent_group_id: id, ip_protocol: 'icmp', group_id: id } }, as: DEMO });
      assert.deepEqual((fromGroup.json['security_group_rule'] as Json)['group'], { name: 'web', tenant_id: 'demo' });
      assert.deepEqual([(fromGroup.json['security_group_rule'] as Json)['from_port'], (fromGroup.json['security_group_rule'] as Json)['to_port']], [-1, -1]);

      const shown = (await call('GET', `/os-security-groups/${id}`, { as: DEMO })).json['security_group'] as Json;
      assert.equal((shown['rules'] as unknown[]).length, 2, 'the ingress rules only, not the egress ones Neutron adds');
      const listed = (await call('GET', '/os-security-groups', { as: DEMO })).json['security_groups'] as Json[];
      assert.deepEqual(listed.map((g) => g['name']), ['default', 'web']);
      assert.deepEqual(((await call('GET', '/os-security-groups', { as: LONELY })).json['security_groups'] as Json[]).map((g) => g['name']), ['default'], 'another project sees only its own');
      const updated = await call('PUT', `/os-security-groups/${id}`, { body: { security_group: { name: 'www', description: 'd' } }, as: DEMO });
      assert.equal((updated.json['security_group'] as Json)['name'], 'www');

      const refusals: [string, string, unknown, number, string?][] = [
        ['GET', '/os-security-groups/not-a-uuid', undefined, 404, 'Security group not-a-uuid not found.'],
        ['DELETE', '/os-security-groups/12345', undefined, 404],
        ['DELETE', '/os-security-group-rules/12345', undefined, 404],
        ['GET', '/os-security-groups/3f1e0c1a-0000-4000-8000-00000000dead', undefined, 404],
        ['GET', `/os-security-groups/${id}`, undefined, 404],
        ['POST', '/os-security-groups', {}, 400, "The request body can't be empty"],
        ['POST', '/os-security-groups', { security_group: { description: 'no name' } }, 400],
        ['POST', '/os-security-groups', { security_group: { name: 'x'.repeat(256), description: '' } }, 400],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: id, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' } }, 400, `This rule already exists in group ${id}`],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: id, ip_protocol: 'tcp', from_port: 80, to_port: 22 } }, 400],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: id, ip_protocol: 'gre', from_port: 1, to_port: 2 } }, 400, 'Invalid IP protocol gre.'],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: id, cidr: '10.0.0.0/8' } }, 400, 'Not enough parameters to build a valid rule.'],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: id, ip_protocol: 'tcp', from_port: 1, to_port: 2, cidr: '10.0.0.0/0' } }, 400, 'Bad prefix for network in cidr 10.0.0.0/0'],
        ['POST', '/os-security-group-rules', { security_group_rule: { parent_group_id: 'nope' } }, 404, 'Security group nope not found.'],
      ];
      for (const [method, path, body, status, message] of refusals) {
        // The third row asks as another project: demo's group is not found for it.
        const reply = await call(method, path, { ...(body === undefined ? {} : { body }), as: path.endsWith(id) && method === 'GET' ? LONELY : DEMO });
        assert.equal(reply.status, status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.json)}`);
        if (message !== undefined) assert.equal(messageOf(reply.json), message);
      }
      const defaultGroup = listed.find((g) => g['name'] === 'default');
      assert.equal((await call('DELETE', `/os-security-groups/${String(defaultGroup?.['id'])}`, { as: DEMO })).status, 400, 'the default group stays');

      assert.equal((await call('DELETE', `/os-security-group-rules/${String(sshRule['id'])}`, { as: DEMO })).status, 202);
      assert.equal((await call('DELETE', `/os-security-group-rules/${String(sshRule['id'])}`, { as: DEMO })).status, 404);
      assert.equal((await call('DELETE', `/os-security-groups/${id}`, { as: DEMO })).status, 202);
      assert.equal((await call('GET', `/os-security-groups/${id}`, { as: DEMO })).status, 404);
      assert.equal((await call('GET', '/os-security-groups', { as: DEMO, version: '2.36' })).status, 404, 'gone from 2.36');
    }));

  test("a server's security groups in full, at every version", () =>
    withNetworkedCompute(async ({ call, db }, net) => {
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      await net.made('/v2.0/ports', { port: { network_id: net.net1, project_id: 'demo', device_id: uuid, device_owner: 'compute:nova' } });
      const reply = await call('GET', `/servers/${uuid}/os-security-groups`, { as: DEMO, version: '2.79' });
      assert.equal(reply.status, 200);
      const [group] = reply.json['security_groups'] as Json[];
      assert.equal(group?.['name'], 'default');
      // The default group lets in its own members: one rule per ethertype, named after the group.
      assert.ok((group?.['rules'] as Json[]).every((rule) => (rule['group'] as Json)['name'] === 'default'));
      assert.equal((await call('GET', `/servers/${uuid}/os-security-groups`, { as: LONELY })).status, 404);
    }));

  test('os-floating-ips and pools: allocate, associate with a server, show the instance, disassociate, release; Nova refusals', () =>
    withNetworkedCompute(async ({ call, db }, net) => {
      await withExternal(net);
      assert.deepEqual((await call('GET', '/os-floating-ip-pools', { as: DEMO })).json, { floating_ip_pools: [{ name: 'public' }] });
      const allocated = await call('POST', '/os-floating-ips', { body: { pool: 'public' }, as: DEMO });
      assert.equal(allocated.status, 200, JSON.stringify(allocated.json));
      const floating = allocated.json['floating_ip'] as Json;
      assert.match(String(floating['ip']), /^172\.24\.4\.\d+$/);
      assert.deepEqual([floating['pool'], floating['fixed_ip'], floating['instance_id']], ['public', null, null]);
      const byDefault = await call('POST', '/os-floating-ips', { as: DEMO });
      assert.equal(byDefault.status, 200, 'no body: [neutron] default_floating_pool');
      assert.equal((await call('DELETE', `/os-floating-ips/${String((byDefault.json['floating_ip'] as Json)['id'])}`, { as: DEMO })).status, 202);

      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      const portId = await net.made('/v2.0/ports', { port: { network_id: net.net1, project_id: 'demo', device_id: uuid, device_owner: 'compute:nova', fixed_ips: [{ ip_address: '10.0.0.30' }] } });
      await createComputeStores(db).instances.setNetworkInfo(uuid, []);
      const action = (body: unknown, version?: string) => call('POST', `/servers/${uuid}/action`, { body, as: DEMO, ...(version === undefined ? {} : { version }) });
      const address = String(floating['ip']);
      assert.equal((await action({ addFloatingIp: { address, fixed_address: '10.0.0.99' } })).status, 400, 'not an address of the server');
      assert.equal((await action({ addFloatingIp: { address: '172.24.4.200' } })).status, 404);
      assert.equal((await action({ addFloatingIp: { address } }, '2.44')).status, 404, 'gone from 2.44');
      assert.equal((await action({ addFloatingIp: { address } })).status, 202);
      const neutronSide = (await net.read(`/v2.0/floatingips/${String(floating['id'])}`))['floatingip'] as Json;
      assert.deepEqual([neutronSide['port_id'], neutronSide['fixed_ip_address']], [portId, '10.0.0.30']);
      const shown = (await call('GET', `/os-floating-ips/${String(floating['id'])}`, { as: DEMO })).json['floating_ip'] as Json;
      assert.deepEqual([shown['fixed_ip'], shown['instance_id']], ['10.0.0.30', uuid]);
      assert.deepEqual(((await call('GET', '/os-floating-ips', { as: DEMO })).json['floating_ips'] as Json[]).map((f) => f['ip']), [address]);
      assert.deepEqual((await call('GET', '/os-floating-ips', { as: LONELY })).json, { floating_ips: [] });
      assert.equal((await call('GET', `/os-floating-ips/${String(floating['id'])}`, { as: LONELY })).status, 404);

      const other = await insertInstance(db, 'demo', { host: 'compute-1' });
      const notThere = await call('POST', `/servers/${other}/action`, { body: { removeFloatingIp: { address } }, as: DEMO });
      assert.deepEqual([notThere.status, messageOf(notThere.json)], [409, `Floating IP ${address} is not associated with instance ${other}.`]);
      assert.equal((await action({ removeFloatingIp: { address } })).status, 202);
      assert.equal(((await net.read(`/v2.0/floatingips/${String(floating['id'])}`))['floatingip'] as Json)['port_id'], null);

      assert.deepEqual(await statusAndMessage(call('POST', '/os-floating-ips', { body: { pool: 'nonesuch' }, as: DEMO })), [404, 'Floating IP pool not found.']);
      assert.equal((await call('POST', '/os-floating-ips', { body: { pool: 7 }, as: DEMO })).status, 400);
      assert.equal((await call('DELETE', `/os-floating-ips/${String(floating['id'])}`, { as: DEMO })).status, 202);
      assert.deepEqual(await statusAndMessage(call('GET', `/os-floating-ips/${String(floating['id'])}`, { as: DEMO })), [404, `Floating IP not found for ID ${String(floating['id'])}`]);
    }));

  test('os-networks and os-tenant-networks: what the caller sees of Neutron, in the nova-network shape', () =>
    withNetworkedCompute(async ({ call }, net) => {
      const listed = (await call('GET', '/os-networks', { as: DEMO })).json['networks'] as Json[];
      assert.deepEqual(listed.map((n) => n['label']).sort(), ['bare', 'private', 'second']);
      assert.deepEqual(Object.keys(listed[0] ?? {}).sort(), ['broadcast', 'cidr', 'cidr_v6', 'dns1', 'dns2', 'gateway', 'gateway_v6', 'id', 'label', 'netmask', 'netmask_v6']);
      const tenant = (await call('GET', `/os-tenant-networks/${net.net1}`, { as: DEMO })).json;
      assert.deepEqual(tenant, { network: { id: net.net1, cidr: 'None', label: 'private' } });
      assert.deepEqual(await statusAndMessage(call('GET', `/os-networks/${net.othersNet}`, { as: DEMO })), [404, 'Network not found']);
      assert.equal((await call('GET', '/os-networks', { as: DEMO, version: '2.36' })).status, 404);
    }));

  test('a cloud without a network API answers the proxies with 501', () =>
    withComputeApp(async ({ call }) => {
      assert.equal((await call('GET', '/os-security-groups', { as: DEMO })).status, 501);
      assert.equal((await call('GET', '/os-floating-ips', { as: DEMO })).status, 501);
    }));
});

async function readByDemo(net: Topology, path: string): Promise<Json> {
  return (await (await fetch(`${net.base}${path}`, { headers: { 'x-auth-token': 'demo-token' } })).json()) as Json;
}

async function statusAndMessage(reply: Promise<{ status: number; json: Json }>): Promise<[number, string]> {
  const { status, json } = await reply;
  return [status, messageOf(json)];
}
