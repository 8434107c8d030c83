import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NetworkStore } from '../../db/network-store.js';
import { AgentRegistry } from '../../plugin/agents.js';
import { ADMIN, memberOf, withNetworkApi } from '../../testing/network-api-fixture.js';

type Json = Record<string, unknown>;

const VXLAN = { network_type: 'vxlan', physical_network: null };

describe('agent routes (/v2.0/agents)', () => {
  test("reported agents are listed, filtered, shown, disabled and deleted by the administrator; others see none", () =>
    withNetworkApi(async (call, { db }) => {
      const registry = new AgentRegistry(NetworkStore.open(db), 75);
      const started_at = new Date().toISOString();
      await registry.report({
        host: 'compute-1',
        agents: [
          { agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: { devices: 2 } },
          { agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent', configurations: {} },
        ],
        down_reason: null,
        started_at,
      });
      await registry.report({ host: 'compute-2', agents: [{ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: {} }], down_reason: 'no CAP_NET_ADMIN', started_at });

      const all = (await call('GET', '/v2.0/agents', { as: ADMIN })).json['agents'] as Json[];
      assert.equal(all.length, 3);
      const bridge = all.find((agent) => agent['host'] === 'compute-1' && agent['agent_type'] === 'Linux bridge agent');
      assert.ok(bridge !== undefined);
      assert.equal(bridge['alive'], true);
      assert.equal(bridge['admin_state_up'], true);
      assert.equal(bridge['binary'], 'neutron-linuxbridge-agent');
      assert.equal(bridge['availability_zone'], null);
      assert.deepEqual(bridge['configurations'], { devices: 2 });
      assert.match(String(bridge['heartbeat_timestamp']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const down = all.find((agent) => agent['host'] === 'compute-2');
      assert.equal(down?.['alive'], false, 'an agent that says it cannot wire is not alive');
      assert.deepEqual(down?.['configurations'], { down_reason: 'no CAP_NET_ADMIN' });

      const filtered = (await call('GET', '/v2.0/agents?agent_type=DHCP+agent&fields=host&fields=id', { as: ADMIN })).json['agents'] as Json[];
      assert.deepEqual(filtered.map((agent) => Object.keys(agent).sort()), [['host', 'id']]);
      assert.deepEqual((await call('GET', '/v2.0/agents', { as: memberOf('demo') })).json['agents'], []);
      const id = String(bridge['id']);
      assert.equal((await call('GET', `/v2.0/agents/${id}`, { as: memberOf('demo') })).status, 404);

      const disabled = await call('PUT', `/v2.0/agents/${id}`, { as: ADMIN, body: { agent: { admin_state_up: false, description: 'maintenance' } } });
      assert.equal(disabled.status, 200);
      assert.equal((disabled.json['agent'] as Json)['admin_state_up'], false);
      assert.deepEqual(await registry.bind('compute-1', VXLAN), { failure: 'the network agent on host compute-1 is disabled' });
      assert.equal((await call('PUT', `/v2.0/agents/${id}`, { as: ADMIN, body: { agent: { host: 'elsewhere' } } })).status, 400);
      assert.equal((await call('PUT', `/v2.0/agents/${id}`, { as: memberOf('demo'), body: { agent: { admin_state_up: true } } })).status, 404);

      assert.equal((await call('DELETE', `/v2.0/agents/${id}`, { as: ADMIN })).status, 204);
      const gone = await call('GET', `/v2.0/agents/${id}`, { as: ADMIN });
      assert.equal(gone.status, 404);
      assert.equal((gone.json['NeutronError'] as Json)['type'], 'AgentNotFound');
      assert.deepEqual(await registry.bind('compute-1', VXLAN), { failure: 'no network agent runs on host compute-1' });
    }));

  test("a host whose agent maps a physical network to a bridge (bridge_mappings) binds a flat network's ports there, naming that bridge in binding:vif_details; a vlan network on it fails to bind, and a host mapping none binds no flat or vlan port", async () => {
    let registry: AgentRegistry | undefined;
    await withNetworkApi(
      async (call) => {
        assert.ok(registry !== undefined);
        await registry.report({
          host: 'compute-1',
          agents: [{ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: { interface_mappings: { physnet2: 'eth2' }, bridge_mappings: { physnet1: 'br-ex' } } }],
          down_reason: null,
          started_at: new Date().toISOString(),
        });
        const networkOn = async (body: Json): Promise<string> => String(((await call('POST', '/v2.0/networks', { as: ADMIN, body: { network: body } })).json['network'] as Json)['id']);
        const bound = async (networkId: string, host = 'compute-1'): Promise<Json> => {
          const created = await call('POST', '/v2.0/ports', { as: ADMIN, body: { port: { network_id: networkId, 'binding:host_id': host } } });
          assert.equal(created.status, 201);
          return created.json['port'] as Json;
        };
        const flat = await bound(await networkOn({ name: 'flat1', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' }));
        assert.equal(flat['binding:vif_type'], 'bridge');
        assert.deepEqual(flat['binding:vif_details'], { bridge_name: 'br-ex', connectivity: 'l2', port_filter: true });
        const onInterface = await networkOn({ name: 'flat2', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet2' });
        assert.equal(((await bound(onInterface))['binding:vif_details'] as Json)['bridge_name'], `brq${onInterface}`.slice(0, 14), 'a network on an interface mapping has its own brq bridge');
        const vlan = await bound(await networkOn({ name: 'vlan1', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 101 }));
        assert.equal(vlan['binding:vif_type'], 'binding_failed', 'a bridge carries flat networks only');
        const elsewhere = await bound(await networkOn({ name: 'flat3', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet3' }));
        assert.equal(elsewhere['binding:vif_type'], 'binding_failed', 'a physical network the host maps neither way');

        // A host whose agent maps no physical network binds no flat or vlan port (Neutron's check_segment_for_agent); a vxlan one it binds.
        await registry.report({
          host: 'compute-2',
          agents: [{ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: { interface_mappings: {}, bridge_mappings: {} } }],
          down_reason: null,
          started_at: new Date().toISOString(),
        });
        const unmapped = await bound(await networkOn({ name: 'flat4', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet4' }), 'compute-2');
        assert.equal(unmapped['binding:vif_type'], 'binding_failed');
        assert.deepEqual(unmapped['binding:vif_details'], {});
        assert.equal(unmapped['status'], 'DOWN');
        const unmappedVlan = await bound(await networkOn({ name: 'vlan2', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 102 }), 'compute-2');
        assert.equal(unmappedVlan['binding:vif_type'], 'binding_failed');
        assert.equal((await bound(await networkOn({ name: 'tunnelled', 'provider:network_type': 'vxlan' }), 'compute-2'))['binding:vif_type'], 'bridge');
        const member = await call('GET', `/v2.0/ports/${String(unmapped['id'])}`, { as: memberOf('admin-project') });
        assert.equal((member.json['port'] as Json | undefined)?.['binding:vif_type'], undefined, 'binding:vif_type is shown to administrators only');
      },
      {
        network: { flat_networks: '*', network_vlan_ranges: 'physnet1:100:200' },
        bindingHosts: (db) => {
          registry = new AgentRegistry(NetworkStore.open(db), 75);
          return registry;
        },
      },
    );
  });
});
