/**
 * Volume figures on the file backend: create → available (the API's 202, the scheduler's pick,
 * the volume service's sparse file, the status back over the bus) and delete → gone, measured
 * over HTTP against a real `nimbus up` (child process, fresh state dir), sequential and with 10
 * in flight. Each operation polls the volume every 5 ms. Prints one JSON object.
 */
import { startBenchCloud } from './support/bench-cloud.js';
import { measure } from './support/latency.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18791);
const POLL_MS = 5;

async function main(): Promise<void> {
  const cloud = await startBenchCloud(PORT, 'volume');
  try {
    const token = await cloud.adminToken();
    const projects = (await (await fetch(`${cloud.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': token } })).json()) as { projects: { id: string; name: string }[] };
    const project = projects.projects.find((each) => each.name === 'admin')?.id ?? '';
    const base = `${cloud.url}/volume/v3/${project}`;
    const headers = { 'x-auth-token': token, 'content-type': 'application/json' };
    const request = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, { id: string; status: string }>) };
    };
    await request('PUT', `/os-quota-sets/${project}`, { quota_set: { volumes: -1, gigabytes: -1 } });

    const waitFor = async (id: string, done: (status: number, volumeStatus: string | undefined) => boolean) => {
      for (;;) {
        const shown = await request('GET', `/volumes/${id}`);
        if (done(shown.status, shown.json['volume']?.status)) return shown.json['volume']?.status;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };
    const created: string[] = [];
    const create = async () => {
      const reply = await request('POST', '/volumes', { volume: { size: 1 } });
      if (reply.status !== 202) throw new Error(`create answered ${reply.status}`);
      const id = reply.json['volume']?.id ?? '';
      const status = await waitFor(id, (_code, volumeStatus) => volumeStatus !== 'creating');
      if (status !== 'available') throw new Error(`volume ${id} went to ${String(status)}`);
      created.push(id);
    };
    const remove = async () => {
      const id = created.pop() ?? '';
      const reply = await request('DELETE', `/volumes/${id}`);
      if (reply.status !== 202) throw new Error(`delete answered ${reply.status}`);
      await waitFor(id, (code) => code === 404);
    };
    await measure(5, 1, create); // warm-up
    await measure(5, 1, remove);
    const figures = {
      bench: 'volume',
      backend: 'file (sparse raw)',
      create_to_available_sequential: await measure(50, 1, create),
      delete_to_gone_sequential: await measure(50, 1, remove),
      create_to_available_concurrent_10: await measure(100, 10, create),
      delete_to_gone_concurrent_10: await measure(100, 10, remove),
      poll_interval_ms: POLL_MS,
    };
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  } finally {
    await cloud.stop();
  }
}

await main();
