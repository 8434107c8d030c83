/**
 * NBD exports of volumes (the volume service's target for hosts that cannot open the volume's
 * path), one qemu-storage-daemon per export, that is per volume and connector host. One daemon
 * per attachment rather than one per backend with exports added over QMP: a QEMU process has one
 * NBD server with one set of TLS credentials, so a shared daemon's key would open every export
 * of the backend; a daemon of its own binds the key to this one volume, and ending the daemon
 * cuts the host's connection at once. Each export is a directory under `[DEFAULT] state_dir`'s
 * `volume-exports/` (0700): `export.json` (the record), `keys.psk` (the key, 0600) and the pid
 * file, so a volume service started again finds its exports (recover()); daemons outlive the
 * service, as the guests that use them do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { ExportRequest, TargetExport, VolumeTarget } from '../volume-target.js';
import { PortInUse, daemonsUnder, runningDaemon, startStorageDaemon, stopStorageDaemon, type DaemonSpec } from './storage-daemon.js';

const LOG = getLogger('nimbus.volume.targets.nbd');

export interface NbdTargetOptions {
  /** qemu-storage-daemon. */
  readonly binary: string;
  /** Where the export records live (`<state_dir>/volume-exports`). */
  readonly directory: string;
  /** `[volume] target_ip_address`: what the daemons listen on and hosts connect to. */
  readonly address: string;
  /** `[volume] target_port` and `target_port_count`: the ports exports take, the first free one each. */
  readonly firstPort: number;
  readonly portCount: number;
}

/** export.json: everything needed to start the daemon again. */
interface ExportRecord extends ExportRequest, TargetExport {}

const hostTag = (host: string) => createHash('sha256').update(host).digest('hex').slice(0, 16);

export class NbdTarget implements VolumeTarget {
  readonly #options: NbdTargetOptions;
  /** Export starts one at a time, so two never pick the same port. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: NbdTargetOptions) {
    this.#options = options;
  }

  async recover(): Promise<void> {
    await mkdir(this.#options.directory, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.#options.directory)) {
      const dir = join(this.#options.directory, name);
      const record = await this.#read(dir);
      if (record === undefined) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if ((await runningDaemon(dir)) !== undefined) {
        LOG.info(`Adopted the NBD export of volume ${record.volumeId} to host ${record.host} on port ${record.port}`);
      } else if (!(await present(record.path))) {
        LOG.warning(`Dropped the NBD export of volume ${record.volumeId} to host ${record.host}: the volume is gone`);
        await rm(dir, { recursive: true, force: true });
      } else {
        await this.#serialized(() => this.#startDaemon(dir, record));
        LOG.info(`Restarted the NBD export of volume ${record.volumeId} to host ${record.host} on port ${record.port}`);
      }
    }
    await this.#endStrays();
  }

  /** Daemons serving from a directory that is no export any more (a removal cut short) are ended. */
  async #endStrays(): Promise<void> {
    const owned = new Set<number>();
    for (const name of await readdir(this.#options.directory)) {
      const pid = await runningDaemon(join(this.#options.directory, name));
      if (pid !== undefined) owned.add(pid);
    }
    for (const pid of daemonsUnder(this.#options.directory).filter((found) => !owned.has(found))) {
      LOG.warning(`Ended qemu-storage-daemon ${pid}, which served no export of this node any more`);
      await stopStorageDaemon(pid);
    }
  }

  ensureExport(request: ExportRequest): Promise<TargetExport> {
    return this.#serialized(async () => {
      const dir = this.#dirOf(request.volumeId, request.host);
      const existing = await this.#read(dir);
      if (existing !== undefined && existing.path === request.path && existing.readOnly === request.readOnly) {
        if ((await runningDaemon(dir)) === undefined) await this.#startDaemon(dir, existing);
        return exportOf(existing);
      }
      if (existing !== undefined) await this.#remove(dir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      try {
        const record = await this.#startOnFreePort(dir, request);
        LOG.info(`Exported volume ${request.volumeId} over NBD to host ${request.host} at ${record.address}:${record.port}`);
        return exportOf(record);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    });
  }

  async removeExport(volumeId: string, host: string): Promise<void> {
    const dir = this.#dirOf(volumeId, host);
    if (await this.#remove(dir)) LOG.info(`Removed the NBD export of volume ${volumeId} to host ${host}`);
  }

  async removeVolumeExports(volumeId: string): Promise<void> {
    for (const name of await this.#exportsOf(volumeId)) {
      await this.#remove(join(this.#options.directory, name));
      LOG.info(`Removed NBD export ${name} of deleted volume ${volumeId}`);
    }
  }

  /** Each daemon of the volume ended and started again from its record: a new daemon opens the file at its new size. */
  async refreshVolumeExports(volumeId: string): Promise<void> {
    for (const name of await this.#exportsOf(volumeId)) {
      const dir = join(this.#options.directory, name);
      await this.#serialized(async () => {
        const record = await this.#read(dir);
        if (record === undefined) return;
        const pid = await runningDaemon(dir);
        if (pid !== undefined) await stopStorageDaemon(pid);
        await this.#startDaemon(dir, record);
        LOG.info(`Exported volume ${volumeId} again to host ${record.host} on port ${record.port}, at its new size`);
      });
    }
  }

  /** The directory names of the volume's exports (none when there is no exports directory yet). */
  async #exportsOf(volumeId: string): Promise<string[]> {
    try {
      return (await readdir(this.#options.directory)).filter((entry) => entry.startsWith(`${volumeId}_`));
    } catch {
      return [];
    }
  }

  /** Ends the daemon, then forgets the export; answers whether there was one. */
  async #remove(dir: string): Promise<boolean> {
    if (!(await present(dir))) return false;
    const pid = await runningDaemon(dir);
    if (pid !== undefined) await stopStorageDaemon(pid);
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  async #startOnFreePort(dir: string, request: ExportRequest): Promise<ExportRecord> {
    const { address, firstPort, portCount } = this.#options;
    const taken = await this.#portsTaken();
    const secret = {
      address,
      exportName: `volume-${request.volumeId}`,
      pskIdentity: `nimbus-${randomBytes(8).toString('hex')}`,
      pskKey: randomBytes(32).toString('hex'),
    };
    for (let port = firstPort; port < firstPort + portCount; port += 1) {
      if (taken.has(port)) continue;
      const record: ExportRecord = { ...request, ...secret, port };
      try {
        await this.#startDaemon(dir, record);
        return record;
      } catch (error) {
        if (!(error instanceof PortInUse)) throw error;
      }
    }
    throw new Error(`No free port for an NBD export in ${firstPort}-${firstPort + portCount - 1} on ${address}`);
  }

  /** Writes the key and the record, then starts the daemon from them. */
  async #startDaemon(dir: string, record: ExportRecord): Promise<void> {
    await writeFile(join(dir, 'keys.psk'), `${record.pskIdentity}:${record.pskKey}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'export.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    const spec: DaemonSpec = { dir, path: record.path, address: record.address, port: record.port, exportName: record.exportName, readOnly: record.readOnly };
    await startStorageDaemon(this.#options.binary, spec);
  }

  async #portsTaken(): Promise<Set<number>> {
    const ports = new Set<number>();
    for (const name of await readdir(this.#options.directory)) {
      const record = await this.#read(join(this.#options.directory, name));
      if (record !== undefined) ports.add(record.port);
    }
    return ports;
  }

  async #read(dir: string): Promise<ExportRecord | undefined> {
    try {
      return JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')) as ExportRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') LOG.warning(`Unreadable NBD export record in ${dir}: ${messageOf(error)}`);
      return undefined;
    }
  }

  #dirOf(volumeId: string, host: string): string {
    return join(this.#options.directory, `${volumeId}_${hostTag(host)}`);
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

const exportOf = (record: ExportRecord): TargetExport => ({
  address: record.address,
  port: record.port,
  exportName: record.exportName,
  pskIdentity: record.pskIdentity,
  pskKey: record.pskKey,
});

async function present(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
