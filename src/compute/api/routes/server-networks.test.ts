/**
 * A server create's networks checked against the real network API (over loopback HTTP, through
 * NeutronClient with the caller's token), Nova's errors for each refusal and nothing written; the
 * addresses a server shows from its network info; os-interface reads, attach and detach.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import { createComputeStores } from '../../db/compute-stores.js';
import { NodeStore } from '../../db/node-store.js';
import { insertInstance } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';
import { DEMO, LONELY, withNetworkedCompute } from '../../testing/networked-compute-app.js';
import { FakeDriver } from '../../virt/fake/fake-driver.js';

function boot(networks: unknown, extra: Record<string, unknown> = {}) {
  return { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', ...(networks === undefined ? {} : { networks }), ...extra } };
}

async function instanceCount(db: Database): Promise<number> {
  return (await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').select('uuid').execute()).length;
}

describe('compute routes: requested networks', () => {
  test('Nova refusals for networks and ports, each leaving no server behind', () =>
    withNetworkedCompute(async ({ call, db, recorded }, net) => {
      const refusals: [unknown, number, string, string?][] = [
        [undefined, 409, 'Multiple possible networks found, use a Network ID to be more specific.'],
        [[{ uuid: '3f1e0c1a-0000-4000-8000-00000000dead' }], 400, 'Network 3f1e0c1a-0000-4000-8000-00000000dead could not be found.'],
        [[{ uuid: net.othersNet }], 400, `Network ${net.othersNet} could not be found.`],
        [[{ uuid: net.bare }], 400, `Network ${net.bare} requires a subnet in order to boot instances on.`],
        [[{ port: net.usedPort }], 409, `Port ${net.usedPort} is still in use.`],
        [[{ port: '3f1e0c1a-0000-4000-8000-00000000beef' }], 400, 'Port id 3f1e0c1a-0000-4000-8000-00000000beef could not be found.'],
        ['auto', 409, 'Multiple possible networks found, use a Network ID to be more specific.', '2.37'],
      ];
      for (const [networks, status, message, version] of refusals) {
        const reply = await call('POST', '/servers', { body: boot(networks), as: DEMO, ...(version === undefined ? {} : { version }) });
        assert.equal(reply.status, status, `${JSON.stringify(networks)}: ${JSON.stringify(reply.json)}`);
        const fault = Object.values(reply.json)[0] as { message: string };
        assert.equal(fault.message, message);
      }
      const multiPort = await call('POST', '/servers', { body: boot([{ port: net.freePort }], { max_count: 2 }), as: DEMO });
      assert.equal(multiPort.status, 400);
      const badGroup = await call('POST', '/servers', { body: boot([{ uuid: net.net1 }], { security_groups: [{ name: 'nonesuch' }] }), as: DEMO });
      assert.deepEqual([badGroup.status, (badGroup.json['badRequest'] as { message: string }).message], [400, 'Security group nonesuch not found.']);
      assert.equal(await instanceCount(db), 0);
      assert.equal(recorded.builds.length, 0);
    }));

  test('an explicit auto with no network to use is refused; none and a listed network go to the conductor as asked', () =>
    withNetworkedCompute(async ({ call, recorded }, net) => {
      const auto = await call('POST', '/servers', { body: boot('auto'), as: LONELY, version: '2.37' });
      assert.equal(auto.status, 400);
      assert.equal((auto.json['badRequest'] as { message: string }).message, 'Unable to automatically allocate a network for project lonely');
      // Before 2.37 no networks at all is a server without a NIC, as Nova.
      assert.equal((await call('POST', '/servers', { body: boot(undefined), as: LONELY })).status, 202);
      assert.equal((await call('POST', '/servers', { body: boot('none'), as: DEMO, version: '2.37' })).status, 202);
      const listed = await call('POST', '/servers', { body: boot([{ uuid: net.net1, fixed_ip: '10.0.0.50', tag: 'nic1' }, { port: net.freePort }]), as: DEMO, version: '2.42' });
      assert.equal(listed.status, 202, JSON.stringify(listed.json));
      assert.deepEqual(
        recorded.builds.map(({ builds }) => builds[0]?.requestedNetworks),
        ['auto', 'none', [{ uuid: net.net1, fixedIp: '10.0.0.50', tag: 'nic1' }, { port: net.freePort }]],
      );
    }));
});

describe('compute routes: security groups of a server', () => {
  test('the groups of show and detail, read over REST or from the network plugin in the process alike; a server without ports names none', async () => {
    for (const localSecurityGroupReads of [false, true]) {
      await withNetworkedCompute(
        async ({ call, db }, net) => {
          const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
          const portless = await insertInstance(db, 'demo', { host: 'compute-1' });
          const portId = await net.madeByDemo('/v2.0/ports', { port: { network_id: net.net1, device_id: uuid, device_owner: 'compute:nova' } });
          await net.madeByDemo('/v2.0/ports', { port: { network_id: net.net2, device_id: uuid, device_owner: 'compute:nova' } });
          const web = await net.madeByDemo('/v2.0/security-groups', { security_group: { name: 'web' } });
          const app = await net.madeByDemo('/v2.0/security-groups', { security_group: { name: 'app' } });
          await createComputeStores(db).instances.setNetworkInfo(uuid, [
            { id: portId, address: 'fa:16:3e:00:00:09', networkId: net.net1, networkLabel: 'private', type: 'bridge', bridge: 'brq', devname: 'tap', mtu: 1450, preserveOnDelete: false, tag: null, fixedIps: [] },
          ]);
          const put = await fetch(`${net.base}/v2.0/ports/${portId}`, {
            method: 'PUT',
            headers: { 'x-auth-token': 'demo-token', 'content-type': 'application/json' },
            body: JSON.stringify({ port: { security_groups: [web, app] } }),
          });
          assert.equal(put.status, 200);
          const shown = (await call('GET', `/servers/${uuid}`, { as: DEMO })).json['server'] as Record<string, unknown>;
          const detail = (await call('GET', '/servers/detail', { as: DEMO })).json['servers'] as Record<string, unknown>[];
          const groupsOf = (id: string) => detail.find((server) => server['id'] === id)?.['security_groups'];
          // Both ports' groups, each name once, sorted.
          assert.deepEqual(shown['security_groups'], [{ name: 'app' }, { name: 'default' }, { name: 'web' }]);
          assert.deepEqual(groupsOf(uuid), shown['security_groups']);
          assert.equal(groupsOf(portless), undefined);
          // Another project's caller sees neither server nor port.
          assert.equal((await call('GET', `/servers/${uuid}`, { as: LONELY })).status, 404);
        },
        { localSecurityGroupReads },
      );
    }
  });

  test('addSecurityGroup and removeSecurityGroup change every port of the server; show names the groups; Nova refusals', () =>
    withNetworkedCompute(async ({ call, db }, net) => {
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      const portId = await net.made('/v2.0/ports', { port: { network_id: net.net1, project_id: 'demo', device_id: uuid, device_owner: 'compute:nova' } });
      const web = await net.madeByDemo('/v2.0/security-groups', { security_group: { name: 'web' } });
      await createComputeStores(db).instances.setNetworkInfo(uuid, [
        { id: portId, address: 'fa:16:3e:00:00:09', networkId: net.net1, networkLabel: 'private', type: 'bridge', bridge: 'brq', devname: 'tap', mtu: 1450, preserveOnDelete: false, tag: null, fixedIps: [] },
      ]);
      const groupsOfPort = async () => ((await net.read(`/v2.0/ports/${portId}`))['port'] as { security_groups: string[] }).security_groups;
      const action = (body: unknown) => call('POST', `/servers/${uuid}/action`, { body, as: DEMO });

      assert.equal((await action({ addSecurityGroup: { name: 'web' } })).status, 202);
      assert.ok((await groupsOfPort()).includes(web));
      const shown = (await call('GET', `/servers/${uuid}`, { as: DEMO })).json['server'] as Record<string, unknown>;
      assert.deepEqual(shown['security_groups'], [{ name: 'default' }, { name: 'web' }]);
      const detail = (await call('GET', '/servers/detail', { as: DEMO })).json['servers'] as Record<string, unknown>[];
      assert.deepEqual(detail[0]?.['security_groups'], [{ name: 'default' }, { name: 'web' }]);

      assert.equal((await action({ removeSecurityGroup: { name: 'web' } })).status, 202);
      assert.ok(!(await groupsOfPort()).includes(web));
      const again = await action({ removeSecurityGroup: { name: 'web' } });
      assert.deepEqual([again.status, (again.json['itemNotFound'] as { message: string }).message], [404, `Security group web not associated with the instance ${uuid}`]);
      const unknown = await action({ addSecurityGroup: { name: 'nonesuch' } });
      assert.deepEqual([unknown.status, (unknown.json['itemNotFound'] as { message: string }).message], [404, 'Security group nonesuch is not found for project demo']);
      assert.equal((await action({ addSecurityGroup: { name: '  ' } })).status, 400);

      // os-interface: the server's ports as Neutron has them, the tag from 2.70.
      const listed = await call('GET', `/servers/${uuid}/os-interface`, { as: DEMO, version: '2.70' });
      const attachments = listed.json['interfaceAttachments'] as Record<string, unknown>[];
      assert.deepEqual(attachments.map((attachment) => [attachment['port_id'], attachment['net_id'], attachment['port_state'], attachment['tag']]), [[portId, net.net1, 'DOWN', null]]);
      const one = await call('GET', `/servers/${uuid}/os-interface/${portId}`, { as: DEMO });
      assert.deepEqual(Object.keys(one.json['interfaceAttachment'] as object).sort(), ['fixed_ips', 'mac_addr', 'net_id', 'port_id', 'port_state']);
      const notOurs = await call('GET', `/servers/${uuid}/os-interface/${net.freePort}`, { as: DEMO });
      assert.deepEqual([notOurs.status, (notOurs.json['itemNotFound'] as { message: string }).message], [404, `Instance ${uuid} does not have a port with id ${net.freePort}`]);
    }));
});

describe('compute routes: server addresses', () => {
  test('addresses by network from the info cache; /ips and /ips/{network} in the basic form', () =>
    withComputeApp(async ({ call, db }) => {
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      await createComputeStores(db).instances.setNetworkInfo(uuid, [
        {
          id: 'b6c5f1a0-1111-4000-8000-000000000001', address: 'fa:16:3e:00:00:01', networkId: 'n1', networkLabel: 'private', type: 'bridge',
          bridge: 'brqn1', devname: 'tapb6c5f1a0-11', mtu: 1450, preserveOnDelete: false, tag: null,
          fixedIps: [
            { address: '10.0.0.5', version: 4, subnetId: 's1', floatingIps: ['172.24.4.10'] },
            { address: 'fd00::5', version: 6, subnetId: 's2', floatingIps: [] },
          ],
        },
      ]);
      const demo = { requestId: 'req-demo', userId: 'user-of-demo', projectId: 'demo', roles: ['member', 'reader'], isAdmin: false };
      const shown = (await call('GET', `/servers/${uuid}`, { as: demo })).json['server'] as Record<string, unknown>;
      const mac = 'fa:16:3e:00:00:01';
      assert.deepEqual(shown['addresses'], {
        private: [
          { version: 4, addr: '10.0.0.5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
          { version: 6, addr: 'fd00::5', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac },
          { version: 4, addr: '172.24.4.10', 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': mac },
        ],
      });
      const basic = [{ version: 4, addr: '10.0.0.5' }, { version: 6, addr: 'fd00::5' }, { version: 4, addr: '172.24.4.10' }];
      assert.deepEqual((await call('GET', `/servers/${uuid}/ips`, { as: demo })).json, { addresses: { private: basic } });
      // PUT (and rebuild) answer the basic form until 2.75 shows them all that GET shows (Nova's extend_address).
      const renamed = async (version: string) => (await call('PUT', `/servers/${uuid}`, { body: { server: { name: 'renamed' } }, as: demo, version })).json['server'] as Record<string, unknown>;
      assert.deepEqual((await renamed('2.74'))['addresses'], { private: basic });
      assert.deepEqual((await renamed('2.75'))['addresses'], shown['addresses']);
      assert.deepEqual((await call('GET', `/servers/${uuid}/ips/private`, { as: demo })).json, { private: basic });
      const missing = await call('GET', `/servers/${uuid}/ips/public`, { as: demo });
      assert.deepEqual([missing.status, (missing.json['itemNotFound'] as { message: string }).message], [404, 'Instance is not a member of specified network']);
      const other = { ...demo, requestId: 'req-other', userId: 'user-of-other', projectId: 'other' };
      assert.equal((await call('GET', `/servers/${uuid}/ips`, { as: other })).status, 404);
    }));
});

describe('compute routes: interface attach and detach (os-interface POST and DELETE)', () => {
  test("attach calls the server's host and answers the port in the guest; detach casts; Nova's refusals change nothing", () =>
    withNetworkedCompute(async ({ call, db, recorded }, net) => {
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      const attach = (interfaceAttachment: unknown, version?: string) =>
        call('POST', `/servers/${uuid}/os-interface`, { body: { interfaceAttachment }, as: DEMO, ...(version === undefined ? {} : { version }) });
      const messageOf = (json: Record<string, unknown>) => (Object.values(json)[0] as { message: string }).message;

      const refusals: [unknown, number, string][] = [
        [{ net_id: net.net2, port_id: net.freePort }, 400, 'Must not input both network_id and port_id'],
        [{ fixed_ips: [{ ip_address: '10.0.1.9' }] }, 400, 'Must input network_id when request IP address'],
        [{ port_id: net.usedPort }, 409, `Port ${net.usedPort} is still in use.`],
        [{ port_id: '3f1e0c1a-0000-4000-8000-00000000beef' }, 404, 'Port id 3f1e0c1a-0000-4000-8000-00000000beef could not be found.'],
      ];
      for (const [body, status, message] of refusals) {
        const reply = await attach(body);
        assert.deepEqual([reply.status, messageOf(reply.json)], [status, message], JSON.stringify(body));
      }
      // The tag is no field before 2.49: the schema refuses it.
      assert.equal((await attach({ port_id: net.freePort, tag: 'nic2' })).status, 400);
      assert.deepEqual(recorded.agent, []);

      const attached = await attach({ port_id: net.freePort, tag: 'nic2' }, '2.70');
      assert.equal(attached.status, 200, JSON.stringify(attached.json));
      const view = attached.json['interfaceAttachment'] as Record<string, unknown>;
      assert.deepEqual([view['port_id'], view['net_id'], view['tag']], [net.freePort, net.net1, 'nic2']);
      assert.deepEqual(recorded.agent, [{ verb: 'attach_interface', host: 'compute-1', args: { instanceUuid: uuid, portId: net.freePort, networkId: null, fixedIp: null, tag: 'nic2' } }]);
      const actions = (await call('GET', `/servers/${uuid}/os-instance-actions`, { as: DEMO })).json['instanceActions'] as Record<string, unknown>[];
      assert.deepEqual(actions.map((action) => action['action']), ['attach_interface']);

      // Detach: only a port of this server (the test's port is not bound to it: the fake host made no binding).
      const notOurs = await call('DELETE', `/servers/${uuid}/os-interface/${net.freePort}`, { as: DEMO });
      assert.deepEqual([notOurs.status, messageOf(notOurs.json)], [404, `Instance ${uuid} does not have a port with id ${net.freePort}`]);
      const ours = await net.made('/v2.0/ports', { port: { network_id: net.net1, project_id: 'demo', device_id: uuid, device_owner: 'compute:nova' } });
      assert.equal((await call('DELETE', `/servers/${uuid}/os-interface/${ours}`, { as: DEMO })).status, 202);
      assert.deepEqual(recorded.agent.at(-1), { verb: 'detach_interface', host: 'compute-1', args: { instanceUuid: uuid, portId: ours } });

      // A server in a state that does not allow it, or another project's server.
      const building = await insertInstance(db, 'demo', { host: 'compute-1', vm_state: 'building', task_state: 'spawning' });
      const busy = await call('POST', `/servers/${building}/os-interface`, { body: { interfaceAttachment: { net_id: net.net2 } }, as: DEMO });
      assert.deepEqual([busy.status, messageOf(busy.json)], [409, `Cannot 'attach_interface' instance ${building} while it is in vm_state building`]);
      const gone = await call('DELETE', `/servers/${building}/os-interface/${ours}`, { as: DEMO });
      assert.equal(gone.status, 409);
      assert.equal((await call('POST', `/servers/${uuid}/os-interface`, { body: { interfaceAttachment: { net_id: net.net2 } }, as: LONELY })).status, 404);
      assert.equal(recorded.agent.length, 2);
    }));

  test('a host whose driver cannot hot-plug NICs is Nova 501, after the 409 of a wrong state', () =>
    withNetworkedCompute(async ({ call, db, recorded }, net) => {
      const driver = new FakeDriver({ host: 'compute-1', capabilities: { supportsAttachInterface: false } });
      await new NodeStore(db).upsert('compute-1', await driver.getAvailableResource(), driver.capabilities);
      const uuid = await insertInstance(db, 'demo', { host: 'compute-1' });
      const refused = await call('POST', `/servers/${uuid}/os-interface`, { body: { interfaceAttachment: { port_id: net.freePort } }, as: DEMO });
      assert.equal(refused.status, 501);
      assert.equal((await call('DELETE', `/servers/${uuid}/os-interface/${net.freePort}`, { as: DEMO })).status, 501);
      assert.deepEqual(recorded.agent, []);
    }));
});
