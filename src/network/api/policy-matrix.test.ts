import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { configureLogging } from '../../common/logging/logger.js';
import { personaTokenValidator } from '../../common/auth/testing/persona-tokens.js';
import { PROJECT_PERSONAS, recordRoutes, runPolicyMatrix, tokenHeader, type Persona } from '../../common/policy/testing/policy-matrix.js';
import { withNetworkApi } from '../testing/network-api-fixture.js';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../common/db/database.js';
import { NetworkStore } from '../db/network-store.js';
import { AgentRegistry } from '../plugin/agents.js';
import { NETWORK_POLICY_MATRIX, type NetworkMatrixFixture } from './policy-matrix.js';

configureLogging({ sink: () => undefined });

async function send(app: FastifyInstance, persona: Persona, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await app.inject({
    method: method as 'GET',
    url: `/network${path}`,
    headers: { ...tokenHeader(persona), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: response.body === '' ? {} : (JSON.parse(response.body) as Record<string, unknown>) };
}

/** Resources made through the API by the owning project's member (the external network by the administrator). */
function networkFixture(app: FastifyInstance, db: Database): NetworkMatrixFixture {
  let cidr = 0;
  const made = async (persona: Persona, path: string, member: string, body: Record<string, unknown>): Promise<string> => {
    const reply = await send(app, persona, 'POST', `/v2.0/${path}`, { [member]: body });
    assert.equal(reply.status, 201, JSON.stringify(reply.json));
    return String((reply.json[member] as Record<string, unknown>)['id']);
  };
  const network = () => made('member', 'networks', 'network', { name: 'fixture' });
  const subnet = async () => {
    cidr += 1;
    return made('member', 'subnets', 'subnet', { network_id: await network(), ip_version: 4, cidr: `10.${cidr}.0.0/24` });
  };
  let external: string | undefined;
  const externalNetwork = async () => {
    if (external === undefined) {
      external = await made('admin', 'networks', 'network', { name: 'public', 'router:external': true, shared: false });
      await made('admin', 'subnets', 'subnet', { network_id: external, ip_version: 4, cidr: '172.24.0.0/16' });
    }
    return external;
  };
  const router = () => made('member', 'routers', 'router', { name: 'fixture' });
  const securityGroup = () => made('member', 'security-groups', 'security_group', { name: 'fixture' });
  const routerAndSubnet = async () => ({ router: await router(), subnet: await subnet() });
  return {
    network,
    subnet,
    subnetpool: () => made('member', 'subnetpools', 'subnetpool', { name: 'fixture', prefixes: ['10.200.0.0/16'] }),
    port: async () => made('member', 'ports', 'port', { network_id: await network() }),
    router,
    floatingip: async () => made('member', 'floatingips', 'floatingip', { floating_network_id: await externalNetwork() }),
    securityGroup,
    securityGroupRule: async () => made('member', 'security-group-rules', 'security_group_rule', { security_group_id: await securityGroup(), direction: 'ingress', protocol: 'udp' }),
    routerAndSubnet,
    attachedRouter: async () => {
      const pair = await routerAndSubnet();
      const reply = await send(app, 'member', 'PUT', `/v2.0/routers/${pair.router}/add_router_interface`, { subnet_id: pair.subnet });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      return pair;
    },
    externalNetwork,
    // Agents report over the bus, not the API: one reports its state as an agent would.
    agent: async () => {
      const host = `host-${randomUUID()}`;
      const store = NetworkStore.open(db);
      await new AgentRegistry(store, 75).report({ host, agents: [{ agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'q-agent', configurations: {} }], down_reason: null, started_at: new Date().toISOString() });
      return (await store.agents.ofHost(host))[0]?.id ?? '';
    },
    tag: async (path) => {
      const reply = await send(app, 'member', 'PUT', `${path}/tags/t`);
      assert.equal(reply.status, 201, JSON.stringify(reply.json));
    },
  };
}

describe('network policy matrix', () => {
  test("every network route answers each persona as Neutron Zed's defaults do", () =>
    withNetworkApi(
      async (_call, { app, db }) => {
        const routes = recordRoutes(app, '/network');
        await app.ready();
        const problems = await runPolicyMatrix({
          registered: routes,
          rows: NETWORK_POLICY_MATRIX,
          fixture: networkFixture(app, db),
          send: async (persona, method, { path, body }) => (await send(app, persona, method, path, body)).status,
        });
        assert.deepEqual(problems, []);
      },
      {
        validator: personaTokenValidator(PROJECT_PERSONAS),
        // Each request gets resources of its own: room for all of them.
        network: { quota_network: 10_000, quota_subnet: 10_000, quota_port: 10_000, quota_router: 10_000, quota_floatingip: 10_000, quota_security_group: 10_000, quota_security_group_rule: 10_000 },
      },
    ));
});
