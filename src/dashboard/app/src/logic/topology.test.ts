import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { layoutTopology, topologyDevices, TOPOLOGY_SIZES, type TopologySource } from './topology.js';

const source: TopologySource = {
  routers: [{ id: 'r1', name: 'edge', status: 'ACTIVE', external_gateway_info: { network_id: 'pub', external_fixed_ips: [{ ip_address: '172.24.4.10' }] } }],
  ports: [
    { device_id: 'r1', device_owner: 'network:router_interface', network_id: 'a', fixed_ips: [{ ip_address: '10.1.0.1' }] },
    { device_id: 'r1', device_owner: 'network:router_interface', network_id: 'b', fixed_ips: [{ ip_address: '10.2.0.1' }] },
    { device_id: 'dhcp-a', device_owner: 'network:dhcp', network_id: 'a', fixed_ips: [{ ip_address: '10.1.0.2' }] },
    { device_id: 's1', device_owner: 'compute:nova', network_id: 'b', fixed_ips: [{ ip_address: '10.2.0.5' }] },
    { device_id: 's1', device_owner: 'compute:nova', network_id: 'b', fixed_ips: [{ ip_address: '10.2.0.6' }] },
    { device_id: 's2', device_owner: 'compute:nova', network_id: 'a', fixed_ips: [{ ip_address: '10.1.0.7' }] },
  ],
  servers: [{ id: 's1', name: 'web', status: 'ACTIVE' }],
};

describe('the network topology picture', () => {
  test('routers link their gateway and interfaces, servers their ports; DHCP ports are not devices', () => {
    const devices = topologyDevices(source);
    assert.deepEqual(
      devices.map((d) => [d.kind, d.name, d.links.map((l) => `${l.networkId} ${l.addresses.join(' ')}`)]),
      [
        ['router', 'edge', ['pub 172.24.4.10', 'a 10.1.0.1', 'b 10.2.0.1']],
        // A server on another page of the list goes by its id; two ports on one network are one link.
        ['server', 's2', ['a 10.1.0.7']],
        ['server', 'web', ['b 10.2.0.5 10.2.0.6']],
      ],
    );
  });

  test('external networks come first; each device has its row, its box right of its leftmost network', () => {
    const { column, left, offset, row, top } = TOPOLOGY_SIZES;
    const networks = [
      { id: 'b', name: 'b-net', external: false, cidrs: ['10.2.0.0/24'] },
      { id: 'a', name: 'a-net', external: false, cidrs: ['10.1.0.0/24'] },
      { id: 'pub', name: 'public', external: true, cidrs: [] },
    ];
    const layout = layoutTopology(networks, topologyDevices(source));
    assert.deepEqual(
      layout.networks.map((n) => [n.name, n.x]),
      [
        ['public', left],
        ['a-net', left + column],
        ['b-net', left + 2 * column],
      ],
    );
    const [edge, s2, web] = layout.devices;
    assert.deepEqual([edge?.x, edge?.y], [left + offset, top]);
    assert.deepEqual(
      edge?.links.map((l) => [l.networkName, l.x]),
      [
        ['public', left],
        ['a-net', left + column],
        ['b-net', left + 2 * column],
      ],
    );
    assert.deepEqual([s2?.x, s2?.y], [left + column + offset, top + row]);
    assert.deepEqual([web?.x, web?.y], [left + 2 * column + offset, top + 2 * row]);
    assert.ok(layout.width >= (web?.x ?? 0) + TOPOLOGY_SIZES.box.width, 'the widest box fits');
    assert.equal(layout.height, top + 3 * row + TOPOLOGY_SIZES.bottom);
  });

  test('a link to a network the project cannot see is dropped, and a device with no link sits at the left', () => {
    const layout = layoutTopology([], [{ kind: 'server', id: 's', name: 's', status: 'ACTIVE', links: [{ networkId: 'hidden', addresses: ['10.9.0.3'] }] }]);
    assert.deepEqual(layout.devices[0]?.links, []);
    assert.equal(layout.devices[0]?.x, TOPOLOGY_SIZES.left);
  });
});
