/**
 * An all-in-one cloud for compute integration tests: `nimbus up --driver fake --compute-hosts N` (or qemu)
 * in a child process, with a public qcow2 image `cirros`, REST access as admin or demo (tokens
 * cached) and the matching `openstack` CLI environments.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import { parseOpenrc, type OpenstackEnv } from './openstack-cli.js';
import { issuePasswordToken } from './password-token.js';

const run = promisify(execFile);

export type Persona = 'admin' | 'demo';

export interface RestReply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Headers;
}

export interface RestOptions {
  readonly body?: unknown;
  readonly as?: Persona;
  /** Sent as `OpenStack-API-Version: compute <version>`; none means 2.1. */
  readonly microversion?: string;
}

/** What os-hypervisors/detail says each host uses. */
export type HypervisorUsage = Record<string, { vcpus: number; memoryMb: number; localGb: number; runningVms: number }>;

export interface ComputeCloud {
  readonly nimbus: NimbusProcess;
  readonly stateDir: string;
  readonly url: string;
  /** The public qcow2 image `cirros`. */
  readonly imageId: string;
  readonly cli: Readonly<Record<Persona, OpenstackEnv>>;
  /** A request to `<url>/compute/v2.1<path>` (or any service with a path starting `/identity`, `/image` …). */
  compute(method: string, path: string, options?: RestOptions): Promise<RestReply>;
  /** Polls the server (every 100 ms, 30 s at most) until it shows `status`; an unexpected ERROR fails at once. */
  waitForStatus(serverId: string, status: string, as?: Persona): Promise<Record<string, unknown>>;
  hypervisorUsage(): Promise<HypervisorUsage>;
  /**
   * Polls os-hypervisors (every 100 ms, 20 s at most) until `settled` holds and answers the last
   * usage seen, settled or not: agents report just after each step, so a leak or a lost claim
   * shows as a usage that never settles, for the caller to assert on.
   */
  usageWhen(settled: (usage: HypervisorUsage) => boolean): Promise<HypervisorUsage>;
  stop(): Promise<void>;
}

/** The usage an os-hypervisors/detail body reports, host by host. */
export function hypervisorUsageOf(detail: Record<string, unknown>): HypervisorUsage {
  const usage: HypervisorUsage = {};
  for (const hypervisor of detail['hypervisors'] as Record<string, unknown>[]) {
    usage[String(hypervisor['hypervisor_hostname'])] = {
      vcpus: Number(hypervisor['vcpus_used']),
      memoryMb: Number(hypervisor['memory_mb_used']),
      localGb: Number(hypervisor['local_gb_used']),
      runningVms: Number(hypervisor['running_vms']),
    };
  }
  return usage;
}

/** The password of a `nimbus-<persona>` entry of the state dir's clouds.yaml. */
export function cloudsYamlPassword(stateDir: string, persona: Persona): string {
  const yaml = readFileSync(join(stateDir, 'clouds.yaml'), 'utf8');
  const match = new RegExp(`nimbus-${persona}:[\\s\\S]*?password: '((?:[^']|'')*)'`).exec(yaml);
  if (match?.[1] === undefined) throw new Error(`no nimbus-${persona} password in clouds.yaml`);
  return match[1].replaceAll("''", "'");
}

/** The CLI environments of the bootstrapped admin and demo users. */
export function cliPersonas(stateDir: string): Record<Persona, OpenstackEnv> {
  const admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  return { admin, demo: { ...admin, OS_USERNAME: 'demo', OS_PASSWORD: cloudsYamlPassword(stateDir, 'demo'), OS_PROJECT_NAME: 'demo' } };
}

export interface ComputeCloudOptions {
  readonly hosts?: number;
  /** fake by default; qemu for what only the real driver does (its disks). */
  readonly driver?: 'fake' | 'qemu';
  readonly extraArgs?: readonly string[];
  /** More environment for the cloud (NIMBUS_<SECTION>_<KEY> options). */
  readonly env?: NodeJS.ProcessEnv;
}

export async function startComputeCloud(name: string, options: ComputeCloudOptions = {}): Promise<ComputeCloud> {
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${name}-`));
  const port = await freePort();
  const args = ['up', '--state-dir', stateDir, '--port', String(port), '--driver', options.driver ?? 'fake', '--compute-hosts', String(options.hosts ?? 2)];
  const nimbus = runNimbus([...args, ...(options.extraArgs ?? [])], options.env);
  try {
    // A loaded machine can take far longer than the usual second to start every service.
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 90_000);
  } catch (error) {
    // A cloud that did not come up is stopped here: its caller has nothing to stop, and the
    // child's open pipes would keep the test file alive until the runner's timeout.
    nimbus.child.kill('SIGKILL');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  const cli = cliPersonas(stateDir);
  const tokens = new Map<Persona, string>();

  async function token(as: Persona): Promise<string> {
    const cached = tokens.get(as);
    if (cached !== undefined) return cached;
    const { token: issued } = await issuePasswordToken(url, cli[as]);
    tokens.set(as, issued);
    return issued;
  }

  async function request(method: string, fullPath: string, { body, as = 'admin', microversion }: RestOptions = {}): Promise<RestReply> {
    const headers: Record<string, string> = { 'x-auth-token': await token(as) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (microversion !== undefined) headers['openstack-api-version'] = `compute ${microversion}`;
    const response = await fetch(`${url}${fullPath}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    const json = text !== '' && (response.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: response.status, json, headers: response.headers };
  }

  const compute = (method: string, path: string, options?: RestOptions) =>
    request(method, /^\/(compute|identity|image|volume|network)\//.test(path) ? path : `/compute/v2.1${path}`, options);

  const work = mkdtempSync(join(tmpdir(), `nimbus-${name}-image-`));
  let imageId = '';
  try {
    writeFileSync(join(work, 'pattern.raw'), Buffer.alloc(1 << 20, 0x5a));
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(work, 'pattern.raw'), join(work, 'disk.qcow2')]);
    const created = await request('POST', '/image/v2/images', { body: { name: 'cirros', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    imageId = String(created.json['id']);
    const upload = await fetch(`${url}/image/v2/images/${imageId}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': await token('admin'), 'content-type': 'application/octet-stream' },
      body: readFileSync(join(work, 'disk.qcow2')),
    });
    await upload.arrayBuffer();
    assert.equal(upload.status, 204);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const hypervisorUsage = async () => hypervisorUsageOf((await compute('GET', '/os-hypervisors/detail')).json);

  return {
    nimbus,
    stateDir,
    url,
    imageId,
    cli,
    compute,
    async waitForStatus(serverId, status, as = 'admin') {
      const deadline = Date.now() + 30_000;
      let last: Record<string, unknown> = {};
      while (Date.now() < deadline) {
        const reply = await compute('GET', `/servers/${serverId}`, { as });
        last = (reply.json['server'] as Record<string, unknown> | undefined) ?? reply.json;
        if (last['status'] === status) return last;
        if (last['status'] === 'ERROR') throw new Error(`server ${serverId} went to ERROR waiting for ${status}: ${JSON.stringify(last['fault'])}`);
        await sleep(100);
      }
      throw new Error(`server ${serverId} never reached ${status}; last seen ${JSON.stringify(last)}`);
    },
    hypervisorUsage,
    async usageWhen(settled) {
      let usage = await hypervisorUsage();
      for (let attempt = 0; attempt < 200 && !settled(usage); attempt += 1) {
        await sleep(100);
        usage = await hypervisorUsage();
      }
      return usage;
    },
    async stop() {
      nimbus.child.kill('SIGTERM');
      await nimbus.exited();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
