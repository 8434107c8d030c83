import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { describeImageStoreContract } from '../image-store.contract.js';
import { FilesystemImageStore, STALE_STAGING_MS } from './filesystem-store.js';

describeImageStoreContract('filesystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-image-store-'));
  return {
    store: new FilesystemImageStore(root),
    listObjects: async () => {
      const staged = await readdir(join(root, '.staging')).catch(() => []);
      const committed = (await readdir(root)).filter((name) => name !== '.staging');
      return [...staged.map((name) => `.staging/${name}`), ...committed];
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

// What follows is the filesystem store's own behaviour, beyond the contract.

let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'nimbus-fs-store-'));
});
after(() => rm(directory, { recursive: true, force: true }));

test('leftover staging files from a crashed process are removed before the first write', async () => {
  const root = join(directory, 'crashed');
  await mkdir(join(root, '.staging'), { recursive: true });
  const leftover = join(root, '.staging', `${randomUUID()}.deadbeef`);
  await writeFile(leftover, 'partial upload');
  const twoHoursAgo = new Date(Date.now() - 2 * STALE_STAGING_MS);
  await utimes(leftover, twoHoursAgo, twoHoursAgo);
  const store = new FilesystemImageStore(root);
  const staged = await store.stage(randomUUID(), Readable.from([Buffer.from('new')]), { maxBytes: 10 });
  assert.deepEqual(await readdir(join(root, '.staging')), [staged.path.split('/').pop()]);
  await staged.abort();
});

test('cleanStaging creates a private staging directory and removes only stale files', async () => {
  const root = join(directory, 'fresh');
  const store = new FilesystemImageStore(root);
  await store.cleanStaging();
  assert.equal((await stat(join(root, '.staging'))).mode & 0o777, 0o700);
  await writeFile(join(root, '.staging', 'orphan'), 'x');
  await store.cleanStaging();
  assert.deepEqual(await readdir(join(root, '.staging')), ['orphan'], 'a fresh file may be a live upload of another process');
  await store.cleanStaging(Date.now() + STALE_STAGING_MS + 1000);
  assert.deepEqual(await readdir(join(root, '.staging')), []);
});

test('committed data lands at <directory>/<imageId>', async () => {
  const store = new FilesystemImageStore(join(directory, 'layout'));
  const id = randomUUID();
  const staged = await store.stage(id, Readable.from([Buffer.from('bytes')]), { maxBytes: 10 });
  assert.ok(staged.path.startsWith(join(directory, 'layout', '.staging', `${id}.`)));
  await staged.commit();
  assert.equal((await stat(join(directory, 'layout', id))).size, 5);
});

test('an image id that could name another path is refused', async () => {
  const store = new FilesystemImageStore(join(directory, 'ids'));
  for (const id of ['../escape', 'a/b', '.staging', '']) {
    await assert.rejects(store.open(id), { status: 400 }, id);
    await assert.rejects(store.stage(id, Readable.from([]), { maxBytes: 1 }), { status: 400 }, id);
  }
});
