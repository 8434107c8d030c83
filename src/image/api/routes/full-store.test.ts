import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMALL_FILESYSTEM_SKIP, withSmallFilesystem } from '../../../../test/support/small-filesystem.js';
import { ADMIN } from '../../images/testing/image-fixture.js';
import { ImageBackends } from '../../stores/backends.js';
import { FilesystemImageStore } from '../../stores/filesystem/filesystem-store.js';
import { withImageApp, type Call } from './image-test-app.js';

// Real full disks: a 1 MiB tmpfs as the store, and images bigger than it.
const FULL = 'Image storage media is full: There is not enough disk space on the image storage media.';
const TOO_BIG = randomBytes(2 * 1024 * 1024);

async function filesUnder(directory: string): Promise<string[]> {
  return (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

async function rawImage(call: Call): Promise<string> {
  const created = await call('POST', '/v2/images', { body: { name: 'big', disk_format: 'raw', container_format: 'bare' } });
  return String(created.json['id']);
}

test('an upload bigger than the store\'s free space is Glance\'s 413, the image stays queued and no partial file remains', { skip: SMALL_FILESYSTEM_SKIP }, () =>
  withSmallFilesystem('1m', (mountPoint) =>
    withImageApp(
      async ({ call }) => {
        const id = await rawImage(call);
        const refused = await call('PUT', `/v2/images/${id}/file`, { body: TOO_BIG });
        assert.equal(refused.status, 413);
        assert.match(JSON.stringify(refused.json), new RegExp(FULL.replace(/[.]/g, '\\.')));
        const image = (await call('GET', `/v2/images/${id}`)).json;
        assert.deepEqual([image['status'], image['size'], image['checksum']], ['queued', null, null]);
        assert.deepEqual(await filesUnder(mountPoint), [], 'neither the image nor its staging file is left');

        const small = Buffer.from('fits');
        assert.equal((await call('PUT', `/v2/images/${id}/file`, { body: small })).status, 204, 'the space is back: the next upload fits');
        assert.deepEqual((await call('GET', `/v2/images/${id}/file`)).raw, small);
      },
      { fixture: { store: () => new FilesystemImageStore(join(mountPoint, 'images')) } },
    ),
  ),
);

test('copy-image into a full store: the store is listed as failed, the image stays active in its store, nothing partial is left', { skip: SMALL_FILESYSTEM_SKIP }, () =>
  withSmallFilesystem('1m', (mountPoint) =>
    withImageApp(
      async ({ call, images }) => {
        const id = await rawImage(call);
        assert.equal((await call('PUT', `/v2/images/${id}/file`, { body: TOO_BIG })).status, 204);
        const copy = { method: { name: 'copy-image' }, stores: ['small'], all_stores_must_succeed: false };
        assert.equal((await call('POST', `/v2/images/${id}/import`, { as: ADMIN, body: copy })).status, 202);
        await images.whenImportsIdle();
        const image = (await call('GET', `/v2/images/${id}`)).json;
        assert.deepEqual([image['status'], image['stores'], image['os_glance_failed_import']], ['active', 'big', 'small']);
        assert.deepEqual(await filesUnder(mountPoint), []);
      },
      {
        fixture: {
          backends: (directory) => {
            const file = (id: string, dataDir: string) => ({ id, type: 'file', description: '', store: new FilesystemImageStore(dataDir), properties: {} });
            return ImageBackends.several([file('big', join(directory, 'big')), file('small', join(mountPoint, 'images'))], 'big');
          },
        },
      },
    ),
  ),
);
