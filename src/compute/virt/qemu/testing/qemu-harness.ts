/**
 * QEMU hosts in a temporary directory, booting nimbus-tiny: what the qemu tests run on. Two have
 * instance storage of their own; a third shares the first one's (as over NFS).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type DriverHarness, contractInstance } from '../../driver.contract.js';
import type { ImageMeta } from '../../instance-spec.js';
import { QemuDriver } from '../driver.js';
import { ensureTinyImage } from '../guest-image/tiny-image.js';
import { qemuSystemBinary } from '../host/qemu-binary.js';
import { type HostPaths, hostPaths } from '../instance/instance-dir.js';
import { killQemusUnder } from './stray-qemus.js';

/** Why qemu tests are skipped here, or false where they run. */
export const QEMU_SKIP: string | false = qemuSystemBinary() === undefined ? 'qemu-system-x86_64 is not installed (Debian package qemu-system-x86)' : false;

export const TINY_IMAGE: ImageMeta = {
  id: '5e0c1a9e-7d3b-4a51-9c1e-000000000001',
  name: 'nimbus-tiny',
  diskFormat: 'qcow2',
  containerFormat: 'bare',
  minDiskGb: 0,
  minRamMb: 96,
  properties: {},
};

export interface QemuHarness extends DriverHarness {
  readonly driver: QemuDriver;
  readonly peer: QemuDriver;
  /** A host on the first host's instance storage. */
  readonly sharedPeer: QemuDriver;
  /** The temporary directory everything lives in. */
  readonly root: string;
  /** Images the hosts can fetch, by id (the tiny one, plus what a test adds). */
  readonly images: Map<string, string>;
  /** A new driver on the first host's directory, as after an agent restart (disconnect the old one first). */
  restartDriver(): QemuDriver;
}

export async function qemuHarness(): Promise<QemuHarness> {
  const tiny = await ensureTinyImage();
  const root = await mkdtemp(join(tmpdir(), 'nimbus-qemu-'));
  const images = new Map<string, string>([[TINY_IMAGE.id, tiny]]);
  const imageData = async (image: ImageMeta): Promise<Readable> => {
    const path = images.get(image.id);
    if (path === undefined) throw new Error(`no test image ${image.id}`);
    return createReadStream(path);
  };
  const first = hostPaths(root, 'qemu-a');
  const paths = new Map<string, HostPaths>([
    ['qemu-a', first],
    ['qemu-b', hostPaths(root, 'qemu-b')],
    ['qemu-c', hostPaths(root, 'qemu-c', first.instances)],
  ]);
  const hostDriver = (host: string, own: HostPaths): QemuDriver =>
    new QemuDriver({ host, paths: own, imageData, softRebootTimeoutSeconds: 30, peerPaths: (other) => paths.get(other) });
  const drivers = [...paths].map(([host, own]) => hostDriver(host, own));
  let volumes = 0;
  const harness: QemuHarness = {
    driver: drivers[0] as QemuDriver,
    peer: drivers[1] as QemuDriver,
    sharedPeer: drivers[2] as QemuDriver,
    root,
    images,
    image: TINY_IMAGE,
    network: [],
    restartDriver() {
      const driver = hostDriver('qemu-a', first);
      drivers.push(driver);
      return driver;
    },
    async createVolume() {
      volumes += 1;
      const path = join(root, `volume-${volumes}.raw`);
      await writeFile(path, Buffer.alloc(1024 * 1024));
      return { driverVolumeType: 'file', path };
    },
    async dispose() {
      try {
        // Newest first: a restarted host's driver holds the QMP connections of its guests.
        for (const driver of [...drivers].reverse()) {
          for (const uuid of await driver.listInstances()) {
            await driver.destroy({ ...contractInstance(harness), uuid }, { destroyDisks: true });
          }
          await driver.disconnect();
        }
      } finally {
        killQemusUnder(root);
        await rm(root, { recursive: true, force: true });
      }
    },
  };
  return harness;
}
