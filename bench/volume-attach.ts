/**
 * Volume attach and detach as a user sees them on a real guest: `nimbus up --driver qemu` (child
 * process), one nimbus-tiny server, then per sample a 1 GiB file-backend volume attached over the
 * compute API until the guest's console announces the disk with the volume's serial (attach →
 * visible in the guest), and detached until the guest announces it gone and Cinder shows it
 * available (detach → released). The guest's disk watcher polls every second, which bounds the
 * resolution. Prints one JSON object. `NIMBUS_VOLUME_TARGET_PROTOCOL=nbd` makes the volume service
 * export every volume over NBD (qemu-storage-daemon, TLS-PSK) even to its own compute host, so
 * the two transports compare on one machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchCloud } from './support/bench-cloud.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18792);
const SAMPLES = Number(process.env['NIMBUS_BENCH_SAMPLES'] ?? 5);
const POLL_MS = 100;
const PROTOCOL = process.env['NIMBUS_VOLUME_TARGET_PROTOCOL'] === 'nbd' ? 'nbd' : 'file';

type Json = Record<string, unknown>;

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const cloud = await startBenchCloud(PORT, 'volattach', ['--driver', 'qemu', '--compute-hosts', '1']);
  try {
    const token = await cloud.adminToken();
    const projects = (await (await fetch(`${cloud.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': token } })).json()) as { projects: { id: string; name: string }[] };
    const project = projects.projects.find((each) => each.name === 'admin')?.id ?? '';
    const call = async (service: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
      const response = await fetch(`${cloud.url}${service}${path}`, {
        method,
        headers: { 'x-auth-token': token, 'content-type': 'application/json', 'openstack-api-version': service.startsWith('/compute') ? 'compute 2.79' : 'volume 3.44' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
    };
    const compute = (method: string, path: string, body?: unknown) => call('/compute/v2.1', method, path, body);
    const volume = (method: string, path: string, body?: unknown) => call(`/volume/v3/${project}`, method, path, body);
    const until = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (let attempt = 0; attempt < 1200; attempt += 1) {
        const found = await probe();
        if (found !== undefined) return found;
        await sleep(POLL_MS);
      }
      throw new Error(`${what} never happened`);
    };
    const consoleLog = async (server: string): Promise<string> => {
      const output = (await compute('POST', `/servers/${server}/action`, { 'os-getConsoleOutput': {} })).json['output'];
      return typeof output === 'string' ? output : '';
    };
    const volumeStatus = async (id: string) => ((await volume('GET', `/volumes/${id}`)).json['volume'] as Json)['status'];

    const images = (await call('/image', 'GET', '/v2/images?name=nimbus-tiny')).json['images'] as Json[];
    const created = await compute('POST', '/servers', { server: { name: 'bench-attach', imageRef: images[0]?.['id'], flavorRef: '1', networks: 'none' } });
    const server = String((created.json['server'] as Json)['id']);
    await until(async () => ((await consoleLog(server)).includes('nimbus-tiny ready') ? true : undefined), 'the guest booting');

    const attach: number[] = [];
    const detach: number[] = [];
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const made = await volume('POST', '/volumes', { volume: { size: 1 } });
      const id = String((made.json['volume'] as Json)['id']);
      await until(async () => ((await volumeStatus(id)) === 'available' ? true : undefined), `volume ${id} available`);
      const added = new RegExp(`disk added (vd[a-z]) size=\\d+ serial=${id.slice(0, 20)}`);
      let started = performance.now();
      const reply = await compute('POST', `/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: id } });
      if (reply.status !== 200) throw new Error(`attach answered ${reply.status}: ${JSON.stringify(reply.json)}`);
      const device = await until(async () => added.exec(await consoleLog(server))?.[1], `volume ${id} visible in the guest`);
      attach.push(Math.round(performance.now() - started));
      const removedBefore = ((await consoleLog(server)).match(new RegExp(`disk removed ${device}`, 'g')) ?? []).length;
      started = performance.now();
      await compute('DELETE', `/servers/${server}/os-volume_attachments/${id}`);
      await until(async () => (((await consoleLog(server)).match(new RegExp(`disk removed ${device}`, 'g')) ?? []).length > removedBefore ? true : undefined), `volume ${id} gone from the guest`);
      await until(async () => ((await volumeStatus(id)) === 'available' ? true : undefined), `volume ${id} available again`);
      detach.push(Math.round(performance.now() - started));
      await volume('DELETE', `/volumes/${id}`);
    }
    await compute('DELETE', `/servers/${server}`);
    await until(async () => ((await compute('GET', `/servers/${server}`)).status === 404 ? true : undefined), 'the server deleted');
    process.stdout.write(
      JSON.stringify(
        {
          bench: 'volume-attach',
          backend: 'file (sparse raw), virtio-blk hot-plug over QMP',
          transport: PROTOCOL === 'nbd' ? 'NBD export per attachment (qemu-storage-daemon, TLS-PSK) on 127.0.0.1' : 'the volume file opened by path',
          samples: SAMPLES,
          attach_to_visible_in_guest_ms: { p50: percentile(attach, 0.5), max: Math.max(...attach), all: attach },
          detach_to_available_ms: { p50: percentile(detach, 0.5), max: Math.max(...detach), all: detach },
          guest_disk_watch_period_ms: 1000,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await cloud.stop();
  }
}

await main();
