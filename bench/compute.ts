/**
 * Compute control-plane figures on the fake driver, through the real API of a `nimbus up`
 * child process over 100 fake hosts: boot→ACTIVE latency of one server (p50 over 20); 1,000
 * servers created by 50 clients and the rate at which they reach ACTIVE, and meanwhile the latency
 * of `GET /` on a new connection (probed every 20 ms: what a fresh client waits while the node is
 * busy); GET /servers/detail with 1,000 and with 100 servers (the 100 also with a new connection per
 * request, as a CLI run makes them), Keystone token validate on a new connection per request;
 * deletes by 50 clients and the rate at which they are gone; and the idle RSS of a default
 * all-in-one node. The clients do not poll their own servers: one lister
 * waits (every 20 ms) until none is left building, or none is left at all. Each client's
 * connection is opened before a timed phase: under a saturated event loop a new connection
 * waits to be accepted, which would measure connection set-up, not the API. `server_cpu_ms_per_server`
 * is the cloud process's CPU time per server, steadier than rates on a shared machine; the detail and
 * validate figures carry `server_cpu_ms_per_request` likewise. `cloud_main_thread_run_queue_wait_ms` is how
 * long, during the boots, the cloud's main thread was ready to run but had no CPU (other load on a
 * shared machine): that wait lands on the fresh-connection latency and no code of the cloud shortens it.
 * Reference (Nova Zed, fake driver, this machine kind): boot→ACTIVE median 1.40 s,
 * 0.30–0.33 boots/s from 10 clients, 0.66 deletes/s, detail of 100 servers p50 451 ms.
 * NIMBUS_BENCH_SERVERS sets how many servers the throughput run boots (default 1000);
 * NIMBUS_BENCH_NETWORK=none boots them without ports (compute alone, as trees before networking).
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchCloud } from './support/bench-cloud.js';
import { apiFor, benchNetwork, bootToActive, createServer, NO_NETWORK, refuseErrors, unlimitAdminQuotas, uploadImage, waitUntilNone, type Api } from './support/compute-api.js';
import { measureNewConnections, probeNewConnections } from './support/fresh-connection.js';
import { measure, type LatencyFigures } from './support/latency.js';
import { cpuMsOf, memoryOf, runQueueWaitMsOf } from './support/process-stats.js';

const PORT = Number(process.env['NIMBUS_BENCH_PORT'] ?? 18792);
const SERVERS = Number(process.env['NIMBUS_BENCH_SERVERS'] ?? 1000);
const CLIENTS = 50;
const HOSTS = 100;
const PROBE_INTERVAL_MS = 20;

/** What the bench boots from and on. */
interface Boot {
  readonly imageRef: string;
  readonly networkId: string;
}

/** Opens one keep-alive connection per client (concurrent requests each take a connection of the pool). */
async function openConnections(api: Api, clients: number): Promise<void> {
  await Promise.all(Array.from({ length: clients }, () => api.request('GET', '/compute/v2.1/')));
}

/**
 * Creates `count` servers from `clients` clients, then waits until none is building; all must be
 * ACTIVE. Meanwhile `GET /` is probed on new connections at `rootUrl`.
 */
async function bootMany(api: Api, pid: number, rootUrl: string, boot: Boot, count: number, clients: number, prefix: string) {
  const ids: string[] = [];
  await openConnections(api, clients);
  const cpuBefore = cpuMsOf(pid);
  const waitedBefore = runQueueWaitMsOf(pid);
  const started = performance.now();
  const probe = probeNewConnections(rootUrl, PROBE_INTERVAL_MS);
  const creates = await measure(count, clients, async () => void ids.push(await createServer(api, boot.imageRef, `${prefix}-${ids.length}`, boot.networkId)));
  await waitUntilNone(api, '&status=BUILD');
  const seconds = (performance.now() - started) / 1000;
  const newConnections = await probe.stop();
  const cpuMs = cpuMsOf(pid) - cpuBefore;
  const runQueueWaitMs = runQueueWaitMsOf(pid) - waitedBefore;
  await refuseErrors(api);
  return { ids, creates, seconds, cpuMsPerServer: round(cpuMs / count), newConnections, runQueueWaitMs: Math.round(runQueueWaitMs) };
}

async function deleteMany(api: Api, pid: number, ids: readonly string[], clients: number) {
  const pending = [...ids];
  await openConnections(api, clients);
  const cpuBefore = cpuMsOf(pid);
  const started = performance.now();
  const deletes = await measure(ids.length, clients, async () => {
    const deleted = await api.request('DELETE', `/compute/v2.1/servers/${pending.pop() ?? ''}`);
    if (deleted.status !== 204) throw new Error(`delete answered ${deleted.status}`);
  });
  await waitUntilNone(api, '');
  return { deletes, seconds: (performance.now() - started) / 1000, cpuMsPerServer: round((cpuMsOf(pid) - cpuBefore) / ids.length) };
}

/** Latency figures with the cloud process's CPU time per request (steadier than latency on a shared machine). */
async function withServerCpu<T extends LatencyFigures>(pid: number, run: () => Promise<T>): Promise<T & { server_cpu_ms_per_request: number }> {
  const cpuBefore = cpuMsOf(pid);
  const figures = await run();
  return { ...figures, server_cpu_ms_per_request: round((cpuMsOf(pid) - cpuBefore) / figures.count) };
}

const detailOf = (api: Api, pid: number, query: string) =>
  withServerCpu(pid, () =>
    measure(30, 1, async () => {
      const listed = await api.request('GET', `/compute/v2.1/servers/detail${query}`);
      if (listed.status !== 200) throw new Error(`detail answered ${listed.status}`);
    }),
  );

/** RSS of a default all-in-one node (one fake host) after start-up has settled. */
async function idleRssMb(): Promise<number> {
  const cloud = await startBenchCloud(PORT + 1, 'compute-idle');
  try {
    await sleep(5000);
    return Math.round(memoryOf(cloud.pid).rssKb / 1024);
  } finally {
    await cloud.stop();
  }
}

async function main(): Promise<void> {
  const idleRss = await idleRssMb();
  const cloud = await startBenchCloud(PORT, 'compute', ['--compute-hosts', String(HOSTS)]);
  try {
    const api = await apiFor(cloud);
    await unlimitAdminQuotas(api);
    const networkId = process.env['NIMBUS_BENCH_NETWORK'] === NO_NETWORK ? NO_NETWORK : await benchNetwork(api);
    const boot: Boot = { imageRef: await uploadImage(cloud, api), networkId };

    let n = 0;
    const single: string[] = [];
    const bootLatency = await measure(20, 1, async () => void single.push(await bootToActive(api, boot.imageRef, `single-${n++}`, boot.networkId)));
    await deleteMany(api, cloud.pid, single, 1);

    const rootUrl = `${cloud.url}/`;
    const boots = await bootMany(api, cloud.pid, rootUrl, boot, SERVERS, CLIENTS, 'many');
    const detailAll = await detailOf(api, cloud.pid, '');
    const detailPage = await detailOf(api, cloud.pid, '?limit=100');
    const deletes = await deleteMany(api, cloud.pid, boots.ids, CLIENTS);

    const hundred = await bootMany(api, cloud.pid, rootUrl, boot, 100, CLIENTS, 'hundred');
    const detail100 = await detailOf(api, cloud.pid, '');
    const token = await cloud.adminToken();
    const detail100New = await withServerCpu(cloud.pid, () => measureNewConnections(100, `${cloud.url}/compute/v2.1/servers/detail`, { 'x-auth-token': token }, 200));
    const validateNew = await withServerCpu(cloud.pid, () => measureNewConnections(300, `${cloud.url}/identity/v3/auth/tokens`, { 'x-auth-token': token, 'x-subject-token': token }, 200));
    await deleteMany(api, cloud.pid, hundred.ids, CLIENTS);

    process.stdout.write(
      JSON.stringify(
        {
          bench: 'compute',
          hosts: HOSTS,
          clients: CLIENTS,
          servers: SERVERS,
          boot_to_active_single: bootLatency,
          boots: {
            creates: boots.creates,
            seconds_to_all_active: round(boots.seconds),
            servers_per_sec_to_active: Math.round(SERVERS / boots.seconds),
            server_cpu_ms_per_server: boots.cpuMsPerServer,
            get_root_new_connection: boots.newConnections,
            cloud_main_thread_run_queue_wait_ms: boots.runQueueWaitMs,
            machine_load_1min: round(loadavg()[0] ?? 0),
          },
          [`servers_detail_${SERVERS}`]: detailAll,
          [`servers_detail_limit_100_of_${SERVERS}`]: detailPage,
          servers_detail_100: detail100,
          servers_detail_100_new_connection: detail100New,
          token_validate_new_connection: validateNew,
          deletes: {
            deletes: deletes.deletes,
            seconds_to_all_gone: round(deletes.seconds),
            servers_per_sec_to_gone: Math.round(SERVERS / deletes.seconds),
            server_cpu_ms_per_server: deletes.cpuMsPerServer,
          },
          idle_rss_all_in_one_mib: idleRss,
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

const round = (value: number) => Math.round(value * 1000) / 1000;

await main();
