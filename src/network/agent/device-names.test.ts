import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeName, checkId, dhcpDevice, dhcpNamespace, routerGatewayDevice, routerInterfaceDevice, routerNamespace, tapName, vlanDevice, vxlanDevice } from './device-names.js';
import { InvalidDatapathSpec } from './errors.js';

const ID = '3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b';

test("Neutron's Linux bridge names, within the kernel's 15 characters", () => {
  const names = { bridge: bridgeName(ID), tap: tapName(ID), dhcp: dhcpDevice(ID), qr: routerInterfaceDevice(ID), qg: routerGatewayDevice(ID) };
  assert.deepEqual(names, { bridge: 'brq3f2a9c1e-7b', tap: 'tap3f2a9c1e-7b', dhcp: 'ns-3f2a9c1e-7b', qr: 'qr-3f2a9c1e-7b', qg: 'qg-3f2a9c1e-7b' });
  for (const name of [...Object.values(names), vlanDevice('eth1', 4094), vxlanDevice(16777215)]) assert.ok(name.length <= 15, name);
  assert.equal(dhcpNamespace(ID), `qdhcp-${ID}`);
  assert.equal(routerNamespace(ID), `qrouter-${ID}`);
  assert.equal(vlanDevice('eth1', 100), 'eth1.100');
  assert.equal(vlanDevice('enp0s31f6long', 1), 'enp0s31f6long.1', 'a name that fits is kept');
  // Neutron's get_subinterface_name for the same device: cut, six hex digits of its SHA-1, then the VLAN.
  assert.equal(vlanDevice('enp0s31f6long', 1111), 'enp05ce057.1111');
  assert.equal(vxlanDevice(1001), 'vxlan-1001');
});

test('only lower-case UUIDs become names', () => {
  for (const bad of ['', '../etc', 'x; reboot', ID.toUpperCase(), `${ID}0`]) assert.throws(() => checkId('port', bad), InvalidDatapathSpec);
});
