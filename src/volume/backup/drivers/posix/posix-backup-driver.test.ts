import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeBackupDriverContract } from '../backup-driver.contract.js';
import { PosixBackupDriver } from './posix-backup-driver.js';

const MiB = 1024 * 1024;

async function harness() {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-posix-backup-'));
  const directory = join(root, 'backups');
  const driver = new PosixBackupDriver({ directory, chunkSize: MiB, shaBlockSize: 32 * 1024 });
  await driver.setUp();
  const dirOf = (backupId: string) => join(directory, `backup-${backupId}`);
  return {
    driver,
    scratch: root,
    listObjects: async () => readdir(directory),
    storedBytes: async (backupId: string) => {
      let total = 0;
      for (const name of await readdir(dirOf(backupId))) if (name.startsWith('backup-')) total += (await stat(join(dirOf(backupId), name))).size;
      return total;
    },
    corruptOneObject: async (backupId: string) => {
      const file = await open(join(dirOf(backupId), 'backup-00002'), 'r+');
      try {
        await file.write(Buffer.from([0x5a]), 0, 1, 10);
      } finally {
        await file.close();
      }
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

describeBackupDriverContract('posix', harness);

test('posix: a backup is a directory of objects, a metadata file and a sha256 file; a missing object is named in the error', async () => {
  const { driver, scratch, dispose } = await harness();
  try {
    const volume = join(scratch, 'volume');
    await writeFile(volume, '');
    await truncate(volume, 4 * MiB);
    const blank = randomUUID();
    assert.equal((await driver.createBackup({ backupId: blank, volumeId: randomUUID(), sourcePath: volume, sizeBytes: 4 * MiB })).objectCount, 0, 'zeros are recorded, not stored');
    const file = await open(volume, 'r+');
    try {
      for (const offset of [0, MiB, 2 * MiB]) await file.write(Buffer.from('data'), 0, 4, offset);
    } finally {
      await file.close();
    }
    const backupId = randomUUID();
    const result = await driver.createBackup({ backupId, volumeId: randomUUID(), sourcePath: volume, sizeBytes: 4 * MiB });
    const dir = join(scratch, 'backups', `backup-${backupId}`);
    assert.deepEqual((await readdir(dir)).sort(), ['backup-00001', 'backup-00002', 'backup-00003', 'metadata', 'sha256file']);
    assert.deepEqual([result.objectCount, result.container], [3, `backup-${backupId}`]);
    await rm(join(dir, 'backup-00003'));
    await assert.rejects(driver.restoreBackup({ backupId, container: result.container, targetPath: volume }), /object backup-00003 is missing/);
  } finally {
    await dispose();
  }
});

test('posix: chunk_size must be a multiple of the sha block size', () => {
  assert.throws(() => new PosixBackupDriver({ directory: '/nonexistent', chunkSize: 1000, shaBlockSize: 32768 }), /multiple/);
});
