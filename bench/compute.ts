/**
 * Compute control-plane figures on the fake driver, through the real API of a `nimbus up`
 * child process: boot→ACTIVE latency of one server (p50 over 20), boots to ACTIVE per second
 * with 50 clients over 100 fake hosts, deletes per second, and GET /servers/detail with 100
 * servers. Reference (Nova Zed, fake driver, this machine kind): boot→ACTIVE median 1.40 s,
 * 0.30–0.33 boots/s from 10 clients, 0.66 deletes/s, detail of 100 servers p50 451 ms.
 * NIMBUS_BENCH_SERVERS sets how many servers the throughput run boots (default 200).
 */
import { startBenchCloud, type BenchCloud } from './support/bench-cloud.js';
import { measure } from './support/latency.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18792);
const SERVERS = Number(process.env['NIMBUS_BENCH_SERVERS'] ?? 200);
const HOSTS = 100;

interface Api {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

async function apiFor(cloud: BenchCloud): Promise<Api> {
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

async function uploadImage(cloud: BenchCloud, api: Api): Promise<string> {
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

/** Boots one server and resolves when it is ACTIVE (polling every 2 ms). */
async function bootToActive(api: Api, imageRef: string, name: string): Promise<string> {
  const created = await api.request('POST', '/compute/v2.1/servers', { server: { name, imageRef, flavorRef: '1' } });
  if (created.status !== 202) throw new Error(`boot answered ${created.status}: ${JSON.stringify(created.json)}`);
  const id = String((created.json['server'] as { id: string }).id);
  for (;;) {
    const shown = await api.request('GET', `/compute/v2.1/servers/${id}`);
    const status = (shown.json['server'] as { status: string }).status;
    if (status === 'ACTIVE') return id;
    if (status === 'ERROR') throw new Error(`server ${id} went to ERROR`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function deleteAndWait(api: Api, id: string): Promise<void> {
  await api.request('DELETE', `/compute/v2.1/servers/${id}`);
  while ((await api.request('GET', `/compute/v2.1/servers/${id}`)).status !== 404) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function main(): Promise<void> {
  const cloud = await startBenchCloud(PORT, 'compute', ['--compute-hosts', String(HOSTS)]);
  try {
    const api = await apiFor(cloud);
    await api.request('PUT', `/compute/v2.1/os-quota-sets/${await adminProject(api)}`, {
      quota_set: { instances: -1, cores: -1, ram: -1 },
    });
    const imageRef = await uploadImage(cloud, api);

    let n = 0;
    const single: string[] = [];
    const bootLatency = await measure(20, 1, async () => void single.push(await bootToActive(api, imageRef, `single-${n++}`)));
    for (const id of single) await deleteAndWait(api, id);

    const many: string[] = [];
    const boots = await measure(SERVERS, 50, async () => void many.push(await bootToActive(api, imageRef, `many-${n++}`)));
    const detail = await measure(50, 1, async () => {
      const listed = await api.request('GET', '/compute/v2.1/servers/detail?limit=100');
      if (listed.status !== 200) throw new Error(`detail answered ${listed.status}`);
    });
    const pending = [...many];
    const deletes = await measure(many.length, 50, async () => deleteAndWait(api, pending.pop() ?? ''));

    process.stdout.write(
      JSON.stringify(
        {
          bench: 'compute',
          hosts: HOSTS,
          boot_to_active_single: bootLatency,
          boots_50_clients: { ...boots, servers_per_sec: boots.requests_per_sec },
          servers_detail_100: detail,
          deletes_50_clients: { ...deletes, servers_per_sec: deletes.requests_per_sec },
          reference_nova_zed: { boot_to_active_median_s: 1.4, boots_per_s: 0.32, deletes_per_s: 0.66, detail_100_p50_ms: 451 },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await cloud.stop();
  }
}

async function adminProject(api: Api): Promise<string> {
  const token = await api.request('GET', '/identity/v3/auth/projects');
  const projects = token.json['projects'] as { id: string; name: string }[];
  return projects.find((project) => project.name === 'admin')?.id ?? '';
}

await main();
