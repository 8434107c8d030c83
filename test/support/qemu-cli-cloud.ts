/**
 * An all-in-one cloud of real QEMU guests for CLI tests: `nimbus up --driver qemu
 * --compute-hosts N` in a child process, driven as admin through Debian's `openstack` CLI, with
 * what such tests look at: status waits, the guest's ready lines, its files on the host that
 * runs it, its shell, and the usage each hypervisor reports. Where a guest runs, what the hosts
 * use and the polls of the waits are read over REST: a CLI run costs a second or more on a busy
 * box, kept for the steps under test and one read at the end of a wait.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuSystemBinary } from '../../src/compute/virt/qemu/host/qemu-binary.js';
import { InstanceDir, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { readyLines, runInGuest, type ReadyLine } from '../../src/compute/virt/qemu/testing/guest-console.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import { hypervisorUsageOf, type HypervisorUsage } from './compute-cloud.js';
import { freePort } from './free-port.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import { openstack, openstackCliUnavailable, openstackJson, openstackOk, parseOpenrc, type CliResult, type OpenstackEnv } from './openstack-cli.js';
import { openstackRest, pollUntil, serverSettled, type OpenstackRest } from './openstack-rest.js';

export type Server = Record<string, unknown>;

export interface QemuCliCloud {
  readonly nimbus: NimbusProcess;
  readonly stateDir: string;
  readonly admin: OpenstackEnv;
  /** The admin's REST client, for what a test polls. */
  readonly rest: OpenstackRest;
  show(server: string): Promise<Server>;
  /** The server's id (looked up once: it never changes). */
  idOf(server: string): Promise<string>;
  /** Runs `openstack <args>` as admin and asserts it succeeded. */
  ok(args: readonly string[]): Promise<CliResult>;
  /** Polls until the server shows `status` with no task under way, then answers its `server show`; ERROR fails at once. */
  waitForStatus(server: string, status: string): Promise<Server>;
  /** Polls until the volume shows `status` (attach and detach finish on the host, after the API answered), then answers its `volume show`; an error status fails at once. */
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
  try {
    await nimbus.waitFor(/Nimbus all-in-one cloud is running/, 90_000);
    admin = parseOpenrc(readFileSync(join(stateDir, 'admin-openrc'), 'utf8'));
  } catch (error) {
    // A first run builds and uploads the guest image; a loaded machine may take a minute.
    // A cloud that did not come up is still stopped and its files removed.
    nimbus.child.kill('SIGTERM');
    await nimbus.exited();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const seenReadyLines = new Map<string, Set<string>>();

  const rest = openstackRest(admin);
  const computeGet = (path: string) => rest.get(`/compute/v2.1${path}`);
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
    rest,
    show,
    idOf,
    ok: (args) => openstackOk(admin, args),
    // 300 polls of the CLI took at least 600 s: the same time, spent polling over REST.
    waitForStatus: (server, status) =>
      serverSettled(`${server} ${status}`, () => rest.serverNamed(server), () => show(server), (shown) => shown['status'] === status && shown['OS-EXT-STS:task_state'] === null, 600_000),
    async waitForVolumeStatus(volume, status) {
      await pollUntil(`volume ${volume} ${status}`, async () => {
        const shown = await rest.volume(volume);
        if (shown === undefined) throw new Error(`no volume ${volume}`);
        if (String(shown['status']).startsWith('error')) throw new Error(`volume ${volume} went to ${String(shown['status'])}`);
        return shown['status'] === status ? true : undefined;
      }, 120_000);
      return openstackJson<Server>(admin, ['volume', 'show', volume]);
    },
    bootsOf: async (server) => (await consoleReadyLines(server)).map((line) => line.boot),
    async nextBoot(server) {
      const seen = seenReadyLines.get(server) ?? new Set<string>();
      seenReadyLines.set(server, seen);
      // 300 polls of `console log show` took at least 600 s: the same time over REST, then the CLI's read of the line.
      await pollUntil(`a new ready line of ${server}`, async () => {
        const lines = readyLines(await rest.consoleLog(String((await rest.serverNamed(server))['id'])));
        return lines.some((line) => !seen.has(line.line)) ? true : undefined;
      }, 600_000);
      const lines = await consoleReadyLines(server);
      const fresh = lines.find((line) => !seen.has(line.line));
      if (fresh === undefined) throw new Error(`console log show of ${server} lacks the new ready line the API had`);
      for (const line of lines) seen.add(line.line);
      return fresh;
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
