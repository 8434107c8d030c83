/**
 * The file backend: each volume a sparse raw file `volume-<id>` under its directory
 * (`<state_dir>/volumes` by default), each snapshot a file `snapshot-<id>` beside it. Copies
 * (snapshots, clones, volumes from snapshots) are reflinks where the filesystem has them (XFS,
 * Btrfs: copy-on-write), sparse copies elsewhere. Raw files are what QEMU attaches directly.
 */
import { mkdir, open, rename, rm, statfs, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertImage, imageInfo, type QemuImgFormat } from '../../../common/disk/qemu-img.js';
import { runCommand } from '../../../common/process/run-command.js';
import { getLogger } from '../../../common/logging/logger.js';
import {
  GIB,
  VolumeDriverError,
  type BackendCapacity,
  type LocalDevice,
  type SnapshotRef,
  type StagedImage,
  type VolumeConnectionInfo,
  type VolumeDriver,
  type VolumeDriverCapabilities,
  type VolumeRef,
} from '../volume-driver.js';

const LOG = getLogger('nimbus.volume.backends.file');

/** Image formats qemu-img converts here. */
const CONVERTIBLE: ReadonlySet<string> = new Set<QemuImgFormat>(['raw', 'qcow2']);

export interface FileDriverOptions {
  readonly directory: string;
  /** `volume_backend_name` ('file' by default). */
  readonly backendName?: string;
}

const round2 = (value: number) => Math.floor(value * 100) / 100;

export class FileVolumeDriver implements VolumeDriver {
  readonly #directory: string;
  readonly #backendName: string;
  #reflinks = false;

  constructor(options: FileDriverOptions) {
    this.#directory = options.directory;
    this.#backendName = options.backendName ?? 'file';
  }

  get capabilities(): VolumeDriverCapabilities {
    return {
      volumeBackendName: this.#backendName,
      vendorName: 'Nimbus',
      driverVersion: '1.0.0',
      storageProtocol: 'file',
      thinProvisioning: true,
      snapshotCopyOnWrite: this.#reflinks,
      onlineExtend: true,
      // Files several guests on this host open at once (QEMU's share-rw); other hosts reach them over NBD.
      multiattach: true,
    };
  }

  async setUp(): Promise<void> {
    await mkdir(this.#directory, { recursive: true, mode: 0o700 });
    this.#reflinks = await this.#probeReflinks();
    LOG.info(`File backend ${this.#backendName} at ${this.#directory} (copies are ${this.#reflinks ? 'reflinks' : 'sparse copies'})`);
  }

  async getCapacity(): Promise<BackendCapacity> {
    const fs = await statfs(this.#directory);
    let provisioned = 0;
    for (const name of await readdir(this.#directory)) {
      if (name.startsWith('volume-') || name.startsWith('snapshot-')) provisioned += (await stat(join(this.#directory, name))).size;
    }
    return {
      totalCapacityGb: round2((fs.blocks * fs.bsize) / GIB),
      freeCapacityGb: round2((fs.bavail * fs.bsize) / GIB),
      provisionedCapacityGb: round2(provisioned / GIB),
    };
  }

  async createVolume(volume: VolumeRef): Promise<void> {
    const path = this.#volumePath(volume.id);
    await this.#leavingNothingOnFailure(path, async () => {
      const file = await open(path, 'wx', 0o600);
      try {
        await file.truncate(volume.sizeGb * GIB);
      } finally {
        await file.close();
      }
    });
  }

  createVolumeFromSnapshot(volume: VolumeRef, snapshot: SnapshotRef): Promise<void> {
    return this.#copyInto(this.#snapshotPath(snapshot.id), volume);
  }

  createClonedVolume(volume: VolumeRef, source: VolumeRef): Promise<void> {
    return this.#copyInto(this.#volumePath(source.id), volume);
  }

  async createVolumeFromImage(volume: VolumeRef, image: StagedImage): Promise<void> {
    await this.#convertImageTo(this.#volumePath(volume.id), volume, image);
  }

  /** Converted beside the volume and renamed over it, so a failure leaves the old data whole. */
  async reimageVolume(volume: VolumeRef, image: StagedImage): Promise<void> {
    const path = this.#volumePath(volume.id);
    const next = `${path}.reimage`;
    await this.#convertImageTo(next, volume, image);
    await rename(next, path);
  }

  async #convertImageTo(path: string, volume: VolumeRef, image: StagedImage): Promise<void> {
    if (!CONVERTIBLE.has(image.diskFormat)) throw new VolumeDriverError(`Image disk format ${image.diskFormat} cannot be copied to a volume (raw or qcow2)`);
    await this.#leavingNothingOnFailure(path, async () => {
      const info = await imageInfo(image.path);
      if (info.virtualSize > volume.sizeGb * GIB) {
        throw new VolumeDriverError(`Image virtual size is ${Math.ceil(info.virtualSize / GIB)}GB and doesn't fit in a volume of size ${volume.sizeGb}GB.`);
      }
      await convertImage({ path: image.path, format: image.diskFormat as QemuImgFormat }, { path, format: 'raw' });
      await truncate(path, volume.sizeGb * GIB);
    });
  }

  async extendVolume(volume: VolumeRef, newSizeGb: number): Promise<void> {
    await truncate(this.#volumePath(volume.id), newSizeGb * GIB);
  }

  async deleteVolume(volume: VolumeRef): Promise<void> {
    await rm(this.#volumePath(volume.id), { force: true });
  }

  async createSnapshot(snapshot: SnapshotRef): Promise<void> {
    const path = this.#snapshotPath(snapshot.id);
    await this.#leavingNothingOnFailure(path, () => this.#copy(this.#volumePath(snapshot.volumeId), path));
  }

  async deleteSnapshot(snapshot: SnapshotRef): Promise<void> {
    await rm(this.#snapshotPath(snapshot.id), { force: true });
  }

  async openVolumeDevice(volume: VolumeRef): Promise<LocalDevice> {
    return this.#device(this.#volumePath(volume.id));
  }

  async openSnapshotDevice(snapshot: SnapshotRef): Promise<LocalDevice> {
    return this.#device(this.#snapshotPath(snapshot.id));
  }

  /** The file itself: nothing to open or close, only its presence to check. */
  async #device(path: string): Promise<LocalDevice> {
    await stat(path);
    return { path, release: async () => undefined };
  }

  connectionInfo(volume: VolumeRef): VolumeConnectionInfo {
    return { driverVolumeType: 'file', path: this.#volumePath(volume.id) };
  }

  #volumePath(id: string): string {
    return join(this.#directory, `volume-${id}`);
  }

  #snapshotPath(id: string): string {
    return join(this.#directory, `snapshot-${id}`);
  }

  async #copyInto(source: string, volume: VolumeRef): Promise<void> {
    const path = this.#volumePath(volume.id);
    await this.#leavingNothingOnFailure(path, async () => {
      await this.#copy(source, path);
      const { size } = await stat(path);
      if (volume.sizeGb * GIB > size) await truncate(path, volume.sizeGb * GIB);
    });
  }

  /** A reflink where the filesystem shares blocks, else a copy that keeps holes. */
  async #copy(source: string, target: string): Promise<void> {
    await runCommand('cp', ['--reflink=auto', '--sparse=always', source, target]);
  }

  /** Runs `create`; if it fails (no space, a bad image), the half-made file goes before the error travels on. */
  async #leavingNothingOnFailure(path: string, create: () => Promise<void>): Promise<void> {
    try {
      await create();
    } catch (error) {
      // EEXIST: the file is someone else's (an id reused), not a half-made one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true });
      throw error;
    }
  }

  async #probeReflinks(): Promise<boolean> {
    const probe = join(this.#directory, '.reflink-probe');
    try {
      await writeFile(probe, 'probe');
      await runCommand('cp', ['--reflink=always', probe, `${probe}.copy`]);
      return true;
    } catch {
      return false;
    } finally {
      await rm(probe, { force: true });
      await rm(`${probe}.copy`, { force: true });
    }
  }
}
