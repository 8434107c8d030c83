/**
 * Glance multi-store through Debian's python3-glanceclient (the openstack CLI of this release has
 * no `image import` and no `--store`): a cloud with `enabled_backends = fast:file, slow:file`,
 * an upload to a named store, copy-image into the other, and the copy removed again.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fakeCliCloud } from '../support/fake-cli-cloud.js';
import type { OpenstackEnv } from '../support/openstack-cli.js';
import { openstackRest, pollUntil } from '../support/openstack-rest.js';

const run = promisify(execFile);
const skip = existsSync('/usr/bin/glance') ? false : 'python3-glanceclient is not installed';

async function glance(env: OpenstackEnv, args: readonly string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/glance', [...args], { env: { PATH: process.env['PATH'], ...env, OS_IMAGE_API_VERSION: '2' } });
  return stdout;
}

/** A `glance image-show` table's property value. */
function propertyOf(table: string, name: string): string | undefined {
  const row = table.split('\n').find((line) => line.startsWith(`| ${name} `));
  return row?.split('|')[2]?.trim();
}

describe('image stores through the glance CLI', { skip }, () => {
  const cloud = fakeCliCloud('stores-cli', { config: '[DEFAULT]\nenabled_backends = fast:file, slow:file\n[glance_store]\ndefault_backend = fast\n[slow]\nstore_description = HDD\n' });

  test('stores-info, image-create --store, image-import --import-method copy-image, stores-delete', async () => {
    const stores = await glance(cloud.admin, ['stores-info']);
    assert.match(stores, /"id": "fast"[\s\S]*"default": "true"[\s\S]*"id": "slow"[\s\S]*"description": "HDD"/);

    const file = join(cloud.work, 'disk.raw');
    writeFileSync(file, Buffer.alloc(1 << 20, 0x5a));
    const created = await glance(cloud.admin, ['image-create', '--name', 'multi', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, '--store', 'slow']);
    const id = propertyOf(created, 'id') ?? '';
    assert.deepEqual([propertyOf(created, 'status'), propertyOf(created, 'stores')], ['active', 'slow']);

    await glance(cloud.admin, ['image-import', '--import-method', 'copy-image', '--stores', 'fast', id]);
    // The copy is polled over REST (100 polls of the glance CLI took at least 190 s), then shown through the CLI.
    const rest = openstackRest(cloud.admin);
    await pollUntil('the copy to fast', async () => ((await rest.get(`/image/v2/images/${id}`))['stores'] === 'slow,fast' ? true : undefined), 190_000, 100).catch(
      () => undefined,
    );
    const shown = await glance(cloud.admin, ['image-show', id]);
    assert.deepEqual([propertyOf(shown, 'status'), propertyOf(shown, 'stores'), propertyOf(shown, 'os_glance_failed_import')], ['active', 'slow,fast', '']);

    await glance(cloud.admin, ['stores-delete', '--store', 'slow', id]);
    assert.equal(propertyOf(await glance(cloud.admin, ['image-show', id]), 'stores'), 'fast');
    const downloaded = join(cloud.work, 'back.raw');
    await glance(cloud.admin, ['image-download', '--file', downloaded, id]);
    assert.ok(existsSync(downloaded));
  });
});
