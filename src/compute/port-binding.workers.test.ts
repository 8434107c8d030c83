/**
 * A build whose port cannot bind on its host (Neutron answers binding_failed: there, the network
 * agent maps no interface to the network's physical network) is Nova's PortBindingFailed: the
 * ports are given back and the build is rescheduled to a host that can bind it; where none can,
 * the server ends in ERROR with the binding's fault. The real network API, its agent registry and
 * the real agents (fake driver).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { personaTokenValidator } from '../common/auth/testing/persona-tokens.js';
import { runWithContext } from '../common/context/request-context.js';
import { NetworkStore } from '../network/db/network-store.js';
import { AgentRegistry, LINUX_BRIDGE_AGENT } from '../network/plugin/agents.js';
import { withNetworkApi } from '../network/testing/network-api-fixture.js';
import { NeutronClient } from './network/neutron-client.js';
import { adminPost, type AdminPost } from './testing/networked-compute-app.js';
import { events, faults, IMAGE_ID, newServer, specFor, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

const PERSONAS = { 'admin-token': { userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] } };

interface Side {
  readonly neutron: NeutronClient;
  readonly registry: AgentRegistry;
  /** POST as the administrator; answers the new resource's id. */
  readonly made: AdminPost;
  /** The ports on the network, as the administrator lists them. */
  readonly portsOn: (networkId: string) => Promise<Record<string, unknown>[]>;
}

function withBindingNetwork(fn: (side: Side) => Promise<void>): Promise<void> {
  let registry: AgentRegistry | undefined;
  return withNetworkApi(
    async (_call, { app }) => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/network`;
      const portsOn = async (networkId: string) => {
        const response = await fetch(`${base}/v2.0/ports?network_id=${networkId}`, { headers: { 'x-auth-token': 'admin-token' } });
        return ((await response.json()) as Record<string, Record<string, unknown>[]>)['ports'] ?? [];
      };
      const neutron = new NeutronClient({ endpointOverride: base, defaultFloatingPool: 'public', serviceUser: { token: async () => 'admin-token', endpoint: async () => base } });
      assert.ok(registry !== undefined);
      await fn({ neutron, registry, made: adminPost(base), portsOn });
    },
    {
      validator: personaTokenValidator(PERSONAS),
      bindingHosts: (db) => {
        registry = new AgentRegistry(NetworkStore.open(db), 75);
        return registry;
      },
    },
  );
}

/** compute-N's Linux bridge agent reports, mapping these physical networks. */
async function agentMaps(registry: AgentRegistry, host: string, interfaceMappings: Record<string, string>): Promise<void> {
  await registry.report({
    host,
    agents: [{ agent_type: LINUX_BRIDGE_AGENT, binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: { interface_mappings: interfaceMappings, bridge_mappings: {} } }],
    down_reason: null,
    started_at: new Date().toISOString(),
  });
}

/** A flat network on the physical network with a subnet; answers its id. */
async function flatNetwork(side: Side, physnet: string): Promise<string> {
  const networkId = await side.made('/v2.0/networks', { network: { name: physnet, 'provider:network_type': 'flat', 'provider:physical_network': physnet, shared: true } });
  await side.made('/v2.0/subnets', { subnet: { network_id: networkId, cidr: '10.0.7.0/24', ip_version: 4 } });
  return networkId;
}

async function bootOn(cloud: Cloud, networkId: string): Promise<string> {
  const { uuid, context } = await newServer(cloud.db);
  await runWithContext({ ...context, authToken: 'admin-token' }, () =>
    cloud.workers.computeTaskApi.buildInstances([{ instanceUuid: uuid, imageRef: IMAGE_ID, requestedNetworks: [{ uuid: networkId }] }], specFor([uuid])),
  );
  return uuid;
}

/**
 * The server's build events once each has its result: the instance's state can change a moment
 * before its agent writes the event's finish (and the fault), so the test waits for them.
 */
async function finishedBuilds(cloud: Cloud, uuid: string, withFault: boolean) {
  for (let attempt = 0; ; attempt += 1) {
    const builds = (await events(cloud.db, uuid)).filter((event) => event.event === 'compute__do_build_and_run_instance');
    const finished = builds.length > 0 && builds.every((event) => event.result !== null);
    if ((finished && (!withFault || (await faults(cloud.db, uuid)).length > 0)) || attempt === 100) return builds;
    await sleep(100);
  }
}

describe('a port that cannot bind on the build host (workers, fake driver, real network API)', () => {
  test('the build is rescheduled to the host whose agent maps the physical network, and the guest runs there', () =>
    withBindingNetwork(async (side) => {
      await agentMaps(side.registry, 'compute-1', { physnet1: 'eth1' });
      await agentMaps(side.registry, 'compute-2', { physnet2: 'eth2' });
      const networkId = await flatNetwork(side, 'physnet1');
      await withCloud(2, async (cloud) => {
        const uuid = await bootOn(cloud, networkId);
        const row = await waitFor(cloud.db, uuid, 'active');
        assert.equal(row.host, 'compute-1');
        const builds = await finishedBuilds(cloud, uuid, false);
        // Whichever host the scheduler tried first, a failure was compute-2's.
        assert.deepEqual(builds.filter((event) => event.result !== 'Success').map((event) => event.host), builds.length === 1 ? [] : ['compute-2']);
        const ports = await side.portsOn(networkId);
        assert.deepEqual(ports.filter((port) => port['device_id'] === uuid).map((port) => [port['binding:host_id'], port['binding:vif_type']]), [['compute-1', 'bridge']], 'one port, bound where the guest runs');
      }, undefined, { network: side.neutron, vifPluggingTimeoutSeconds: 0 });
    }));

  test('where no host maps it, every host is tried and the server is ERROR with the fault "Binding failed for port"; no port is left', () =>
    withBindingNetwork(async (side) => {
      await agentMaps(side.registry, 'compute-1', { physnet1: 'eth1' });
      await agentMaps(side.registry, 'compute-2', { physnet1: 'eth1' });
      const networkId = await flatNetwork(side, 'physnet3');
      await withCloud(2, async (cloud) => {
        const uuid = await bootOn(cloud, networkId);
        await waitFor(cloud.db, uuid, 'error');
        const failedOn = (await finishedBuilds(cloud, uuid, true)).filter((event) => event.result === 'Error').map((event) => event.host);
        assert.deepEqual([...failedOn].sort(), ['compute-1', 'compute-2']);
        assert.match((await faults(cloud.db, uuid)).map((fault) => fault.message).join(' '), /Binding failed for port [0-9a-f-]{36}, please check neutron logs for more information\./);
        assert.deepEqual((await side.portsOn(networkId)).filter((port) => port['device_id'] === uuid), []);
      }, undefined, { network: side.neutron, vifPluggingTimeoutSeconds: 0 });
    }));
});
