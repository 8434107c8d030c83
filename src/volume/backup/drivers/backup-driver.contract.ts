/**
 * The behaviour every backup driver shares, run by each implementation's own test file through
 * `describeBackupDriverContract`. Volumes here are plain files standing for what a volume driver
 * opened; nothing names an implementation.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { open, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeContract, type ContractOptions } from '../../../../test/support/contract-suite.js';
import { BackupCorrupt, type BackupDriver } from './backup-driver.js';

export interface BackupDriverHarness {
  readonly driver: BackupDriver;
  /** A scratch directory for the stand-in volumes. */
  readonly scratch: string;
  /** Every object the store holds, in its own names, so cases can prove nothing was left. */
  listObjects(): Promise<string[]>;
  /** Bytes the backup occupies in the store. */
  storedBytes(backupId: string): Promise<number>;
  /** Changes one stored object of the backup in place (as bit rot or a careless hand would). */
  corruptOneObject(backupId: string): Promise<void>;
  dispose(): Promise<void>;
}

const MiB = 1024 * 1024;
/** Stand-in volumes of 8 MiB: several chunks at the harness's chunk size of 1 MiB. */
const VOLUME_BYTES = 8 * MiB;

const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function volumeWith(harness: BackupDriverHarness, writes: readonly { offset: number; data: Buffer }[]): Promise<string> {
  const path = join(harness.scratch, `volume-${randomUUID()}`);
  await writeFile(path, '');
  await truncate(path, VOLUME_BYTES);
  await writeAt(path, writes);
  return path;
}

async function writeAt(path: string, writes: readonly { offset: number; data: Buffer }[]): Promise<void> {
  const file = await open(path, 'r+');
  try {
    for (const { offset, data } of writes) await file.write(data, 0, data.length, offset);
  } finally {
    await file.close();
  }
}

async function blankVolume(harness: BackupDriverHarness): Promise<string> {
  return volumeWith(harness, []);
}

const CASES = {
  'a full backup restores byte for byte into another volume; delete removes every object': async (harness: BackupDriverHarness) => {
    const { driver } = harness;
    const source = await volumeWith(harness, [{ offset: 0, data: randomBytes(3 * MiB + 17) }, { offset: 7 * MiB, data: randomBytes(4096) }]);
    const backupId = randomUUID();
    const progress: number[] = [];
    const result = await driver.createBackup({ backupId, volumeId: randomUUID(), sourcePath: source, sizeBytes: VOLUME_BYTES, onProgress: (done) => progress.push(done) });
    assert.ok(result.objectCount > 1, `${result.objectCount} objects`);
    assert.equal(progress.at(-1), VOLUME_BYTES);
    const target = await blankVolume(harness);
    await driver.restoreBackup({ backupId, container: result.container, targetPath: target });
    assert.equal(digest(await readFile(target)), digest(await readFile(source)));
    // An imported record (another id) naming this container restores the same data.
    const imported = await blankVolume(harness);
    await driver.restoreBackup({ backupId: randomUUID(), container: result.container, targetPath: imported });
    assert.equal(digest(await readFile(imported)), digest(await readFile(source)));
    await driver.deleteBackup(result.container, backupId);
    await driver.deleteBackup(result.container, backupId);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'an incremental stores only what changed, and restores the volume as it was at its time': async (harness: BackupDriverHarness) => {
    const { driver } = harness;
    const volumeId = randomUUID();
    const source = await volumeWith(harness, [{ offset: 0, data: randomBytes(VOLUME_BYTES) }]);
    const full = randomUUID();
    const fullContainer = (await driver.createBackup({ backupId: full, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES })).container;
    const atFull = await readFile(source);
    await writeAt(source, [{ offset: 5 * MiB + 100, data: randomBytes(1000) }]);
    const incremental = randomUUID();
    const result = await driver.createBackup({ backupId: incremental, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES, parentId: full });
    assert.equal(result.objectCount, 1);
    assert.ok((await harness.storedBytes(incremental)) * 20 < (await harness.storedBytes(full)), 'the incremental is a small part of the full');

    const fromIncremental = await blankVolume(harness);
    await driver.restoreBackup({ backupId: incremental, container: result.container, targetPath: fromIncremental });
    assert.equal(digest(await readFile(fromIncremental)), digest(await readFile(source)));
    const fromFull = await blankVolume(harness);
    await driver.restoreBackup({ backupId: full, container: fullContainer, targetPath: fromFull });
    assert.equal(digest(await readFile(fromFull)), digest(atFull));
    await driver.deleteBackup(result.container, incremental);
    await driver.deleteBackup(fullContainer, full);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'a changed object fails the restore with BackupCorrupt, also through an incremental': async (harness: BackupDriverHarness) => {
    const { driver } = harness;
    const volumeId = randomUUID();
    const source = await volumeWith(harness, [{ offset: MiB, data: randomBytes(2 * MiB) }]);
    const full = randomUUID();
    const fullContainer = (await driver.createBackup({ backupId: full, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES })).container;
    const incremental = randomUUID();
    const incrementalContainer = (await driver.createBackup({ backupId: incremental, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES, parentId: full })).container;
    await harness.corruptOneObject(full);
    for (const [backupId, container] of [[full, fullContainer], [incremental, incrementalContainer]] as const) {
      await assert.rejects(driver.restoreBackup({ backupId, container, targetPath: await blankVolume(harness) }), (error: unknown) => error instanceof BackupCorrupt && /checksum|sha256/.test(error.message));
    }
    await driver.deleteBackup(incrementalContainer, incremental);
    await driver.deleteBackup(fullContainer, full);
  },

  'backups naming one container share it: each restores its own data, volume metadata and image metadata, and deleting one keeps the other': async (harness: BackupDriverHarness) => {
    const { driver } = harness;
    const volumeId = randomUUID();
    const source = await volumeWith(harness, [{ offset: 0, data: randomBytes(2 * MiB) }]);
    const first = randomUUID();
    const atFirst = await readFile(source);
    const created = await driver.createBackup({ backupId: first, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES, container: 'shared', volumeMetadata: { a: 'b' }, imageMetadata: { image_id: 'i', min_ram: '64' } });
    assert.equal(created.container, 'shared');
    await writeAt(source, [{ offset: MiB, data: randomBytes(4096) }]);
    const second = randomUUID();
    assert.equal((await driver.createBackup({ backupId: second, volumeId, sourcePath: source, sizeBytes: VOLUME_BYTES, parentId: first, container: 'shared' })).container, 'shared');
    await driver.deleteBackup('shared', randomUUID());
    const fromSecond = await blankVolume(harness);
    assert.deepEqual(await driver.restoreBackup({ backupId: second, container: 'shared', targetPath: fromSecond }), { volumeMetadata: null, imageMetadata: null }, 'none was given');
    assert.equal(digest(await readFile(fromSecond)), digest(await readFile(source)));
    await driver.deleteBackup('shared', second);
    const fromFirst = await blankVolume(harness);
    assert.deepEqual(await driver.restoreBackup({ backupId: first, container: 'shared', targetPath: fromFirst }), { volumeMetadata: { a: 'b' }, imageMetadata: { image_id: 'i', min_ram: '64' } }, 'the volume and image metadata come back');
    assert.equal(digest(await readFile(fromFirst)), digest(atFirst));
    await driver.deleteBackup('shared', first);
    assert.deepEqual(await harness.listObjects(), []);
  },

  'a backup that cannot read its volume leaves nothing behind': async (harness: BackupDriverHarness) => {
    const { driver } = harness;
    await assert.rejects(driver.createBackup({ backupId: randomUUID(), volumeId: randomUUID(), sourcePath: join(harness.scratch, 'no-such-volume'), sizeBytes: VOLUME_BYTES }));
    const short = await blankVolume(harness);
    await truncate(short, MiB);
    await assert.rejects(driver.createBackup({ backupId: randomUUID(), volumeId: randomUUID(), sourcePath: short, sizeBytes: VOLUME_BYTES }), /ended/);
    assert.deepEqual(await harness.listObjects(), []);
  },
} as const;

export type BackupDriverContractCase = keyof typeof CASES;

/** `backup driver contract: <name>`; harnesses use a chunk size of 1 MiB. */
export function describeBackupDriverContract(name: string, create: () => Promise<BackupDriverHarness>, options: ContractOptions<BackupDriverContractCase> = {}): void {
  describeContract(`backup driver contract: ${name}`, CASES, create, options);
}
