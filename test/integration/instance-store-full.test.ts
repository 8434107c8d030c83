/**
 * A full instance store (Nova's instances_path on a disk with no room): the build fails while
 * the QEMU driver fetches the image into its base image cache, the server goes to ERROR with a
 * fault saying so, and nothing partial stays on the disk. A real 512 KiB tmpfs under a 1 MiB
 * image; no guest ever starts.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { startComputeCloud } from '../support/compute-cloud.js';
import { SMALL_FILESYSTEM_SKIP, withSmallFilesystem } from '../support/small-filesystem.js';
import { qemuCliUnavailable } from '../support/qemu-cli-cloud.js';

const skip = SMALL_FILESYSTEM_SKIP || qemuCliUnavailable();

test('a boot whose disk cannot be made on a full instances_path ends in ERROR with a fault saying why', { skip, timeout: 120_000 }, () =>
  withSmallFilesystem('512k', async (instancesPath) => {
    const cloud = await startComputeCloud('full', { hosts: 1, driver: 'qemu', env: { NIMBUS_COMPUTE_INSTANCES_PATH: instancesPath } });
    try {
      // A root disk of the image's size (flavor disk 0, the administrator's to boot): the 0 GB the host reports is no reason to refuse it.
      const flavor = await cloud.compute('POST', '/flavors', { body: { flavor: { name: 'image-sized', ram: 64, vcpus: 1, disk: 0 } } });
      assert.equal(flavor.status, 200, JSON.stringify(flavor.json));
      const flavorRef = String((flavor.json['flavor'] as Record<string, unknown>)['id']);
      const created = await cloud.compute('POST', '/servers', { microversion: '2.37', body: { server: { name: 'no-room', imageRef: cloud.imageId, flavorRef, networks: 'none' } } });
      assert.equal(created.status, 202, JSON.stringify(created.json));
      const id = String((created.json['server'] as Record<string, unknown>)['id']);
      const server = await cloud.waitForStatus(id, 'ERROR');
      const fault = server['fault'] as Record<string, unknown>;
      assert.equal(fault['code'], 500);
      assert.match(String(fault['message']), /No space left on device in the instance store .*_base for the base image of image/);
      const left = (await readdir(instancesPath, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
      assert.deepEqual(left.map((entry) => entry.name), [], 'no partial base image or disk');
    } finally {
      await cloud.stop();
    }
  }),
);
