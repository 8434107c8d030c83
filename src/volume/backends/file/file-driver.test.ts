import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMALL_FILESYSTEM_SKIP, withSmallFilesystem } from '../../../../test/support/small-filesystem.js';
import { describeVolumeDriverContract } from '../volume-driver.contract.js';
import { FileVolumeDriver } from './file-driver.js';

describeVolumeDriverContract('file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-file-volumes-'));
  const directory = join(root, 'volumes');
  return {
    driver: new FileVolumeDriver({ directory }),
    scratch: root,
    listObjects: async () => (await readdir(directory)).filter((name) => !name.startsWith('.')),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

// A real full filesystem: a tmpfs of 8 MiB, mounted for this run only (root needed).
test('a backend out of space fails the create and leaves no file', { skip: SMALL_FILESYSTEM_SKIP }, () =>
  withSmallFilesystem('8m', async (root) => {
    const directory = join(root, 'volumes');
    const driver = new FileVolumeDriver({ directory });
    await driver.setUp();
    const image = join(tmpdir(), `nimbus-image-${randomUUID()}.raw`);
    await writeFile(image, randomBytes(16 * 1024 * 1024));
    try {
      await assert.rejects(driver.createVolumeFromImage({ id: randomUUID(), sizeGb: 1 }, { path: image, diskFormat: 'raw' }), /No space left|ENOSPC/i);
    } finally {
      await rm(image, { force: true });
    }
    assert.deepEqual((await readdir(directory)).filter((name) => !name.startsWith('.')), []);
  }),
);
