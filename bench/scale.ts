/**
 * Scale figures of a scaled-out cloud (issue 18): `nimbus serve identity image compute` on
 * RabbitMQ and PostgreSQL, with fake compute hosts in `nimbus compute-agent` processes.
 *
 * Run 1: HOSTS hosts in AGENT_PROCESSES agent processes; at rest (no servers) the broker's and the
 * database's load from heartbeats and resource reports over REST_SECONDS; then SERVERS servers
 * booted from CLIENTS clients, each polling its own server to ACTIVE: servers/s, p50/p99 boot
 * latency (request to ACTIVE), errors, and the p99 of every API request made meanwhile.
 * Run 2: ONE_PROCESS_HOSTS hosts in one agent process (a fresh database and vhost): its RSS per
 * host (against an agent process of one host) and the boot latency of single servers among them.
 * In both runs, the scheduler's decision time per instance (filters, weighers and the claim among
 * all hosts), from its `Selected host … in N ms` log lines.
 *
 * The broker has no per-vhost message counters without the management plugin: the figures are
 * the AMQP packets and bytes RabbitMQ received on this bench's connections (`rabbitmqctl
 * list_connections recv_cnt recv_oct`; a small publish is one packet). Database queries/s are
 * PostgreSQL's committed transactions on this bench's database (pg_stat_database.xact_commit).
 *
 * Each run makes a vhost `nimbus-bench-scale-<id>` and a database `nimbus_bench_scale_<id>` of
 * its own and removes them, its processes and its temp dirs at the end, on failure and on Ctrl-C.
 * Flags: --hosts N (500) --agent-processes N (10) --servers N (2000) --clients N (100)
 * --one-process-hosts N (10000) --rest-seconds S (30).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../test/support/free-port.js';
import { runNimbus, type NimbusProcess } from '../test/support/nimbus-process.js';
import { parseOpenrc } from '../test/support/openstack-cli.js';
import { issuePasswordToken } from '../test/support/password-token.js';
import { serviceUserEnv } from '../test/support/remote-compute-agent.js';
import { measure } from './support/latency.js';
import { memoryOf } from './support/process-stats.js';
import { BENCH_NODE_ARGS } from './support/bench-cloud.js';

const { values: flags } = parseArgs({
  options: {
    hosts: { type: 'string', default: '500' },
    'agent-processes': { type: 'string', default: '10' },
    servers: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '100' },
    'one-process-hosts': { type: 'string', default: '10000' },
    'rest-seconds': { type: 'string', default: '30' },
  },
});
const HOSTS = Number(flags.hosts);
const AGENT_PROCESSES = Math.min(HOSTS, Number(flags['agent-processes']));
const SERVERS = Number(flags.servers);
const CLIENTS = Number(flags.clients);
const ONE_PROCESS_HOSTS = Number(flags['one-process-hosts']);
const REST_SECONDS = Number(flags['rest-seconds']);
const RABBIT = new URL(process.env['NIMBUS_BENCH_RABBIT_URL'] ?? 'rabbit://guest:guest@127.0.0.1:5672/');
const POSTGRES = process.env['NIMBUS_BENCH_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** How often each client polls its server during the many-client boots; single boots poll every SINGLE_POLL_MS. */
const POLL_MS = 250;
const SINGLE_POLL_MS = 20;
const SINGLE_BOOTS = 20;

type Json = Record<string, unknown>;
const round = (value: number) => Math.round(value * 1000) / 1000;
const load = () => loadavg().map((value) => Math.round(value * 100) / 100);

/** What a run made, removed by cleanUp() whatever happened. */
interface Deployment {
  readonly id: string;
  readonly vhost: string;
  readonly database: string;
  readonly dirs: string[];
  readonly processes: NimbusProcess[];
}

const deployments = new Set<Deployment>();

function psql(sql: string, database = 'postgres'): string {
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  return execFileSync('psql', [url.toString(), '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function rabbitmqctl(...args: string[]): string {
  return execFileSync('rabbitmqctl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const cleanUps = new Map<Deployment, Promise<void>>();

/** Removes what the run made; a second call (Ctrl-C's, then the run's own `finally`) waits for the first. */
function cleanUp(deployment: Deployment): Promise<void> {
  let running = cleanUps.get(deployment);
  if (running === undefined) {
    running = removeDeployment(deployment);
    cleanUps.set(deployment, running);
  }
  return running;
}

async function removeDeployment(deployment: Deployment): Promise<void> {
  deployments.delete(deployment);
  for (const child of deployment.processes) child.child.kill('SIGTERM');
  await Promise.all(
    deployment.processes.map((child) =>
      Promise.race([child.exited(), sleep(30_000).then(() => child.child.kill('SIGKILL'))]),
    ),
  );
  for (const step of [
    () => rabbitmqctl('delete_vhost', deployment.vhost),
    () => psql(`drop database if exists "${deployment.database}" with (force)`),
  ]) {
    try {
      step();
    } catch (error) {
      process.stderr.write(`clean-up: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  for (const dir of deployment.dirs) rmSync(dir, { recursive: true, force: true });
}

// A signal may come twice (`timeout` signals its child and then its process group): the clean-up runs once and is not cut short.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([...deployments].map(cleanUp)).finally(() => process.exit(130));
  });
}

interface Cloud {
  readonly deployment: Deployment;
  readonly base: string;
  readonly token: string;
  readonly agentEnv: NodeJS.ProcessEnv;
  readonly busUrl: string;
  readonly serve: NimbusProcess;
}

/** A vhost, a database, `db sync`, `bootstrap` and `serve identity image compute` on them. */
async function startCloud(): Promise<Cloud> {
  const id = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const deployment: Deployment = { id, vhost: `nimbus-bench-scale-${id}`, database: `nimbus_bench_scale_${id}`, dirs: [], processes: [] };
  deployments.add(deployment);
  rabbitmqctl('add_vhost', deployment.vhost);
  rabbitmqctl('set_permissions', '-p', deployment.vhost, decodeURIComponent(RABBIT.username) || 'guest', '.*', '.*', '.*');
  psql(`create database "${deployment.database}"`);
  const busUrl = new URL(RABBIT);
  busUrl.pathname = `/${deployment.vhost}`;
  const dbUrl = new URL(POSTGRES);
  dbUrl.pathname = `/${deployment.database}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-scale-'));
  deployment.dirs.push(stateDir);
  const port = await freePort();
  const env = {
    NIMBUS_STATE_DIR: stateDir,
    NIMBUS_DATABASE_CONNECTION: dbUrl.toString(),
    NIMBUS_BUS_TRANSPORT_URL: busUrl.toString(),
    NIMBUS_API_PORT: String(port),
    NIMBUS_HOST: 'bench-api',
  };
  for (const step of [['db', 'sync'], ['bootstrap']]) {
    const run = runNimbus(step, env);
    if ((await run.exited()) !== 0) throw new Error(`nimbus ${step.join(' ')} failed:\n${run.output()}`);
  }
  const serve = runNimbus(['serve', 'identity', 'image', 'compute'], env, { nodeArgs: BENCH_NODE_ARGS });
  deployment.processes.push(serve);
  await serve.waitFor(/Serving identity, image, compute at/, 120_000);
  const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  const base = `http://127.0.0.1:${port}`;
  const { token } = await issuePasswordToken(base, admin);
  const agentEnv = { NIMBUS_BUS_TRANSPORT_URL: busUrl.toString(), ...serviceUserEnv(admin) };
  return { deployment, base, token, agentEnv, busUrl: busUrl.toString(), serve };
}

/** `nimbus compute-agent --driver fake --hosts count --host prefix` in a state dir of its own. */
function startAgents(cloud: Cloud, prefix: string, count: number): NimbusProcess {
  const stateDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-scale-agent-'));
  cloud.deployment.dirs.push(stateDir);
  const agent = runNimbus(['compute-agent', '--driver', 'fake', '--hosts', String(count), '--host', prefix], {
    ...cloud.agentEnv,
    NIMBUS_STATE_DIR: stateDir,
    // An address that answers nowhere: agents hold no database credentials.
    NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none',
  }, { nodeArgs: BENCH_NODE_ARGS });
  cloud.deployment.processes.push(agent);
  return agent;
}

async function request(cloud: Cloud, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${cloud.base}${path}`, {
    method,
    headers: { 'x-auth-token': cloud.token, 'content-type': 'application/json', 'openstack-api-version': 'compute 2.37' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json), ms: performance.now() - started };
}

/** Waits until `count` hypervisors are there (each agent reports its node within a heartbeat). */
async function hostsRegistered(cloud: Cloud, count: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    // The statistics' count, not the list: the list is paged at [api] max_limit.
    const statistics = await request(cloud, 'GET', '/compute/v2.1/os-hypervisors/statistics');
    const seen = statistics.status === 200 ? Number((statistics.json['hypervisor_statistics'] as Json)['count']) : 0;
    if (seen >= count) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs) throw new Error(`only ${seen} of ${count} hosts registered`);
    await sleep(1000);
  }
}

async function uploadImage(cloud: Cloud): Promise<string> {
  const created = await request(cloud, 'POST', '/image/v2/images', { name: 'bench', disk_format: 'raw', container_format: 'bare' });
  const id = String(created.json['id']);
  const upload = await fetch(`${cloud.base}/image/v2/images/${id}/file`, {
    method: 'PUT',
    headers: { 'x-auth-token': cloud.token, 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(1 << 16, 7),
  });
  if (upload.status !== 204) throw new Error(`image upload answered ${upload.status}`);
  const project = await request(cloud, 'GET', '/identity/v3/auth/projects');
  const admin = (project.json['projects'] as { id: string; name: string }[]).find((row) => row.name === 'admin');
  await request(cloud, 'PUT', `/compute/v2.1/os-quota-sets/${admin?.id ?? ''}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  return id;
}

/** Packets and bytes RabbitMQ has received on the vhost's connections, and PostgreSQL's commits on the database. */
function counters(deployment: Deployment): { packets: number; bytes: number; commits: number } {
  let packets = 0;
  let bytes = 0;
  for (const line of rabbitmqctl('list_connections', '-q', '--no-table-headers', 'vhost', 'recv_cnt', 'recv_oct').split('\n')) {
    const [vhost, cnt, oct] = line.split('\t');
    if (vhost !== deployment.vhost) continue;
    packets += Number(cnt);
    bytes += Number(oct);
  }
  const commits = Number(psql(`select xact_commit from pg_stat_database where datname = '${deployment.database}'`));
  return { packets, bytes, commits };
}

async function atRest(deployment: Deployment) {
  const before = counters(deployment);
  const started = performance.now();
  await sleep(REST_SECONDS * 1000);
  const after = counters(deployment);
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds: round(seconds),
    broker_packets_in_per_s: round((after.packets - before.packets) / seconds),
    broker_bytes_in_per_s: Math.round((after.bytes - before.bytes) / seconds),
    database_commits_per_s: round((after.commits - before.commits) / seconds),
    load: load(),
  };
}

/** The scheduler's decision times (filters, weighers and claim per instance) its log lines reported since `from` in the serve output. */
function schedulerDecisions(serve: NimbusProcess, from: number) {
  const samples = [...serve.output().slice(from).matchAll(/Selected host \S+ among (\d+) hosts in ([\d.]+) ms/g)].map((match) => Number(match[2]));
  return { decisions: samples.length, p50_ms: percentile(samples, 0.5), p99_ms: percentile(samples, 0.99), max_ms: round(Math.max(0, ...samples)) };
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1))] ?? 0);
}

/** Boots `count` servers from `clients` clients, each polling its own server until ACTIVE or ERROR. */
async function bootMany(cloud: Cloud, imageRef: string, count: number, clients: number, pollMs = POLL_MS) {
  const apiMs: number[] = [];
  const bootMs: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < count) {
      const n = next++;
      const t0 = performance.now();
      const created = await request(cloud, 'POST', '/compute/v2.1/servers', { server: { name: `scale-${n}`, imageRef, flavorRef: '1', networks: 'none' } });
      apiMs.push(created.ms);
      if (created.status !== 202) {
        errors.push(`create ${created.status}`);
        continue;
      }
      const id = String((created.json['server'] as Json)['id']);
      for (;;) {
        await sleep(pollMs);
        const shown = await request(cloud, 'GET', `/compute/v2.1/servers/${id}`);
        apiMs.push(shown.ms);
        const status = shown.status === 200 ? String((shown.json['server'] as Json)['status']) : `HTTP ${shown.status}`;
        if (status === 'ACTIVE') {
          bootMs.push(performance.now() - t0);
          break;
        }
        if (status !== 'BUILD') {
          errors.push(status);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  return {
    servers: count,
    clients,
    active: bootMs.length,
    errors: errors.length,
    error_kinds: [...new Set(errors)],
    seconds: round(seconds),
    servers_per_s: round(bootMs.length / seconds),
    boot_p50_ms: percentile(bootMs, 0.5),
    boot_p99_ms: percentile(bootMs, 0.99),
    api_requests: apiMs.length,
    api_p50_ms: percentile(apiMs, 0.5),
    api_p99_ms: percentile(apiMs, 0.99),
    load: load(),
  };
}

async function manyProcesses() {
  const cloud = await startCloud();
  try {
    const perProcess = Math.ceil(HOSTS / AGENT_PROCESSES);
    const agents: NimbusProcess[] = [];
    for (let index = 0, left = HOSTS; left > 0; index += 1, left -= perProcess) {
      agents.push(startAgents(cloud, `scale-p${index + 1}`, Math.min(perProcess, left)));
    }
    const registerSeconds = await hostsRegistered(cloud, HOSTS, 600_000);
    const rest = await atRest(cloud.deployment);
    const imageRef = await uploadImage(cloud);
    const logFrom = cloud.serve.output().length;
    const boots = await bootMany(cloud, imageRef, SERVERS, CLIENTS);
    const scheduler = schedulerDecisions(cloud.serve, logFrom);
    return {
      hosts: HOSTS,
      agent_processes: agents.length,
      seconds_to_all_hosts_registered: round(registerSeconds),
      agent_rss_mib_each: agents.map((agent) => Math.round(memoryOf(agent.child.pid ?? 0).rssKb / 1024)),
      at_rest: rest,
      boots,
      scheduler_decision: scheduler,
    };
  } finally {
    await cleanUp(cloud.deployment);
  }
}

async function oneProcess() {
  const cloud = await startCloud();
  try {
    const baseline = startAgents(cloud, 'scale-baseline', 1);
    await hostsRegistered(cloud, 1, 600_000);
    const big = startAgents(cloud, 'scale-one', ONE_PROCESS_HOSTS);
    const registerSeconds = await hostsRegistered(cloud, ONE_PROCESS_HOSTS + 1, 1_800_000);
    await sleep(5000);
    const baseRss = memoryOf(baseline.child.pid ?? 0).rssKb;
    const bigRss = memoryOf(big.child.pid ?? 0).rssKb;
    const rest = await atRest(cloud.deployment);
    const imageRef = await uploadImage(cloud);
    let n = 0;
    const logFrom = cloud.serve.output().length;
    const single = await measure(SINGLE_BOOTS, 1, async () => {
      const booted = await bootMany(cloud, imageRef, 1, 1, SINGLE_POLL_MS);
      n += 1;
      if (booted.active !== 1) throw new Error(`single boot ${n} failed: ${booted.error_kinds.join(', ')}`);
    });
    return {
      hosts: ONE_PROCESS_HOSTS,
      seconds_to_all_hosts_registered: round(registerSeconds),
      agent_rss_mib: Math.round(bigRss / 1024),
      baseline_agent_rss_mib_one_host: Math.round(baseRss / 1024),
      rss_kib_per_host: round((bigRss - baseRss) / Math.max(1, ONE_PROCESS_HOSTS - 1)),
      at_rest: rest,
      // Request to ACTIVE of one server at a time (polled every SINGLE_POLL_MS): the scheduler's decision among all hosts is part of it.
      single_boot_to_active: single,
      scheduler_decision: schedulerDecisions(cloud.serve, logFrom),
      load: load(),
    };
  } finally {
    await cleanUp(cloud.deployment);
  }
}

const startedLoad = load();
// Each run's figures go to stderr as soon as they are taken: a long run stopped in its second part keeps its first.
const many = await manyProcesses();
process.stderr.write(`hosts_in_agent_processes: ${JSON.stringify(many)}\n`);
const one = await oneProcess();
process.stdout.write(
  JSON.stringify({ bench: 'scale', load_at_start: startedLoad, hosts_in_agent_processes: many, hosts_in_one_process: one }, null, 2) + '\n',
);
