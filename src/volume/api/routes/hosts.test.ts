import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
type Json = Record<string, unknown>;

test('os-hosts: an admin lists the cinder services by host, and shows what each project holds on a volume host', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const listed = await cloud.call('GET', '/os-hosts', { as: ADMIN });
    assert.equal(listed.status, 200, listed.text);
    const hosts = listed.json['hosts'] as Json[];
    assert.deepEqual(hosts.map((host) => [host['host_name'], host['service'], host['service-status'], host['service-state']]), [
      ['test-host', 'cinder-scheduler', 'available', 'enabled'],
      ['test-host@file', 'cinder-volume', 'available', 'enabled'],
      ['test-host', 'cinder-backup', 'available', 'enabled'],
    ]);
    assert.deepEqual((await cloud.call('GET', '/os-hosts?zone=elsewhere', { as: ADMIN })).json, { hosts: [] });

    const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 2 } }, as: ALICE });
    const volumeId = String((created.json['volume'] as Json)['id']);
    await cloud.settle(`/volumes/${volumeId}`, ALICE);
    const snapshot = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volumeId } }, as: ALICE });
    await cloud.settle(`/snapshots/${String((snapshot.json['snapshot'] as Json)['id'])}`, ALICE);
    const resource = (project: string, counts: readonly number[]) => ({
      resource: {
        host: 'test-host@file', project,
        volume_count: String(counts[0]), total_volume_gb: String(counts[1]), snapshot_count: String(counts[2]), total_snapshot_gb: String(counts[3]),
      },
    });
    assert.deepEqual((await cloud.call('GET', '/os-hosts/test-host@file', { as: ADMIN })).json, {
      host: [resource('(total)', [1, 2, 1, 2]), resource('alice-project', [1, 2, 1, 2])],
    });

    assert.deepEqual((await cloud.call('GET', '/os-hosts/test-host', { as: ADMIN })).json, {
      itemNotFound: { code: 404, message: 'Service None could not be found on host test-host.' },
    }, 'not a volume service');
    assert.deepEqual((await cloud.call('GET', '/os-hosts', { as: ALICE })).json, {
      forbidden: { code: 403, message: "Policy doesn't allow volume_extension:hosts to be performed." },
    });
    assert.equal((await cloud.call('GET', '/os-hosts/test-host@file', { as: ALICE })).status, 403);
  }));
