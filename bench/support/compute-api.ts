/** The compute API as the benches drive it: an admin's requests, an image to boot from, a boot to ACTIVE. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchCloud } from './bench-cloud.js';

export interface Api {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }>;
}

export async function apiFor(cloud: BenchCloud): Promise<Api> {
  const token = await cloud.adminToken();
  return {
    async request(method, path, body, headers = {}) {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { 'x-auth-token': token, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
  };
}

export async function uploadImage(cloud: BenchCloud, api: Api): Promise<string> {
  const created = await api.request('POST', '/image/v2/images', { name: 'bench', disk_format: 'raw', container_format: 'bare' });
  const id = String(created.json['id']);
  const token = await cloud.adminToken();
  const upload = await fetch(`${cloud.url}/image/v2/images/${id}/file`, {
    method: 'PUT',
    headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(1 << 16, 7),
  });
  if (upload.status !== 204) throw new Error(`image upload answered ${upload.status}`);
  return id;
}

/** Boots `name` from `imageRef`, on `networkId` when given (else on the network Nova picks; `none`: without a port, 2.37). */
export async function createServer(api: Api, imageRef: string, name: string, networkId?: string): Promise<string> {
  const portless = networkId === NO_NETWORK;
  const networks = networkId === undefined ? {} : { networks: portless ? NO_NETWORK : [{ uuid: networkId }] };
  const version: Record<string, string> = portless ? { 'x-openstack-nova-api-version': '2.37' } : {};
  const created = await api.request('POST', '/compute/v2.1/servers', { server: { name, imageRef, flavorRef: '1', ...networks } }, version);
  if (created.status !== 202) throw new Error(`boot answered ${created.status}: ${JSON.stringify(created.json)}`);
  return String((created.json['server'] as { id: string }).id);
}

/** Boots one server and resolves when it is ACTIVE (polling every 2 ms: the latency figure). */
export async function bootToActive(api: Api, imageRef: string, name: string, networkId?: string): Promise<string> {
  const id = await createServer(api, imageRef, name, networkId);
  for (;;) {
    const shown = await api.request('GET', `/compute/v2.1/servers/${id}`);
    const status = (shown.json['server'] as { status: string }).status;
    if (status === 'ACTIVE') return id;
    if (status === 'ERROR') throw new Error(`server ${id} went to ERROR`);
    await sleep(2);
  }
}

/** True when the (filtered) server list is empty: one cheap request, whatever the number of servers. */
async function noneListed(api: Api, query: string): Promise<boolean> {
  const listed = await api.request('GET', `/compute/v2.1/servers?limit=1${query}`);
  if (listed.status !== 200) throw new Error(`server list answered ${listed.status}`);
  return (listed.json['servers'] as unknown[]).length === 0;
}

/** Fails the run when a server went to ERROR, with the first one's fault. */
export async function refuseErrors(api: Api): Promise<void> {
  const listed = await api.request('GET', '/compute/v2.1/servers/detail?status=ERROR&limit=1');
  const failed = (listed.json['servers'] as { id: string; fault?: { message: string } }[])[0];
  if (failed !== undefined) throw new Error(`some servers went to ERROR, e.g. ${failed.id}: ${failed.fault?.message ?? 'no fault recorded'}`);
}

/** How often the lister polls. */
const LISTER_POLL_MS = 20;

/** The lister: waits (polling every 20 ms) until the list (with `query`) is empty. */
export async function waitUntilNone(api: Api, query: string): Promise<void> {
  while (!(await noneListed(api, query))) await sleep(LISTER_POLL_MS);
}

/** Nova's `networks: "none"`: a server without ports (compute's own cost, comparable with trees before networking). */
export const NO_NETWORK = 'none';

/** The admin project's own network, with room for every server (DevStack's public /24 holds 253). */
export async function benchNetwork(api: Api): Promise<string> {
  const network = await api.request('POST', '/network/v2.0/networks', { network: { name: 'bench' } });
  const networkId = String((network.json['network'] as { id: string }).id);
  const subnet = await api.request('POST', '/network/v2.0/subnets', { subnet: { network_id: networkId, ip_version: 4, cidr: '10.64.0.0/20', name: 'bench' } });
  if (subnet.status !== 201) throw new Error(`subnet create answered ${subnet.status}`);
  return networkId;
}

/** Lifts the admin project's instance, core, RAM and port quotas: a bench boots more than the defaults allow (Neutron's: 500 ports). */
export async function unlimitAdminQuotas(api: Api): Promise<void> {
  const project = await adminProject(api);
  const compute = await api.request('PUT', `/compute/v2.1/os-quota-sets/${project}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  if (compute.status !== 200) throw new Error(`compute quota update answered ${compute.status}`);
  const network = await api.request('PUT', `/network/v2.0/quotas/${project}`, { quota: { port: -1 } });
  if (network.status !== 200) throw new Error(`network quota update answered ${network.status}`);
}

/** The id of the bootstrapped admin project. */
async function adminProject(api: Api): Promise<string> {
  const token = await api.request('GET', '/identity/v3/auth/projects');
  const projects = token.json['projects'] as { id: string; name: string }[];
  return projects.find((project) => project.name === 'admin')?.id ?? '';
}
