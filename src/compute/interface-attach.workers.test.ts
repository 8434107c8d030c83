/**
 * Interface attach and detach through the compute API, the real agent and the real network API
 * (over loopback HTTP): the port bound to the host and hot-plugged into the fake driver's guest,
 * the info cache (`addresses`), and the port given back on detach or on a failed attach.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { personaTokenValidator } from '../common/auth/testing/persona-tokens.js';
import { runWithContext, type RequestContext } from '../common/context/request-context.js';
import { withNetworkApi } from '../network/testing/network-api-fixture.js';
import { NeutronClient } from './network/neutron-client.js';
import type { ServersService } from './servers/servers-service.js';
import { adminPost } from './testing/networked-compute-app.js';
import { build, events, eventually, faults, newServer, serversOf, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

const PERSONAS = {
  'admin-token': { userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] },
  'p1-token': { userId: 'user-of-p1', projectId: 'p1', roles: ['member', 'reader'] },
};

interface NetworkSide {
  readonly neutron: NeutronClient;
  /** GET on the network API as its administrator: the status and the body. */
  readonly read: (path: string) => Promise<{ status: number; json: Record<string, unknown> }>;
  /** POST as p1's member; answers the new resource's id. */
  readonly made: (path: string, body: Record<string, unknown>) => Promise<string>;
}

function withNetwork(fn: (side: NetworkSide) => Promise<void>): Promise<void> {
  return withNetworkApi(
    async (_call, { app }) => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/network`;
      const read = async (path: string) => {
        const response = await fetch(`${base}${path}`, { headers: { 'x-auth-token': 'admin-token' } });
        return { status: response.status, json: (await response.json()) as Record<string, unknown> };
      };
      const made = adminPost(base, 'p1-token');
      const neutron = new NeutronClient({ endpointOverride: base, defaultFloatingPool: 'public', serviceUser: { token: async () => 'admin-token', endpoint: async () => base } });
      await fn({ neutron, read, made });
    },
    { validator: personaTokenValidator(PERSONAS) },
  );
}

/** A server of p1 built with no NIC, running on its host; the API as p1's member calls it (with the token the agent passes on to Neutron). */
async function running(cloud: Cloud, neutron: NeutronClient): Promise<{ uuid: string; context: RequestContext; host: string; servers: ServersService }> {
  const { uuid, context } = await newServer(cloud.db);
  await build(cloud, uuid, context);
  const row = await waitFor(cloud.db, uuid, 'active');
  return { uuid, context: { ...context, authToken: 'p1-token' }, host: row.host ?? '', servers: serversOf(cloud, neutron) };
}

async function portOf(side: NetworkSide, id: string): Promise<Record<string, unknown> | undefined> {
  const { status, json } = await side.read(`/v2.0/ports/${id}`);
  return status === 404 ? undefined : (json['port'] as Record<string, unknown>);
}

describe('interface attach and detach on the workers (fake driver, real network API)', () => {
  test("a user's port and a new port on a network go into the guest and addresses; detach unbinds the one and deletes the other", () =>
    withNetwork(async (side) =>
      withCloud(1, async (cloud) => {
        const net = await side.made('/v2.0/networks', { network: { name: 'second' } });
        await side.made('/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.1.0/24', ip_version: 4 } });
        const userPort = await side.made('/v2.0/ports', { port: { network_id: net } });
        const { uuid, context, host, servers } = await running(cloud, side.neutron);
        const interfaces = servers.interfaces;
        assert.ok(interfaces !== undefined);
        const call = <T>(work: (ctx: RequestContext) => Promise<T>) => {
          const ctx = { ...context, requestId: `req-${randomUUID()}` };
          return runWithContext(ctx, () => work(ctx));
        };
        const server = () => servers.get(context, uuid);

        const attached = await call(async (ctx) => interfaces.attach(ctx, await server(), { portId: userPort }, false));
        assert.deepEqual([attached.port_id, attached.net_id], [userPort, net]);
        const made = await call(async (ctx) => interfaces.attach(ctx, await server(), { networkId: net, fixedIp: '10.0.1.77' }, false));
        assert.deepEqual(made.fixed_ips.map((ip) => ip.ip_address), ['10.0.1.77']);
        assert.deepEqual(cloud.driver(host).inspect(uuid)?.pluggedVifIds, [userPort, made.port_id]);
        assert.deepEqual((await server()).networkInfo.map((vif) => [vif.id, vif.networkLabel, vif.preserveOnDelete]), [[userPort, 'second', true], [made.port_id, 'second', false]]);
        for (const id of [userPort, made.port_id]) assert.deepEqual([(await portOf(side, id))?.['device_id'], (await portOf(side, id))?.['binding:host_id']], [uuid, host]);

        await call(async (ctx) => interfaces.detach(ctx, await server(), userPort));
        await call(async (ctx) => interfaces.detach(ctx, await server(), made.port_id));
        await eventually(async () => assert.deepEqual((await server()).networkInfo, []));
        assert.deepEqual(cloud.driver(host).inspect(uuid)?.pluggedVifIds, []);
        assert.deepEqual([(await portOf(side, userPort))?.['device_id'], (await portOf(side, userPort))?.['binding:host_id']], ['', '']);
        assert.equal(await portOf(side, made.port_id), undefined);
        await eventually(async () => {
          const results = (await events(cloud.db, uuid)).map((event) => `${event.event}:${event.result ?? '-'}`);
          for (const name of ['compute_attach_interface', 'compute_detach_interface']) assert.equal(results.filter((result) => result === `${name}:Success`).length, 2, results.join(' '));
        });
      }, undefined, { network: side.neutron, vifPluggingTimeoutSeconds: 0 }),
    ));

  test('a hot-plug the driver fails is a 500 with a fault; the port made is deleted, the guest and addresses unchanged', () =>
    withNetwork(async (side) =>
      withCloud(1, async (cloud) => {
        const net = await side.made('/v2.0/networks', { network: { name: 'second' } });
        await side.made('/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.1.0/24', ip_version: 4 } });
        const { uuid, context, host, servers } = await running(cloud, side.neutron);
        cloud.driver(host).faults.failNext('attachInterface', { instanceUuid: uuid, message: 'no PCI slot left' });
        const failed = await runWithContext(context, async () => servers.interfaces?.attach(context, await servers.get(context, uuid), { networkId: net }, false)).then(
          () => assert.fail('the attach succeeded'),
          (error: unknown) => error as { status?: number; message: string },
        );
        assert.equal(failed.status, 500);
        assert.match(failed.message, /no PCI slot left/);
        assert.deepEqual((await servers.get(context, uuid)).networkInfo, []);
        assert.deepEqual(cloud.driver(host).inspect(uuid)?.pluggedVifIds, []);
        assert.deepEqual(((await side.read(`/v2.0/ports?network_id=${net}&device_owner=compute:nova`)).json['ports'] as unknown[]).length, 0);
        assert.match((await faults(cloud.db, uuid)).map((fault) => fault.message).join(' '), /no PCI slot left/);
      }, undefined, { network: side.neutron, vifPluggingTimeoutSeconds: 0 }),
    ));
});
