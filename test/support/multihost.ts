/**
 * Several hosts on one machine (issue 18), as docs/DEPLOY.md lays them out: a control side on the
 * machine itself (`nimbus serve` with every API, the conductor, the scheduler and the network
 * server, on PostgreSQL and RabbitMQ) and compute hosts that are really apart: each a network
 * namespace `nmb-<tag>-hostN` joined to a test bridge by a veth, with its own address on a private
 * 10.251.x.0/24, its own state dir, instances path and runtime dirs, running its own
 * `nimbus compute-agent` (its QEMUs, their taps and their migration listeners live in the
 * namespace) and `nimbus network-agent` (bridges, VXLAN tunnels to the other hosts' addresses,
 * DHCP). Each host's agents also get a /run/netns of their own, as on separate machines, so two
 * hosts' `qdhcp-<network>` namespaces do not clash. RabbitMQ and PostgreSQL listen on loopback
 * only: a forwarder process on the bridge address gives the namespaces a way to them.
 *
 * Every process runs detached with its log under the deployment's root; what was made is written
 * to `<root>/multihost.json` as it is made, so that `down` (here, or `scripts/multihost down` from
 * another process) removes it all: processes, namespaces, veths, the bridge, the vhost, the
 * database and the files, also after a start that failed halfway.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hostPaths, type HostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { ensureTinyImage } from '../../src/compute/virt/qemu/guest-image/tiny-image.js';
import { freePort } from './free-port.js';
import { CLI_MAIN } from './nimbus-process.js';
import { openstackOk, parseOpenrc, type OpenstackEnv } from './openstack-cli.js';
import { openstackRest } from './openstack-rest.js';
import { formatForward, type Forward } from './tcp-forwarder.js';

const run = promisify(execFile);

/** The harness's own entry point (`forward`, and the script's `up`/`down`). */
export const MULTIHOST_MAIN = fileURLToPath(new URL('./multihost-main.js', import.meta.url));
const ROOT_PREFIX = '/tmp/nmh-';
const MANIFEST = 'multihost.json';
const RABBIT = { host: '127.0.0.1', port: 5672, user: 'guest', password: 'guest' };
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' };
/** Heartbeats every 5 s, down after 20: a killed host shows down within half a minute. */
const TIMING = { report_interval: '5', service_down_time: '20' };

export interface MultihostOptions {
  /** Compute hosts, host1 … hostN (default 2). */
  readonly hosts?: number;
  /** Numbers of the hosts whose `[compute] instances_path` is one shared directory (as an NFS mount); the others keep their own. */
  readonly sharedStorage?: readonly number[];
  /** Names the deployment's objects (default: random), 6 lower-case letters or digits at most. */
  readonly tag?: string;
  /** Progress lines (the script prints them). */
  readonly log?: (line: string) => void;
}

export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
}

/** What a deployment made, written as it is made: all `down` needs. */
export interface Manifest {
  readonly tag: string;
  readonly root: string;
  readonly bridge: string;
  /** The first three octets of the test subnet. */
  readonly prefix: string;
  readonly controlIp: string;
  readonly apiPort: number;
  readonly metadataPort: number;
  readonly rabbitPort: number;
  readonly postgresPort: number;
  readonly vhost: string;
  readonly database: string;
  /** `[neutron] metadata_proxy_shared_secret`, the same on the control side and every host (each generates its own otherwise). */
  readonly metadataSecret: string;
  readonly hosts: MultihostHostRecord[];
  readonly processes: ProcessRecord[];
  vhostMade: boolean;
  databaseMade: boolean;
  bridgeMade: boolean;
}

export interface MultihostHostRecord {
  readonly name: string;
  readonly namespace: string;
  readonly veth: string;
  readonly address: string;
  readonly stateDir: string;
  readonly config: string;
  /** `[compute] instances_path`, empty for the host's own. */
  readonly instancesPath: string;
  made: boolean;
}

export interface MultihostHost extends MultihostHostRecord {
  /** Where its guests' files are: `instances` its storage (own or shared), `runtime` its own. */
  readonly paths: HostPaths;
  /** The pids of its agents now running. */
  agentPids(): number[];
  /** kill -9 of its compute and network agents and its QEMUs: a host that loses power. */
  kill(): Promise<void>;
  /** Starts its agents again (after kill()), waiting until both run. */
  start(): Promise<void>;
}

export interface Multihost {
  readonly manifest: Manifest;
  /** The cloud's admin (its openrc, `<root>/admin-openrc`). */
  readonly admin: OpenstackEnv;
  readonly hosts: readonly MultihostHost[];
  host(name: string): MultihostHost;
  /** The last `max` WARNING, ERROR and CRITICAL lines of every process's log, each after its process's name: why a wait failed. */
  problems(max?: number): string;
  /** Removes everything the deployment made; safe to call twice. */
  down(): Promise<void>;
}

/** Why the harness cannot run here (pass as `skip`), or false. */
export function multihostUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'the multi-host harness makes namespaces and bridges: it needs root';
  return false;
}

const manifestPath = (root: string) => join(root, MANIFEST);
function save(manifest: Manifest): void {
  writeFileSync(manifestPath(manifest.root), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifests of the deployments on this machine (what `scripts/multihost down` removes). */
export function deployments(): Manifest[] {
  return readdirSync('/tmp')
    .map((entry) => join('/tmp', entry))
    .filter((dir) => dir.startsWith(ROOT_PREFIX) && existsSync(manifestPath(dir)))
    .map((dir) => JSON.parse(readFileSync(manifestPath(dir), 'utf8')) as Manifest);
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

async function tryIp(...args: string[]): Promise<void> {
  await run('ip', args).catch(() => undefined);
}

/** A 10.251.x prefix no interface or route of this machine uses. */
async function freeSubnet(): Promise<string> {
  const used = (await run('ip', ['-4', 'addr'])).stdout + (await run('ip', ['-4', 'route'])).stdout;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const prefix = `10.251.${randomInt(1, 255)}`;
    if (!used.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.251.x.0/24 subnet');
}

function ini(sections: Record<string, Record<string, string | number>>): string {
  return Object.entries(sections)
    .map(([section, options]) => [`[${section}]`, ...Object.entries(options).map(([key, value]) => `${key} = ${value}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}

/** The [service_user] section of the cloud's admin: how agents and the network server (its port events to Nova) authenticate. */
function serviceUser(admin: OpenstackEnv): Record<string, string> {
  return {
    auth_url: admin['OS_AUTH_URL'] ?? '',
    username: admin['OS_USERNAME'] ?? '',
    password: admin['OS_PASSWORD'] ?? '',
    project_name: admin['OS_PROJECT_NAME'] ?? '',
  };
}

/** The control side's config; with the admin's credentials once bootstrap made them. */
function controlConfig(m: Manifest, admin?: OpenstackEnv): string {
  return ini({
    DEFAULT: { host: 'control', state_dir: join(m.root, 'control'), ...TIMING },
    api: { bind_host: m.controlIp, port: m.apiPort, public_url: `http://${m.controlIp}:${m.apiPort}`, metadata_listen: m.controlIp, metadata_listen_port: m.metadataPort },
    database: { connection: `postgresql://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${m.database}` },
    bus: { transport_url: `rabbit://${RABBIT.user}:${RABBIT.password}@${RABBIT.host}:${RABBIT.port}/${m.vhost}` },
    // Routers are wired by the first compute host's network agent: the control side runs none.
    network: { l3_host: 'host1' },
    neutron: { metadata_proxy_shared_secret: m.metadataSecret },
    ...(admin === undefined ? {} : { service_user: serviceUser(admin) }),
  });
}

function hostConfig(m: Manifest, host: MultihostHostRecord, admin: OpenstackEnv): string {
  return ini({
    DEFAULT: { host: host.name, state_dir: host.stateDir, ...TIMING, nova_metadata_host: m.controlIp, nova_metadata_port: m.metadataPort },
    bus: { transport_url: `rabbit://${RABBIT.user}:${RABBIT.password}@${m.controlIp}:${m.rabbitPort}/${m.vhost}` },
    compute: { driver: 'qemu', ...(host.instancesPath === '' ? {} : { instances_path: host.instancesPath }), live_migration_inbound_addr: host.address },
    network: { datapath: 'linux-bridge', datapath_state_dir: join(host.stateDir, 'datapath'), local_ip: host.address, nft_table: `nimbus_mh_${m.tag}` },
    neutron: { metadata_proxy_shared_secret: m.metadataSecret },
    service_user: serviceUser(admin),
  });
}

/** The environment of a harness process: this one's, without the NIMBUS_* a test runner may have set. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NIMBUS_')));
}

/**
 * A host's agents run in its namespace, with a /run/netns of their own (a private mount
 * namespace with a tmpfs there): the namespaces they make (qdhcp-…, qrouter-…) are the host's.
 */
function inHost(namespace: string): string[] {
  return ['ip', 'netns', 'exec', namespace, 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs -o mode=0755 nimbus-netns /run/netns && exec "$0" "$@"'];
}

const children = new Map<number, ChildProcess>();

/** Starts a detached process logging to `<root>/logs/<name>.log`, recorded in the manifest. */
function launch(m: Manifest, name: string, argv: readonly string[]): ProcessRecord {
  mkdirSync(join(m.root, 'logs'), { recursive: true });
  const log = join(m.root, 'logs', `${name}.log`);
  const fd = openSync(log, 'a');
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: { ...cleanEnv(), NIMBUS_CONFIG: '/dev/null' } });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  children.set(child.pid, child);
  const record = { name, pid: child.pid, log };
  m.processes.push(record);
  save(m);
  return record;
}

function alive(pid: number): boolean {
  const child = children.get(pid);
  if (child !== undefined) return child.exitCode === null && child.signalCode === null;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(log: string, lines = 40): string {
  return readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Waits until the process's log matches `pattern`; fails at once if the process ends first. */
async function waitForLog(record: ProcessRecord, pattern: RegExp, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pattern.test(readFileSync(record.log, 'utf8'))) return;
    if (!alive(record.pid)) throw new Error(`${record.name} exited before ${pattern}:\n${tail(record.log)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} from ${record.name}:\n${tail(record.log)}`);
    await sleep(250);
  }
}

/** Runs `nimbus <args>` to its end (db sync, bootstrap), failing with its output. */
async function nimbusOnce(args: readonly string[]): Promise<void> {
  await run(process.execPath, [CLI_MAIN, ...args], { env: { ...cleanEnv(), NIMBUS_CONFIG: '/dev/null' } }).catch((error: unknown) => {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`nimbus ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

async function makeNetwork(m: Manifest): Promise<void> {
  await ip('link', 'add', m.bridge, 'type', 'bridge');
  m.bridgeMade = true;
  save(m);
  await ip('addr', 'add', `${m.controlIp}/24`, 'dev', m.bridge);
  await ip('link', 'set', 'dev', m.bridge, 'up');
  for (const host of m.hosts) {
    await ip('netns', 'add', host.namespace);
    host.made = true;
    save(m);
    await ip('link', 'add', host.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.namespace);
    await ip('link', 'set', 'dev', host.veth, 'master', m.bridge, 'up');
    await ip('-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
    await ip('-n', host.namespace, 'link', 'set', 'dev', 'eth0', 'up');
    await ip('-n', host.namespace, 'link', 'set', 'dev', 'lo', 'up');
  }
}

async function makeBackends(m: Manifest): Promise<void> {
  await run('rabbitmqctl', ['add_vhost', m.vhost]);
  m.vhostMade = true;
  save(m);
  await run('rabbitmqctl', ['set_permissions', '-p', m.vhost, RABBIT.user, '.*', '.*', '.*']);
  await run('psql', ['-h', POSTGRES.host, '-p', String(POSTGRES.port), '-U', POSTGRES.user, '-q', '-c', `create database "${m.database}"`]);
  m.databaseMade = true;
  save(m);
}

function startForwarder(m: Manifest): ProcessRecord {
  const forwards: Forward[] = [
    { listenHost: m.controlIp, listenPort: m.rabbitPort, targetHost: RABBIT.host, targetPort: RABBIT.port },
    { listenHost: m.controlIp, listenPort: m.postgresPort, targetHost: POSTGRES.host, targetPort: POSTGRES.port },
  ];
  return launch(m, 'forwarder', [process.execPath, MULTIHOST_MAIN, 'forward', '--root', `${m.root}/`, '--allow', `${m.prefix}.`, ...forwards.map(formatForward)]);
}

function startAgents(m: Manifest, host: MultihostHostRecord): ProcessRecord[] {
  return [
    launch(m, `${host.name}-compute-agent`, [...inHost(host.namespace), process.execPath, CLI_MAIN, 'compute-agent', '--config', host.config]),
    launch(m, `${host.name}-network-agent`, [...inHost(host.namespace), process.execPath, CLI_MAIN, 'network-agent', '--config', host.config]),
  ];
}

async function waitForAgents(host: MultihostHostRecord, records: readonly ProcessRecord[]): Promise<void> {
  const [compute, network] = records;
  if (compute !== undefined) await waitForLog(compute, new RegExp(`Compute agents running for host ${host.name}, driver qemu`));
  if (network !== undefined) await waitForLog(network, new RegExp(`Network agent running for host ${host.name}`));
}

type Json = Record<string, unknown>;

/**
 * Waits until every compute host's nova-compute is up and its network agent alive, as `compute
 * service list` and `network agent list` would show them: read over REST, a poll of the CLI costs
 * ~1.8 s of CPU.
 */
async function waitForHostsUp(admin: OpenstackEnv, names: readonly string[]): Promise<void> {
  const rest = openstackRest(admin);
  await until('the compute services up', async () => {
    const rows = (await rest.get('/compute/v2.1/os-services?binary=nova-compute'))['services'] as Json[];
    return names.every((name) => rows.some((row) => row['host'] === name && row['state'] === 'up')) ? true : undefined;
  });
  await until('the network agents alive', async () => {
    const rows = (await rest.get('/network/v2.0/agents'))['agents'] as Json[];
    return names.every((name) => rows.some((row) => row['host'] === name && row['alive'] === true)) ? true : undefined;
  });
}

/** Builds and starts a deployment; on failure, removes what it made and throws. */
export async function multihostUp(options: MultihostOptions = {}): Promise<Multihost> {
  const log = options.log ?? (() => undefined);
  const count = options.hosts ?? 2;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`hosts must be from 1 to 9, got ${count}`);
  const tag = options.tag ?? randomBytes(3).toString('hex');
  if (!/^[a-z0-9]{1,6}$/.test(tag)) throw new Error(`the tag must be 1 to 6 lower-case letters or digits, got "${tag}"`);
  const root = `${ROOT_PREFIX}${tag}`;
  if (existsSync(root)) throw new Error(`${root} exists: a deployment named ${tag} is up (scripts/multihost down --name ${tag})`);
  mkdirSync(root, { recursive: true });
  // dnsmasq reads its files after dropping to nobody: every directory above them must be open to it.
  chmodSync(root, 0o755);
  const prefix = await freeSubnet();
  const controlIp = `${prefix}.1`;
  const shared = new Set(options.sharedStorage ?? []);
  const m: Manifest = {
    tag,
    root,
    bridge: `nmbbr-${tag}`,
    prefix,
    controlIp,
    apiPort: 0,
    metadataPort: 0,
    rabbitPort: 0,
    postgresPort: 0,
    vhost: `nimbus-mh-${tag}`,
    database: `nimbus_mh_${tag}`,
    metadataSecret: randomBytes(16).toString('hex'),
    hosts: Array.from({ length: count }, (_, index) => {
      const name = `host${index + 1}`;
      const stateDir = join(root, name);
      return {
        name,
        namespace: `nmb-${tag}-${name}`,
        veth: `nmb${tag}h${index + 1}`,
        address: `${prefix}.${11 + index}`,
        stateDir,
        config: join(stateDir, 'nimbus.conf'),
        instancesPath: shared.has(index + 1) ? join(root, 'shared') : '',
        made: false,
      };
    }),
    processes: [],
    vhostMade: false,
    databaseMade: false,
    bridgeMade: false,
  };
  save(m);
  try {
    log(`test bridge ${m.bridge} ${controlIp}/24, hosts ${m.hosts.map((host) => `${host.namespace} ${host.address}`).join(', ')}`);
    await makeNetwork(m);
    const ports = { apiPort: await freePort(controlIp), metadataPort: await freePort(controlIp), rabbitPort: await freePort(controlIp), postgresPort: await freePort(controlIp) };
    Object.assign(m, ports);
    save(m);
    log(`RabbitMQ vhost ${m.vhost}, PostgreSQL database ${m.database}`);
    await makeBackends(m);
    const forwarder = startForwarder(m);
    await waitForLog(forwarder, /Forwarding/, 30_000);

    const controlDir = join(root, 'control');
    mkdirSync(controlDir, { recursive: true, mode: 0o700 });
    const controlConf = join(controlDir, 'nimbus.conf');
    writeFileSync(controlConf, controlConfig(m), { mode: 0o600 });
    log('control: nimbus db sync, nimbus bootstrap, nimbus serve identity image compute network volume');
    await nimbusOnce(['db', 'sync', '--config', controlConf]);
    await nimbusOnce(['bootstrap', '--config', controlConf]);
    const openrc = readFileSync(join(controlDir, 'admin-openrc'), 'utf8');
    writeFileSync(join(root, 'admin-openrc'), openrc, { mode: 0o600 });
    const admin = parseOpenrc(openrc);
    writeFileSync(controlConf, controlConfig(m, admin), { mode: 0o600 });
    const serve = launch(m, 'control-serve', [process.execPath, CLI_MAIN, 'serve', 'identity', 'image', 'compute', 'network', 'volume', '--config', controlConf]);
    await waitForLog(serve, /Serving identity, image, compute, network, volume at/);

    for (const host of m.hosts) {
      mkdirSync(host.stateDir, { recursive: true });
      chmodSync(host.stateDir, 0o755);
      if (host.instancesPath !== '') mkdirSync(host.instancesPath, { recursive: true });
      writeFileSync(host.config, hostConfig(m, host, admin), { mode: 0o600 });
    }
    log(`compute hosts: nimbus compute-agent and nimbus network-agent in ${m.hosts.map((host) => host.namespace).join(', ')}`);
    const started = m.hosts.map((host) => ({ host, records: startAgents(m, host) }));
    for (const { host, records } of started) await waitForAgents(host, records);
    await waitForHostsUp(admin, m.hosts.map((host) => host.name));

    log('image nimbus-tiny');
    await openstackOk(admin, ['image', 'create', '--public', '--disk-format', 'qcow2', '--container-format', 'bare', '--min-ram', '96', '--file', await ensureTinyImage(), 'nimbus-tiny']);
    return handle(m, admin);
  } catch (error) {
    await multihostDown(m);
    throw error;
  }
}

function handle(m: Manifest, admin: OpenstackEnv): Multihost {
  const hosts = m.hosts.map((record): MultihostHost => {
    const paths = hostPaths(record.stateDir, record.name, record.instancesPath);
    const agentPids = () => m.processes.filter((p) => p.name.startsWith(`${record.name}-`) && alive(p.pid)).map((p) => p.pid);
    return {
      ...record,
      paths,
      agentPids,
      async kill() {
        for (const pid of agentPids()) process.kill(pid, 'SIGKILL');
        while (agentPids().length > 0) await sleep(100);
        killQemusUnder(paths.runtime);
      },
      async start() {
        await waitForAgents(record, startAgents(m, record));
      },
    };
  });
  return {
    manifest: m,
    admin,
    hosts,
    host(name) {
      const found = hosts.find((host) => host.name === name);
      if (found === undefined) throw new Error(`no host ${name}`);
      return found;
    },
    problems: (max = 60) => problemLines(m, max),
    down: () => multihostDown(m),
  };
}

function problemLines(m: Manifest, max: number): string {
  const found = m.processes.flatMap((record) =>
    existsSync(record.log)
      ? readFileSync(record.log, 'utf8')
          .split('\n')
          .filter((line) => / (WARNING|ERROR|CRITICAL) /.test(line))
          .map((line) => `${record.name}: ${line}`)
      : [],
  );
  // Lines start with their timestamp: sorted after the process name, they read in order.
  return found
    .sort((a, b) => a.slice(a.indexOf(': ') + 2).localeCompare(b.slice(b.indexOf(': ') + 2)))
    .slice(-max)
    .join('\n');
}

/** The network namespace inode of a process, or of a named namespace. */
function netnsOf(path: string): string | undefined {
  try {
    return path.startsWith('/proc/') ? readlinkSync(path) : `net:[${statSync(path).ino}]`;
  } catch {
    return undefined;
  }
}

/**
 * The processes that are the deployment's: those whose command line names its root (its nimbus
 * processes, QEMUs, dnsmasq and metadata proxies) and those inside its hosts' namespaces.
 */
function processesOf(m: Manifest): number[] {
  const namespaces = new Set(m.hosts.map((host) => netnsOf(`/run/netns/${host.namespace}`)).filter((ns) => ns !== undefined));
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${m.root}/`)) return true;
      } catch {
        return false;
      }
      const ns = netnsOf(`/proc/${pid}/ns/net`);
      return ns !== undefined && namespaces.has(ns);
    })
    .map(Number);
}

/** Removes all a deployment made, whatever state it is in. */
export async function multihostDown(m: Manifest): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    const pids = [...new Set([...m.processes.map((p) => p.pid).filter(alive), ...processesOf(m)])];
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(250);
  }
  for (const host of m.hosts) if (host.made) await tryIp('netns', 'delete', host.namespace);
  for (const host of m.hosts) await tryIp('link', 'del', 'dev', host.veth);
  if (m.bridgeMade) await tryIp('link', 'del', 'dev', m.bridge);
  if (m.vhostMade) await run('rabbitmqctl', ['delete_vhost', m.vhost]).catch(() => undefined);
  if (m.databaseMade) {
    await run('psql', ['-h', POSTGRES.host, '-p', String(POSTGRES.port), '-U', POSTGRES.user, '-q', '-c', `drop database if exists "${m.database}" with (force)`]).catch(() => undefined);
  }
  rmSync(m.root, { recursive: true, force: true });
}

/** What a deployment left behind, named: empty when `down` removed everything. */
export async function leftovers(m: Manifest): Promise<string[]> {
  const left: string[] = [];
  const namespaces = (await run('ip', ['netns', 'list'])).stdout;
  for (const host of m.hosts) if (namespaces.includes(host.namespace)) left.push(`namespace ${host.namespace}`);
  const links = (await run('ip', ['-o', 'link'])).stdout;
  for (const name of [m.bridge, ...m.hosts.map((host) => host.veth)]) if (links.includes(`${name}:`) || links.includes(`${name}@`)) left.push(`link ${name}`);
  if (processesOf(m).length > 0) left.push(`processes ${processesOf(m).join(' ')}`);
  if ((await run('rabbitmqctl', ['list_vhosts', '-q'])).stdout.split('\n').includes(m.vhost)) left.push(`vhost ${m.vhost}`);
  const databases = (await run('psql', ['-h', POSTGRES.host, '-U', POSTGRES.user, '-Atc', 'select datname from pg_database'])).stdout.split('\n');
  if (databases.includes(m.database)) left.push(`database ${m.database}`);
  if (existsSync(m.root)) left.push(`directory ${m.root}`);
  return left;
}
