/**
 * Test-only: the compute app whose servers API talks to a real network API listening on loopback
 * (through NeutronClient with the caller's token), over a small topology: demo's two networks with
 * subnets, one without, another project's network, a used and a free port.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { personaTokenValidator } from '../../common/auth/testing/persona-tokens.js';
import type { RequestContext } from '../../common/context/request-context.js';
import { withNetworkApi } from '../../network/testing/network-api-fixture.js';
import { NeutronClient } from '../network/neutron-client.js';
import { withLocalSecurityGroupReads } from '../network/local-security-group-reads.js';
import { deviceSecurityGroupsReader } from '../../network/api/device-security-groups.js';
import { withComputeApp, type Harness } from './compute-test-app.js';

const PERSONAS = {
  'admin-token': { userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] },
  'demo-token': { userId: 'user-of-demo', projectId: 'demo', roles: ['member', 'reader'] },
  'lonely-token': { userId: 'user-of-lonely', projectId: 'lonely', roles: ['member', 'reader'] },
};
export const DEMO: RequestContext = { requestId: 'req-demo', userId: 'user-of-demo', projectId: 'demo', roles: ['member', 'reader'], isAdmin: false, authToken: 'demo-token' };
export const LONELY: RequestContext = { requestId: 'req-lonely', userId: 'user-of-lonely', projectId: 'lonely', roles: ['member', 'reader'], isAdmin: false, authToken: 'lonely-token' };

export interface Topology {
  readonly net1: string;
  readonly net2: string;
  readonly bare: string;
  readonly othersNet: string;
  readonly usedPort: string;
  readonly freePort: string;
  /** POSTs to the network API as its administrator; answers the new resource's id. */
  readonly made: AdminPost;
  /** The same as a member of demo. */
  readonly madeByDemo: AdminPost;
  /** The network API's base URL (…/network). */
  readonly base: string;
  /** GET on the network API as its administrator. */
  readonly read: (path: string) => Promise<Record<string, unknown>>;
}

/** A POST to the network API as the cloud admin (or the token's holder) would make it, over HTTP: asserts 201 and answers the new resource's id. */
export type AdminPost = (path: string, body: Record<string, unknown>) => Promise<string>;

export function adminPost(base: string, token = 'admin-token'): AdminPost {
  return async (path, body) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json()) as Record<string, { id: string }>;
    assert.equal(response.status, 201, JSON.stringify(json));
    return String(Object.values(json)[0]?.id);
  };
}

async function topology(base: string, made: AdminPost, madeByDemo: AdminPost, read: Topology['read']): Promise<Topology> {
  const network = async (name: string, project: string, cidr?: string) => {
    const id = await made('/v2.0/networks', { network: { name, project_id: project } });
    if (cidr !== undefined) await made('/v2.0/subnets', { subnet: { network_id: id, cidr, ip_version: 4, project_id: project } });
    return id;
  };
  const net1 = await network('private', 'demo', '10.0.0.0/24');
  const net2 = await network('second', 'demo', '10.0.1.0/24');
  const bare = await network('bare', 'demo');
  const othersNet = await network('theirs', 'other', '10.9.0.0/24');
  const usedPort = await made('/v2.0/ports', { port: { network_id: net1, project_id: 'demo', device_id: 'c0ffee00-0000-4000-8000-000000000001', device_owner: 'compute:nova' } });
  const freePort = await made('/v2.0/ports', { port: { network_id: net1, project_id: 'demo' } });
  return { net1, net2, bare, othersNet, usedPort, freePort, made, madeByDemo, base, read };
}

/**
 * The compute app whose servers API checks networks at a network API listening on loopback;
 * with `localSecurityGroupReads`, it reads server views' security groups from the network plugin
 * directly, as the all-in-one does.
 */
export function withNetworkedCompute(fn: (harness: Harness, net: Topology) => Promise<void>, options: { localSecurityGroupReads?: boolean } = {}): Promise<void> {
  return withNetworkApi(
    async (_call, { app, plugin, policy }) => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}/network`;
      const read = async (path: string) => (await (await fetch(`${base}${path}`, { headers: { 'x-auth-token': 'admin-token' } })).json()) as Record<string, unknown>;
      const net = await topology(base, adminPost(base), adminPost(base, 'demo-token'), read);
      const neutron = new NeutronClient({
        endpointOverride: `http://127.0.0.1:${port}/network`,
        defaultFloatingPool: 'public',
        serviceUser: { token: async () => 'admin-token', endpoint: async () => `http://127.0.0.1:${port}/network` },
      });
      const network = options.localSecurityGroupReads === true ? withLocalSecurityGroupReads(neutron, deviceSecurityGroupsReader(plugin, policy)) : neutron;
      await withComputeApp((harness) => fn(harness, net), { network });
    },
    { validator: personaTokenValidator(PERSONAS) },
  );
}

