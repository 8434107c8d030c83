/** The compute API as the benches drive it: an admin's requests, an image to boot from, a boot to ACTIVE. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchCloud } from './bench-cloud.js';

export interface Api {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

export async function apiFor(cloud: BenchCloud): Promise<Api> {
  const token = await cloud.adminToken();
  return {
    async request(method, path, body) {
      const response = await fetch(`${cloud.url}${path}`, {
        method,
        headers: { 'x-auth-token': token, 'content-type': 'application/json' },
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

/** Boots `name` from `imageRef`, on `networkId` when given (else on the network Nova picks). */
export async function createServer(api: Api, imageRef: string, name: string, networkId?: string): Promise<string> {
  const networks = networkId === undefined ? {} : { networks: [{ uuid: networkId }] };
  const created = await api.request('POST', '/compute/v2.1/servers', { server: { name, imageRef, flavorRef: '1', ...networks } });
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
