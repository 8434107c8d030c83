/**
 * An all-in-one cloud of real QEMU guests for CLI tests: `nimbus up --driver qemu
 * --compute-hosts N` in a child process, driven as admin through Debian's `openstack` CLI, with
 * what such tests look at: status waits, the guest's ready lines, its files on the host that
 * runs it, its shell, and the usage each hypervisor reports. Where a guest runs and what the hosts
 * use is read over REST: a CLI run costs a second or more on a busy box, kept for the steps under test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { readyLines, runInGuest, type ReadyLine } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { hypervisorUsageOf, type HypervisorUsage } from './compute-cloud.js';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type CliResult, type OpenstackEnv } from './openstack-cli.js';

export type Server = Record<string, unknown>;

export interface QemuCliCloud {
  readonly nimbus: NimbusProcess;
  readonly stateDir: string;
  readonly admin: OpenstackEnv;
  show(server: string): Promise<Server>;
  /** The server's id (looked up once: it never changes). */
  idOf(server: string): Promise<string>;
  /** Runs `openstack <args>` as admin and asserts it succeeded. */
  ok(args: readonly string[]): Promise<CliResult>;
  /** Polls until the server shows `status` with no task under way; ERROR fails at once. */
  waitForStatus(server: string, status: string): Promise<Server>;
  /** Polls `volume show` until the volume shows `status` (attach and detach finish on the host, after the API answered); an error status fails at once. */
  waitForVolumeStatus(volume: string, status: string): Promise<Server>;
  /** The boot counters of the ready lines `console log show` holds now, oldest first. */
  bootsOf(server: string): Promise<number[]>;
  /**
   * Waits for a ready line this cloud has not seen yet for the server and returns it. Lines are
   * told apart by their text, not their place: the log starts afresh on a host the guest moves to.
   */
  nextBoot(server: string): Promise<ReadyLine>;
  /** The host that runs the guest now and the guest's files there. */
  instanceDir(server: string): Promise<{ host: string; dir: InstanceDir }>;
  /** Runs a shell command on the guest's serial console and returns what it printed. */
  inGuest(server: string, command: string, timeoutMs?: number): Promise<string>;
  /** What os-hypervisors/detail says each host uses. */
  hypervisorUsage(): Promise<HypervisorUsage>;
  /** Deletes the servers (guests outlive their agent by design), ends stray QEMUs and the cloud. */
  stop(servers: readonly string[]): Promise<void>;
}

/** Why real-guest CLI tests must be skipped, or false when the CLI and QEMU are installed. */
export function qemuCliUnavailable(): string | false {
  return openstackCliUnavailable() || (qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed' : false);
}

/** `name` goes into the state dir's path: keep it short, QEMU's socket paths under it are limited to 107 bytes. */
export async function startQemuCliCloud(name: string, hosts = 2): Promise<QemuCliCloud> {
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${name}-`));
  const port = await freePort();
  const nimbus = runNimbus(['up', '--state-dir', stateDir, '--port', String(port), '--driver', 'qemu', '--compute-hosts', String(hosts)]);
  let admin: OpenstackEnv;
  let token: string;
  try {
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 90_000);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
    token = (await openstackOk(admin, ['token', 'issue', '-f', 'value', '-c', 'id'])).stdout.trim();
  } catch (error) {
    // A first run builds and uploads the guest image; a loaded machine may take a minute.
    // A cloud that did not come up is still stopped and its files removed.
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const seenReadyLines = new Map<string, Set<string>>();

  async function computeGet(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`http://127.0.0.1:${port}/compute/v2.1${path}`, { headers: { 'x-auth-token': token } });
    assert.equal(response.status, 200, `GET ${path}`);
    return (await response.json()) as Record<string, unknown>;
  }
  const show = (server: string) => openstackJson<Server>(admin, ['server', 'show', server]);
  const ids = new Map<string, string>();
  async function idOf(server: string): Promise<string> {
    const id = ids.get(server) ?? String((await show(server))['id']);
    ids.set(server, id);
    return id;
  }
  const consoleReadyLines = async (server: string) => readyLines((await openstackOk(admin, ['console', 'log', 'show', server])).stdout);
  async function instanceDir(server: string): Promise<{ host: string; dir: InstanceDir }> {
    const id = await idOf(server);
    const host = String(((await computeGet(`/servers/${id}`))['server'] as Server)['OS-EXT-SRV-ATTR:host']);
    return { host, dir: new InstanceDir(hostPaths(stateDir, host), id) };
  }

  return {
    nimbus,
    stateDir,
    admin,
    show,
    idOf,
    ok: (args) => openstackOk(admin, args),
    async waitForStatus(server, status) {
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const shown = await show(server);
        if (shown['status'] === status && shown['OS-EXT-STS:task_state'] === null) return shown;
        if (shown['status'] === 'ERROR') throw new Error(`${server} went to ERROR: ${JSON.stringify(shown['fault'])}`);
        await sleep(200);
      }
      throw new Error(`${server} never reached ${status}`);
    },
    async waitForVolumeStatus(volume, status) {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const shown = await openstackJson<Server>(admin, ['volume', 'show', volume]);
        if (shown['status'] === status) return shown;
        if (String(shown['status']).startsWith('error')) throw new Error(`volume ${volume} went to ${String(shown['status'])}`);
        await sleep(200);
      }
      throw new Error(`volume ${volume} never became ${status}`);
    },
    bootsOf: async (server) => (await consoleReadyLines(server)).map((line) => line.boot),
    async nextBoot(server) {
      const seen = seenReadyLines.get(server) ?? new Set<string>();
      seenReadyLines.set(server, seen);
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const lines = await consoleReadyLines(server);
        const fresh = lines.find((line) => !seen.has(line.line));
        if (fresh !== undefined) {
          for (const line of lines) seen.add(line.line);
          return fresh;
        }
        await sleep(200);
      }
      throw new Error(`${server} printed no new ready line`);
    },
    instanceDir,
    inGuest: async (server, command, timeoutMs) => runInGuest((await instanceDir(server)).dir.consoleSocket, command, timeoutMs),
    hypervisorUsage: async () => hypervisorUsageOf(await computeGet('/os-hypervisors/detail')),
    async stop(servers) {
      if (servers.length > 0) await openstack(admin, ['server', 'delete', '--wait', ...servers]);
      killQemusUnder(stateDir);
      nimbus.child.kill('SIGTERM');
      await nimbus.exited();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
