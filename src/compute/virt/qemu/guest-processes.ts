/**
 * The QEMU processes of one host's guests: starting them from their definitions, finding them
 * again (the QMP socket answering is the liveness test), reading their power state, ending them.
 * One monitor connection per guest is kept and shared, since QMP serves one client at a time.
 */
import { rm } from 'node:fs/promises';
import { PowerState } from '../power-state.js';
import { BOOT, type VmDefinition, type VmLaunch } from './argv/vm-definition.js';
import { powerStateOf } from './guest-power.js';
import { plugTaps } from './host/vifs.js';
import { type HostPaths, InstanceDir, exists, readDefinition } from './instance/instance-dir.js';
import { finishRestore, restoreUri } from './managed-save.js';
import { attachQemu, killQemu, startQemu } from './process/qemu-process.js';
import { writeDiskKeys } from './volumes.js';
import { QmpDisconnected, type QmpMonitor, type RunState, qmp } from './qmp/index.js';

export class GuestProcesses {
  readonly #binary: string;
  readonly #paths: HostPaths;
  readonly #monitors = new Map<string, Promise<QmpMonitor | undefined>>();

  constructor(binary: string, paths: HostPaths) {
    this.#binary = binary;
    this.#paths = paths;
  }

  dir(uuid: string): InstanceDir {
    return new InstanceDir(this.#paths, uuid);
  }

  /** Closes the QMP connections, as the agent's exit does; the guests keep running. */
  async disconnect(): Promise<void> {
    const monitors = await Promise.all(this.#monitors.values());
    this.#monitors.clear();
    await Promise.all(monitors.flatMap((monitor) => (monitor === undefined ? [] : [monitor.disconnect()])));
  }

  /** The running QEMU's monitor, attaching on first use; undefined when the guest's QEMU is not running. */
  monitor(uuid: string): Promise<QmpMonitor | undefined> {
    const cached = this.#monitors.get(uuid);
    if (cached !== undefined) {
      return cached.then((monitor) => (monitor?.connected === true ? monitor : this.#attach(uuid, cached)));
    }
    return this.#attach(uuid, undefined);
  }

  #attach(uuid: string, stale: Promise<QmpMonitor | undefined> | undefined): Promise<QmpMonitor | undefined> {
    // Another caller may already have replaced the stale entry: share its attempt.
    const current = this.#monitors.get(uuid);
    if (current !== undefined && current !== stale) return current.then((monitor) => (monitor?.connected === true ? monitor : undefined));
    const attaching = attachQemu(this.dir(uuid));
    this.#monitors.set(uuid, attaching);
    return attaching;
  }

  async powerState(uuid: string): Promise<PowerState> {
    const dir = this.dir(uuid);
    const status = await this.status(uuid);
    if (status === undefined) return (await exists(dir.savedState)) ? PowerState.SUSPENDED : PowerState.SHUTDOWN;
    return powerStateOf(status);
  }

  /** QEMU's run state, or undefined when no QEMU runs the guest (one that dies while asked counts as none). */
  async status(uuid: string): Promise<RunState | undefined> {
    const monitor = await this.monitor(uuid);
    if (monitor === undefined) return undefined;
    try {
      return (await qmp.queryStatus(monitor)).status;
    } catch (error) {
      if (error instanceof QmpDisconnected) return undefined;
      throw error;
    }
  }

  /** Starts QEMU from the active definition (the rescue one while rescued), restoring a saved state if there is one. */
  async boot(dir: InstanceDir): Promise<void> {
    const definition = (await readDefinition(dir.rescueDefinition)) ?? (await readDefinition(dir.definition));
    if (definition === undefined) throw new Error(`no definition in ${dir.runtime}`);
    if (!(await exists(dir.savedState))) {
      await this.start(dir, definition, BOOT);
      return;
    }
    const monitor = await this.start(dir, definition, { incoming: restoreUri(dir), startPaused: true });
    await finishRestore(monitor);
    await rm(dir.savedState, { force: true });
  }

  /** Plugs the definition's taps first (Nova's plug_vifs before the domain starts): QEMU opens them by name. */
  async start(dir: InstanceDir, definition: VmDefinition, launch: VmLaunch): Promise<QmpMonitor> {
    await plugTaps(definition.nics);
    await writeDiskKeys([...definition.disks, ...definition.volumes.map((volume) => volume.disk)]);
    const monitor = await startQemu(this.#binary, dir, definition, launch);
    this.#monitors.set(definition.uuid, Promise.resolve(monitor));
    return monitor;
  }

  async kill(uuid: string): Promise<void> {
    const monitor = await this.monitor(uuid);
    await killQemu(this.dir(uuid), monitor);
    this.#monitors.delete(uuid);
  }
}
