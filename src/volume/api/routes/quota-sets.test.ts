import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import { FileVolumeDriver } from '../../backends/file/file-driver.js';
import type { VolumeRef } from '../../backends/volume-driver.js';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');

type Json = Record<string, unknown>;

async function quotaSet(cloud: VolumeCloud, project: string, usage = false): Promise<Json> {
  const reply = await cloud.call('GET', `/os-quota-sets/${project}${usage ? '?usage=True' : ''}`, { as: ADMIN });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return reply.json['quota_set'] as Json;
}

/** The in_use of the given resources. */
async function inUse(cloud: VolumeCloud, project: string, resources: readonly string[]): Promise<Record<string, unknown>> {
  const quota = await quotaSet(cloud, project, true);
  return Object.fromEntries(resources.map((resource) => [resource, (quota[resource] as Json | undefined)?.['in_use']]));
}

/** A refused request: Cinder's 413 overLimit fault, its message. */
async function overLimit(cloud: VolumeCloud, method: string, path: string, body: Json, as: RequestContext = ALICE): Promise<string> {
  const reply = await cloud.call(method, path, { body, as });
  assert.equal(reply.status, 413, JSON.stringify(reply.json));
  assert.deepEqual(Object.keys(reply.json), ['overLimit']);
  const fault = reply.json['overLimit'] as Json;
  assert.equal(fault['code'], 413);
  return String(fault['message']);
}

const FAST = ['volumes_fast', 'gigabytes_fast', 'snapshots_fast'];
const TOTALS = ['volumes', 'gigabytes', 'snapshots'];

test("per-volume-type quotas: shown with their usage, set by PUT, and enforced on every create, snapshot, extend, retype, restore and transfer in Cinder's words; nothing is made over them", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const { call } = cloud;
    for (const name of ['fast', 'slow']) assert.equal((await call('POST', '/types', { body: { volume_type: { name } }, as: ADMIN })).status, 200);

    const shown = await quotaSet(cloud, 'alice-project');
    assert.deepEqual([shown['volumes_fast'], shown['gigabytes_fast'], shown['snapshots_fast'], shown['volumes___DEFAULT__'], shown['volumes']], [-1, -1, -1, -1, 10]);
    const set = await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes_fast: 2, gigabytes_fast: 3, snapshots_fast: 1 } }, as: ADMIN });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.deepEqual([(set.json['quota_set'] as Json)['volumes_fast'], (set.json['quota_set'] as Json)['gigabytes_fast']], [2, 3]);
    assert.equal((await quotaSet(cloud, 'bob-project'))['volumes_fast'], -1, "one project's limits are its own");
    const badKey = await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes_nosuchtype: 1 } }, as: ADMIN });
    assert.deepEqual(badKey.json, { badRequest: { code: 400, message: 'Bad key(s) in quota set: volumes_nosuchtype' } });
    assert.equal((await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes_fast: -2 } }, as: ADMIN })).status, 400);

    // Within the type's limits: a 1 GB volume and its snapshot; its gigabytes count in the type's.
    const first = await cloud.availableVolume({ size: 1, volume_type: 'fast' }, ALICE);
    const snapshot = await call('POST', '/snapshots', { body: { snapshot: { volume_id: first } }, as: ALICE });
    assert.equal(snapshot.status, 202, JSON.stringify(snapshot.json));
    const snapshotId = String((snapshot.json['snapshot'] as Json)['id']);
    await cloud.settle(`/snapshots/${snapshotId}`, ALICE);
    const held = { volumes_fast: 1, gigabytes_fast: 2, snapshots_fast: 1, volumes: 1, gigabytes: 2, snapshots: 1 };
    assert.deepEqual(await inUse(cloud, 'alice-project', [...FAST, ...TOTALS]), held);
    assert.deepEqual((await quotaSet(cloud, 'alice-project', true))['gigabytes_fast'], { limit: 3, in_use: 2, reserved: 0 });
    assert.deepEqual(await inUse(cloud, 'alice-project', ['volumes_slow', 'gigabytes_slow', 'snapshots_slow']), { volumes_slow: 0, gigabytes_slow: 0, snapshots_slow: 0 });
    const belowUse = await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { gigabytes_fast: 1 } }, as: ADMIN });
    assert.deepEqual(belowUse.json, { badRequest: { code: 400, message: 'Invalid input received: Quota limit 1 for gigabytes_fast must be greater than or equal to already used and reserved 2.' } });

    const gigabytesOver = "Requested volume or snapshot exceeds allowed gigabytes_fast quota. Requested 2G, quota is 3G and 2G has been consumed.";
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 2, volume_type: 'fast' } }), gigabytesOver, 'blank');
    assert.equal(
      await overLimit(cloud, 'POST', '/snapshots', { snapshot: { volume_id: first } }),
      'Maximum number of snapshots allowed (1) exceeded',
      'a second snapshot of a volume of the type',
    );
    assert.equal(
      await overLimit(cloud, 'POST', `/volumes/${first}/action`, { 'os-extend': { new_size: 3 } }),
      'Requested volume or snapshot exceeds allowed gigabytes_fast quota. Requested 2G, quota is 3G and 2G has been consumed.',
      'extend',
    );
    assert.equal(
      await overLimit(cloud, 'POST', '/volumes', { volume: { size: 2, snapshot_id: snapshotId } }),
      gigabytesOver,
      'from a snapshot: the type of its volume',
    );
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 2, source_volid: first } }), gigabytesOver, 'a clone');

    // A second volume of the type fits the gigabytes (3) but then the count (2) is full.
    const second = await cloud.availableVolume({ size: 1, volume_type: 'fast' }, ALICE);
    const countOver = "Maximum number of volumes allowed (2) exceeded for quota 'volumes_fast'.";
    await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { gigabytes_fast: -1 } }, as: ADMIN });
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 1, volume_type: 'fast' } }), countOver, 'blank, over the count');
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 1, source_volid: second } }), countOver, 'a clone keeps its type');
    const image = await cloud.images.create(ALICE, { name: 'img', disk_format: 'raw', container_format: 'bare' });
    await cloud.images.uploadImageData(ALICE, image.id, Readable.from([randomBytes(4096)]));
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 1, imageRef: image.id, volume_type: 'fast' } }), countOver, 'from an image');
    const other = await cloud.availableVolume({ size: 1, volume_type: 'slow' }, ALICE);
    assert.equal(await overLimit(cloud, 'POST', `/volumes/${other}/action`, { 'os-retype': { new_type: 'fast', migration_policy: 'never' } }), countOver, 'retype into the full type');
    assert.equal(((await call('GET', `/volumes/${other}`, { as: ALICE })).json['volume'] as Json)['volume_type'], 'slow', 'the retype changed nothing');

    // The default type gets its own limit; a restore into a new volume (of the default type) is refused.
    const backup = await call('POST', '/backups', { body: { backup: { volume_id: other } }, as: ALICE });
    assert.equal(backup.status, 202, JSON.stringify(backup.json));
    const backupId = String((backup.json['backup'] as Json)['id']);
    await cloud.settle(`/backups/${backupId}`, ALICE);
    await call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes___DEFAULT__: 0 } }, as: ADMIN });
    assert.equal(
      await overLimit(cloud, 'POST', `/backups/${backupId}/restore`, { restore: {} }),
      "Maximum number of volumes allowed (0) exceeded for quota 'volumes___DEFAULT__'.",
      'a restore into a new volume',
    );
    assert.equal(((await call('GET', `/backups/${backupId}`, { as: ALICE })).json['backup'] as Json)['status'], 'available', 'the backup is not left restoring');

    // Nothing of the refused requests was made.
    const volumes = (await call('GET', '/volumes', { as: ALICE })).json['volumes'] as Json[];
    assert.equal(volumes.length, 3);
    assert.equal((await cloud.backendFiles()).filter((name) => name.startsWith('volume-')).length, 3);
    assert.deepEqual(await inUse(cloud, 'alice-project', [...FAST, ...TOTALS, 'volumes_slow']), { ...held, volumes_fast: 2, gigabytes_fast: 3, volumes: 3, gigabytes: 4, volumes_slow: 1 });

    // A transfer counts against the recipient's type quota: refused, the volume stays with its donor.
    await call('PUT', '/os-quota-sets/bob-project', { body: { quota_set: { volumes_slow: 0 } }, as: ADMIN });
    const transfer = await call('POST', '/os-volume-transfer', { body: { transfer: { volume_id: other } }, as: ALICE });
    assert.equal(transfer.status, 202, JSON.stringify(transfer.json));
    const offer = transfer.json['transfer'] as Json;
    assert.equal(
      await overLimit(cloud, 'POST', `/os-volume-transfer/${String(offer['id'])}/accept`, { accept: { auth_key: offer['auth_key'] } }, BOB),
      "Maximum number of volumes allowed (0) exceeded for quota 'volumes_slow'.",
    );
    assert.equal((await call('GET', `/volumes/${other}`, { as: ALICE })).status, 200, 'still the donor\'s');
    assert.deepEqual(await inUse(cloud, 'bob-project', ['volumes', 'volumes_slow']), { volumes: 0, volumes_slow: 0 });
    await call('PUT', '/os-quota-sets/bob-project', { body: { quota_set: { volumes_slow: 1 } }, as: ADMIN });
    const accepted = await call('POST', `/os-volume-transfer/${String(offer['id'])}/accept`, { body: { accept: { auth_key: offer['auth_key'] } }, as: BOB });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    assert.deepEqual(await inUse(cloud, 'bob-project', ['volumes', 'volumes_slow', 'gigabytes_slow']), { volumes: 1, volumes_slow: 1, gigabytes_slow: 1 });
    assert.deepEqual(await inUse(cloud, 'alice-project', ['volumes_slow']), { volumes_slow: 0 });

    // A renamed type keeps its limits under its new name, in the project and in the default class.
    assert.equal((await call('PUT', '/os-quota-class-sets/default', { body: { quota_class_set: { snapshots_fast: 7 } }, as: ADMIN })).status, 200);
    const fastId = String((((await call('GET', '/types', { as: ADMIN })).json['volume_types'] as Json[]).find((type) => type['name'] === 'fast') ?? {})['id']);
    assert.equal((await call('PUT', `/types/${fastId}`, { body: { volume_type: { name: 'quick' } }, as: ADMIN })).status, 200);
    const renamed = await quotaSet(cloud, 'alice-project', true);
    assert.deepEqual([renamed['volumes_quick'], renamed['snapshots_quick'], renamed['volumes_fast']], [{ limit: 2, in_use: 2, reserved: 0 }, { limit: 1, in_use: 1, reserved: 0 }, undefined]);
    assert.equal((await quotaSet(cloud, 'bob-project'))['snapshots_quick'], 7, "the class's limit moved too");
    assert.equal(await overLimit(cloud, 'POST', '/volumes', { volume: { size: 1, volume_type: 'quick' } }), "Maximum number of volumes allowed (2) exceeded for quota 'volumes_quick'.");

    // Resetting the project's quotas brings back the unlimited type quotas.
    assert.equal((await call('DELETE', '/os-quota-sets/alice-project', { as: ADMIN })).status, 200);
    assert.equal((await quotaSet(cloud, 'alice-project'))['volumes_quick'], -1);
  }));

/** The file backend, its extends held until `release` is called (an extend that takes its time on a real backend). */
class HeldExtendsDriver extends FileVolumeDriver {
  readonly #released: Promise<void>;
  readonly release: () => void;
  /** Resolves once an extend has reached the backend. */
  readonly reached: Promise<void>;
  readonly #reach: () => void;

  constructor(directory: string) {
    super({ directory });
    let release = () => {};
    this.#released = new Promise((resolve) => (release = resolve));
    this.release = release;
    let reach = () => {};
    this.reached = new Promise((resolve) => (reach = resolve));
    this.#reach = reach;
  }

  override async extendVolume(volume: VolumeRef, newSizeGb: number): Promise<void> {
    this.#reach();
    await this.#released;
    await super.extendVolume(volume, newSizeGb);
  }
}

test("an extend in progress shows its gigabytes as reserved, not in use, in the totals and its type's (Cinder's usage view); once it ends they are in use", async () => {
  let backend: HeldExtendsDriver | undefined;
  await withVolumeCloud(
    'sqlite',
    async (cloud) => {
      const id = await cloud.availableVolume({ size: 1 }, ALICE);
      const extend = await cloud.call('POST', `/volumes/${id}/action`, { body: { 'os-extend': { new_size: 3 } }, as: ALICE });
      assert.equal(extend.status, 202, extend.text);
      try {
        await backend?.reached;
        const pending = await quotaSet(cloud, 'alice-project', true);
        assert.deepEqual([pending['gigabytes'], pending['gigabytes___DEFAULT__'], pending['volumes']], [
          { limit: 1000, in_use: 1, reserved: 2 },
          { limit: -1, in_use: 1, reserved: 2 },
          { limit: 10, in_use: 1, reserved: 0 },
        ]);
      } finally {
        backend?.release();
      }
      assert.equal(((await cloud.settle(`/volumes/${id}`, ALICE)).json['volume'] as Json)['size'], 3);
      const ended = await quotaSet(cloud, 'alice-project', true);
      assert.deepEqual([ended['gigabytes'], ended['gigabytes___DEFAULT__']], [{ limit: 1000, in_use: 3, reserved: 0 }, { limit: -1, in_use: 3, reserved: 0 }]);
    },
    { driver: (directory) => (backend = new HeldExtendsDriver(directory)) },
  );
});
