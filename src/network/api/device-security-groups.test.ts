/**
 * The in-process read of servers' security groups answers, for each caller, what the two REST
 * lists Nova makes answer: the ports the caller may see with their groups, and the names of the
 * groups the caller may see.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../common/context/request-context.js';
import { ADMIN, create, memberOf, readerOf, withNetworkApi, type Call } from '../testing/network-api-fixture.js';
import { deviceSecurityGroupsReader, type DeviceSecurityGroups } from './device-security-groups.js';

const SERVER_A = 'a0000000-0000-4000-8000-00000000000a';
const SERVER_B = 'b0000000-0000-4000-8000-00000000000b';
const SERVER_C = 'c0000000-0000-4000-8000-00000000000c';
const DEVICES = [SERVER_A, SERVER_B, SERVER_C, 'd0000000-0000-4000-8000-0000000000dd'];

/** Ports and groups in a stable order, to compare two answers. */
function sorted(answer: DeviceSecurityGroups): DeviceSecurityGroups {
  const key = (value: unknown) => JSON.stringify(value);
  return {
    ports: [...answer.ports].map((port) => ({ device_id: port.device_id, security_groups: [...port.security_groups].sort() })).sort((a, b) => key(a).localeCompare(key(b))),
    groups: [...answer.groups].map((group) => ({ id: group.id, name: group.name })).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** Nova's two lists over the REST API, as NeutronClient makes them. */
async function overRest(call: Call, as: RequestContext): Promise<DeviceSecurityGroups> {
  const ports = await call('GET', `/v2.0/ports?${DEVICES.map((id) => `device_id=${id}`).join('&')}&fields=device_id&fields=security_groups`, { as });
  assert.equal(ports.status, 200);
  const listed = ports.json['ports'] as DeviceSecurityGroups['ports'];
  const ids = [...new Set(listed.flatMap((port) => port.security_groups))];
  if (ids.length === 0) return { ports: listed, groups: [] };
  const groups = await call('GET', `/v2.0/security-groups?${ids.map((id) => `id=${id}`).join('&')}&fields=id&fields=name`, { as });
  assert.equal(groups.status, 200);
  return { ports: listed, groups: groups.json['security_groups'] as DeviceSecurityGroups['groups'] };
}

test('the in-process read of devices security groups answers each caller as the port and group lists do', () =>
  withNetworkApi(async (call, { plugin, policy }) => {
    const demoNet = await create(call, 'networks', 'network', { name: 'demo-net' });
    await create(call, 'subnets', 'subnet', { network_id: demoNet['id'], ip_version: 4, cidr: '10.0.0.0/24' });
    const otherNet = await create(call, 'networks', 'network', { name: 'other-net' }, memberOf('other'));
    await create(call, 'subnets', 'subnet', { network_id: otherNet['id'], ip_version: 4, cidr: '10.1.0.0/24' }, memberOf('other'));
    const web = await create(call, 'security-groups', 'security_group', { name: 'web' });
    const db = await create(call, 'security-groups', 'security_group', { name: 'db' });
    await create(call, 'ports', 'port', { network_id: demoNet['id'], device_id: SERVER_A, device_owner: 'compute:nova', security_groups: [web['id'], db['id']] });
    await create(call, 'ports', 'port', { network_id: demoNet['id'], device_id: SERVER_A, device_owner: 'compute:nova' });
    await create(call, 'ports', 'port', { network_id: demoNet['id'], device_id: SERVER_B, device_owner: 'compute:nova', security_groups: [] });
    await create(call, 'ports', 'port', { network_id: otherNet['id'], device_id: SERVER_C, device_owner: 'compute:nova' }, memberOf('other'));
    const read = deviceSecurityGroupsReader(plugin, policy);
    for (const caller of [memberOf('demo'), readerOf('demo'), memberOf('other'), memberOf('nobody'), ADMIN]) {
      const local = sorted(await read(caller, DEVICES));
      assert.deepEqual(local, sorted(await overRest(call, caller)), caller.requestId);
      if (caller.projectId === 'demo') {
        assert.equal(local.ports.length, 3);
        assert.deepEqual(local.groups.map((group) => group.name).sort(), ['db', 'default', 'web']);
      }
    }
  }));
