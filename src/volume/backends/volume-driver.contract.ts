/**
 * The behaviour every volume backend shares. Each implementation's own test file calls
 * `describeVolumeDriverContract` with a harness; nothing here names an implementation.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeContract, type ContractCases, type ContractOptions } from '../../../test/support/contract-suite.js';
import { GIB, type VolumeDriver, type VolumeRef } from './volume-driver.js';

const run = promisify(execFile);

export interface VolumeDriverHarness {
  readonly driver: VolumeDriver;
  /** Every object the backend holds (files, LVs), in its own names, so tests can prove nothing leaked. */
  listObjects(): Promise<string[]>;
  /** A scratch directory for staged images. */
  readonly scratch: string;
  dispose(): Promise<void>;
}

async function writeAt(driver: VolumeDriver, volume: VolumeRef, offset: number, data: Buffer): Promise<void> {
  const file = await open(driver.connectionInfo(volume).path, 'r+');
  try {
    await file.write(data, 0, data.length, offset);
  } finally {
    await file.close();
  }
}

async function readAt(driver: VolumeDriver, volume: VolumeRef, offset: number, length: number): Promise<Buffer> {
  const file = await open(driver.connectionInfo(volume).path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, offset);
    return buffer;
  } finally {
    await file.close();
  }
}

async function sizeOf(driver: VolumeDriver, volume: VolumeRef): Promise<number> {
  const file = await open(driver.connectionInfo(volume).path, 'r');
  try {
    return (await file.stat()).size;
  } finally {
    await file.close();
  }
}

const volumeOf = (sizeGb = 1): VolumeRef => ({ id: randomUUID(), sizeGb });

const CASES = {
  'a blank volume reads zeros at its size; delete removes it and a second delete is fine': async (harness) => {
    const { driver } = harness;
    const volume = volumeOf(1);
    await driver.createVolume(volume);
    assert.equal(await sizeOf(driver, volume), GIB);
    assert.deepEqual(await readAt(driver, volume, GIB - 4096, 4096), Buffer.alloc(4096));
    await driver.deleteVolume(volume);
    await driver.deleteVolume(volume);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'a snapshot keeps the data of its moment; a volume from it and a clone hold the data at their own size': async (harness) => {
    const { driver } = harness;
    const source = volumeOf(1);
    await driver.createVolume(source);
    const before = randomBytes(4096);
    await writeAt(driver, source, 8192, before);
    const snapshot = { id: randomUUID(), volumeId: source.id, sizeGb: 1 };
    await driver.createSnapshot(snapshot);
    await writeAt(driver, source, 8192, randomBytes(4096));

    const fromSnapshot = volumeOf(2);
    await driver.createVolumeFromSnapshot(fromSnapshot, snapshot);
    assert.deepEqual(await readAt(driver, fromSnapshot, 8192, 4096), before);
    assert.equal(await sizeOf(driver, fromSnapshot), 2 * GIB);

    const clone = volumeOf(1);
    await driver.createClonedVolume(clone, source);
    assert.deepEqual(await readAt(driver, clone, 8192, 4096), await readAt(driver, source, 8192, 4096));

    for (const volume of [fromSnapshot, clone]) await driver.deleteVolume(volume);
    await driver.deleteSnapshot(snapshot);
    await driver.deleteVolume(source);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'extend grows the volume and keeps its data': async (harness) => {
    const { driver } = harness;
    const volume = volumeOf(1);
    await driver.createVolume(volume);
    const data = randomBytes(512);
    await writeAt(driver, volume, 0, data);
    await driver.extendVolume(volume, 2);
    assert.equal(await sizeOf(driver, volume), 2 * GIB);
    assert.deepEqual(await readAt(driver, volume, 0, 512), data);
    await driver.deleteVolume(volume);
  },

  'a volume from a qcow2 image holds the image\'s bytes, and a reimaged one the new image\'s; an image bigger than the volume leaves nothing changed': async (harness) => {
    const { driver } = harness;
    const raw = join(harness.scratch, `image-${randomUUID()}.raw`);
    const qcow2 = `${raw}.qcow2`;
    const data = randomBytes(65536);
    await writeFile(raw, data);
    await run('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    const volume = volumeOf(1);
    await driver.createVolumeFromImage(volume, { path: qcow2, diskFormat: 'qcow2' });
    assert.deepEqual(await readAt(driver, volume, 0, data.length), data);
    assert.equal(await sizeOf(driver, volume), GIB);

    // Reimage: the volume holds the new image's bytes at its own size; one too big leaves them.
    const other = randomBytes(65536);
    await writeFile(raw, other);
    await driver.reimageVolume(volume, { path: raw, diskFormat: 'raw' });
    assert.deepEqual(await readAt(driver, volume, 0, other.length), other);
    assert.equal(await sizeOf(driver, volume), GIB);

    const big = `${raw}.big.qcow2`;
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', big, '2G']);
    await assert.rejects(driver.reimageVolume(volume, { path: big, diskFormat: 'qcow2' }), /doesn't fit/);
    assert.deepEqual(await readAt(driver, volume, 0, other.length), other);
    await driver.deleteVolume(volume);

    await assert.rejects(driver.createVolumeFromImage(volumeOf(1), { path: big, diskFormat: 'qcow2' }), /doesn't fit/);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'a volume opened on this host reads and writes its bytes; a snapshot opened reads its moment': async (harness) => {
    const { driver } = harness;
    const volume = volumeOf(1);
    await driver.createVolume(volume);
    const device = await driver.openVolumeDevice(volume);
    const data = randomBytes(8192);
    try {
      const file = await open(device.path, 'r+');
      try {
        await file.write(data, 0, data.length, GIB - 8192);
      } finally {
        await file.close();
      }
    } finally {
      await device.release();
    }
    assert.deepEqual(await readAt(driver, volume, GIB - 8192, 8192), data);
    const snapshot = { id: randomUUID(), volumeId: volume.id, sizeGb: 1 };
    await driver.createSnapshot(snapshot);
    await writeAt(driver, volume, GIB - 8192, randomBytes(8192));
    const snapshotDevice = await driver.openSnapshotDevice(snapshot);
    try {
      const file = await open(snapshotDevice.path, 'r');
      try {
        const read = Buffer.alloc(8192);
        await file.read(read, 0, 8192, GIB - 8192);
        assert.deepEqual(read, data);
      } finally {
        await file.close();
      }
    } finally {
      await snapshotDevice.release();
    }
    await driver.deleteSnapshot(snapshot);
    await driver.deleteVolume(volume);
    await assert.rejects(driver.openVolumeDevice(volume));
    assert.deepEqual(await harness.listObjects(), []);
  },

  'capacity: total and free are reported, and provisioned counts the volumes': async (harness) => {
    const { driver } = harness;
    const empty = await driver.getCapacity();
    assert.ok(empty.totalCapacityGb > 0 && empty.freeCapacityGb <= empty.totalCapacityGb);
    const volume = volumeOf(3);
    await driver.createVolume(volume);
    const used = await driver.getCapacity();
    assert.equal(used.provisionedCapacityGb - empty.provisionedCapacityGb, 3);
    await driver.deleteVolume(volume);
  },
} satisfies ContractCases<VolumeDriverHarness, string>;

export type VolumeDriverContractCase = keyof typeof CASES;

/** Declares `volume driver contract: <name>`, one test per case, each on a fresh harness whose driver is set up. */
export function describeVolumeDriverContract(name: string, create: () => Promise<VolumeDriverHarness>, options?: ContractOptions<VolumeDriverContractCase>): void {
  const setUp = async () => {
    const harness = await create();
    await harness.driver.setUp();
    return harness;
  };
  describeContract(`volume driver contract: ${name}`, CASES, setUp, options);
}
