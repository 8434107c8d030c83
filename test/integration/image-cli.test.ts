import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import { openstack, openstackCliUnavailable, openstackJson, type OpenstackEnv } from '../support/openstack-cli.js';

// The image acceptance list of issue 4, driven through Debian's python3-openstackclient, with
// disk images made by qemu-img.
const run = promisify(execFile);
const skip = openstackCliUnavailable();

interface Image {
  id: string;
  name: string;
  status: string;
  checksum: string | null;
  size: number | null;
  visibility: string;
  protected: boolean;
  tags: string[];
  properties: Record<string, unknown>;
  owner: string;
}

const digest = (algorithm: string, path: string) => createHash(algorithm).update(readFileSync(path)).digest('hex');

describe('images through the openstack CLI', { skip }, () => {
  const cloud = fakeCliCloud('image-cli');
  const disk = join(cloud.work, 'disk.qcow2');

  const as = (username: string, password: string, project: string): OpenstackEnv => ({
    ...cloud.admin,
    OS_USERNAME: username,
    OS_PASSWORD: password,
    OS_PROJECT_NAME: project,
  });
  const show = (env: OpenstackEnv, image: string) => openstackJson<Image>(env, ['image', 'show', image]);
  const token = async (env: OpenstackEnv) => (await openstackJson<{ id: string }>(env, ['token', 'issue'])).id;

  before(async () => {
    // A qcow2 with real clusters in it, so size, checksum and virtual size all mean something.
    await run('qemu-img', ['create', '-f', 'qcow2', disk, '64M']);
    writeFileSync(join(cloud.work, 'pattern.raw'), Buffer.alloc(1 << 20, 0x5a));
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(cloud.work, 'pattern.raw'), disk]);
  });

  test('create from a qcow2 file: active, checksum = md5sum, os_hash_value = sha512sum; save returns the same bytes', async () => {
    const created = await openstack(cloud.admin, [
      'image', 'create', 'cirros', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--property', 'a=b', '--private',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const image = await show(cloud.admin, 'cirros');
    assert.equal(image.status, 'active');
    assert.equal(image.checksum, digest('md5', disk));
    assert.equal(image.properties['os_hash_algo'], 'sha512');
    assert.equal(image.properties['os_hash_value'], digest('sha512', disk));
    assert.equal(image.size, readFileSync(disk).length);
    assert.equal(image.visibility, 'private');

    const saved = join(cloud.work, 'saved.qcow2');
    const save = await openstack(cloud.admin, ['image', 'save', '--file', saved, 'cirros']);
    assert.equal(save.code, 0, save.stderr);
    assert.ok(readFileSync(saved).equals(readFileSync(disk)), 'image save returns identical bytes');
  });

  test('list --property, --private and --long', async () => {
    const byProperty = await openstackJson<{ Name: string }[]>(cloud.admin, ['image', 'list', '--property', 'a=b']);
    assert.deepEqual(byProperty.map((row) => row.Name), ['cirros']);
    assert.deepEqual(await openstackJson<unknown[]>(cloud.admin, ['image', 'list', '--property', 'a=c']), []);
    const privateOnes = await openstackJson<{ Name: string }[]>(cloud.admin, ['image', 'list', '--private']);
    assert.deepEqual(privateOnes.map((row) => row.Name), ['cirros']);
    const long = await openstackJson<Record<string, unknown>[]>(cloud.admin, ['image', 'list', '--long']);
    assert.equal(long[0]?.['Disk Format'], 'qcow2');
    assert.equal(long[0]?.['Container Format'], 'bare');
    assert.equal(long[0]?.['Visibility'], 'private');
    assert.equal(typeof long[0]?.['Checksum'], 'string');
  });

  test('set --tag/--property/--protected (delete refused), then unset', async () => {
    const set = await openstack(cloud.admin, ['image', 'set', '--tag', 'blue', '--property', 'c=d', '--protected', 'cirros']);
    assert.equal(set.code, 0, set.stderr);
    let image = await show(cloud.admin, 'cirros');
    assert.deepEqual(image.tags, ['blue']);
    assert.equal(image.properties['c'], 'd');
    assert.equal(image.protected, true);
    const refused = await openstack(cloud.admin, ['image', 'delete', 'cirros']);
    assert.notEqual(refused.code, 0);
    assert.equal((await show(cloud.admin, 'cirros')).status, 'active');

    const unset = await openstack(cloud.admin, ['image', 'unset', '--tag', 'blue', '--property', 'c', 'cirros']);
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal((await openstack(cloud.admin, ['image', 'set', '--unprotected', 'cirros'])).code, 0);
    image = await show(cloud.admin, 'cirros');
    assert.deepEqual(image.tags, []);
    assert.equal(image.properties['c'], undefined);
    assert.equal(image.protected, false);
  });

  test('add project + member accept: visible to that project only', async () => {
    await openstackJson(cloud.admin, ['project', 'create', 'third']);
    await openstackJson(cloud.admin, ['user', 'create', 'thelma', '--password', 'third-secret', '--project', 'third']);
    assert.equal((await openstack(cloud.admin, ['role', 'add', '--user', 'thelma', '--project', 'third', 'member'])).code, 0);
    const third = as('thelma', 'third-secret', 'third');

    const created = await openstack(cloud.admin, ['image', 'create', 'gift', '--file', disk, '--disk-format', 'qcow2', '--shared']);
    assert.equal(created.code, 0, created.stderr);
    const gift = await show(cloud.admin, 'gift');
    assert.notEqual((await openstack(cloud.demo, ['image', 'show', gift.id])).code, 0, 'not shared yet');

    const added = await openstack(cloud.admin, ['image', 'add', 'project', 'gift', 'demo']);
    assert.equal(added.code, 0, added.stderr);
    const accepted = await openstack(cloud.demo, ['image', 'set', '--accept', gift.id]);
    assert.equal(accepted.code, 0, accepted.stderr);
    const demoList = await openstackJson<{ ID: string }[]>(cloud.demo, ['image', 'list']);
    assert.deepEqual(demoList.map((row) => row.ID), [gift.id]);
    assert.equal((await show(cloud.demo, gift.id)).name, 'gift');

    assert.deepEqual(await openstackJson<unknown[]>(third, ['image', 'list']), []);
    const hidden = await openstack(third, ['image', 'show', gift.id]);
    assert.notEqual(hidden.code, 0);
    assert.notEqual((await openstack(cloud.demo, ['image', 'show', 'cirros'])).code, 0, 'private images stay private');
  });

  test('bad input: upload to an active image is 409; qcow2 with a backing file and qcow2 declared raw are refused', async () => {
    const cirros = await show(cloud.admin, 'cirros');
    const upload = await fetch(`${cloud.base}/image/v2/images/${cirros.id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': await token(cloud.admin), 'content-type': 'application/octet-stream' },
      body: readFileSync(disk),
    });
    assert.equal(upload.status, 409);

    const overlay = join(cloud.work, 'overlay.qcow2');
    await run('qemu-img', ['create', '-f', 'qcow2', '-b', disk, '-F', 'qcow2', overlay]);
    // The CLI deletes an image whose upload failed, so the CLI shows the refusal and the API the state.
    const backed = await openstack(cloud.admin, ['image', 'create', 'backed', '--file', overlay, '--disk-format', 'qcow2']);
    assert.notEqual(backed.code, 0);
    assert.match(backed.stderr, /backing file/, backed.stderr);
    assert.equal((await uploadRefused(overlay, 'qcow2')).status, 'queued');

    const disguised = await openstack(cloud.admin, ['image', 'create', 'disguised', '--file', disk, '--disk-format', 'raw']);
    assert.notEqual(disguised.code, 0);
    assert.match(disguised.stderr, /qcow2/, disguised.stderr);
    assert.equal((await uploadRefused(disk, 'raw')).status, 'queued');
  });

  /** Creates an image over the API, uploads `file` (expecting 400), and returns the image with its data state. */
  async function uploadRefused(file: string, diskFormat: string): Promise<{ status: string }> {
    const headers = { 'x-auth-token': await token(cloud.admin) };
    const created = await fetch(`${cloud.base}/image/v2/images`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'refused', disk_format: diskFormat, container_format: 'bare' }),
    });
    const { id } = (await created.json()) as { id: string };
    const upload = await fetch(`${cloud.base}/image/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: readFileSync(file),
    });
    assert.equal(upload.status, 400);
    assert.equal((await fetch(`${cloud.base}/image/v2/images/${id}/file`, { headers })).status, 204, 'no data was kept');
    const image = (await (await fetch(`${cloud.base}/image/v2/images/${id}`, { headers })).json()) as { status: string };
    assert.equal((await fetch(`${cloud.base}/image/v2/images/${id}`, { method: 'DELETE', headers })).status, 204);
    return image;
  }

  test('create --import: glance-direct stages and imports; the image turns active with the file\'s checksum and bytes', async () => {
    const created = await openstack(cloud.admin, [
      'image', 'create', 'imported', '--import', '--file', disk, '--disk-format', 'qcow2', '--container-format', 'bare', '--private',
    ]);
    assert.equal(created.code, 0, created.stderr);
    // The CLI returns once the import is accepted (202); the image turns active when it ends.
    let image = await show(cloud.admin, 'imported');
    for (let tries = 0; image.status !== 'active' && tries < 50; tries += 1) {
      assert.ok(['uploading', 'importing'].includes(image.status), `unexpected status ${image.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      image = await show(cloud.admin, 'imported');
    }
    assert.equal(image.status, 'active');
    assert.equal(image.checksum, digest('md5', disk));
    assert.equal(image.properties['os_hash_value'], digest('sha512', disk));
    assert.equal(image.size, readFileSync(disk).length);
    const saved = join(cloud.work, 'imported.qcow2');
    assert.equal((await openstack(cloud.admin, ['image', 'save', '--file', saved, 'imported'])).code, 0);
    assert.ok(readFileSync(saved).equals(readFileSync(disk)), 'the imported image holds the file\'s bytes');
    assert.equal((await openstack(cloud.admin, ['image', 'delete', 'imported'])).code, 0);
  });

  test('delete', async () => {
    for (const name of ['cirros', 'gift']) {
      const deleted = await openstack(cloud.admin, ['image', 'delete', name]);
      assert.equal(deleted.code, 0, deleted.stderr);
    }
    assert.deepEqual(await openstackJson<unknown[]>(cloud.admin, ['image', 'list']), []);
    assert.notEqual((await openstack(cloud.admin, ['image', 'show', 'cirros'])).code, 0);
  });
});
