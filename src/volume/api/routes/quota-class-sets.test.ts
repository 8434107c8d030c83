import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
type Json = Record<string, unknown>;

test('quota classes: the default class shows the configured defaults; an admin raising it raises every project without its own limits', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast' } }, as: ADMIN });
    const shown = await cloud.call('GET', '/os-quota-class-sets/default', { as: ADMIN });
    assert.equal(shown.status, 200, shown.text);
    const before = shown.json['quota_class_set'] as Json;
    assert.equal(before['id'], 'default');
    assert.deepEqual([before['volumes'], before['gigabytes'], before['volumes_fast'], before['gigabytes___DEFAULT__']], [10, 1000, -1, -1], 'configured, and per type unlimited');

    const update = (body: unknown, as = ADMIN) => cloud.call('PUT', '/os-quota-class-sets/default', { body, as });
    const updated = await update({ quota_class_set: { volumes: 1, gigabytes: '20', volumes_fast: 4 } });
    assert.equal(updated.status, 200, updated.text);
    const after = updated.json['quota_class_set'] as Json;
    assert.equal(after['id'], undefined, "Cinder's update answer has no id");
    assert.deepEqual([after['volumes'], after['gigabytes'], after['volumes_fast'], after['snapshots']], [1, 20, 4, 10]);
    const defaults = (await cloud.call('GET', '/os-quota-sets/new-project/defaults', { as: ADMIN })).json['quota_set'] as Json;
    assert.deepEqual([defaults['id'], defaults['volumes'], defaults['gigabytes'], defaults['volumes_fast']], ['new-project', 1, 20, 4]);
    assert.equal(((await cloud.call('GET', '/os-quota-sets/alice-project', { as: ALICE })).json['quota_set'] as Json)['volumes'], 1);

    // A project now starts with one volume; its own limit still wins over the class.
    assert.equal((await cloud.call('POST', '/volumes', { body: { volume: { size: 1 } }, as: ALICE })).status, 202);
    assert.equal((await cloud.call('POST', '/volumes', { body: { volume: { size: 1 } }, as: ALICE })).status, 413);
    await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { volumes: 2 } }, as: ADMIN });
    assert.equal((await cloud.call('POST', '/volumes', { body: { volume: { size: 1 } }, as: ALICE })).status, 202);

    // Another class leaves what it does not set to the default class.
    const gold = await cloud.call('PUT', '/os-quota-class-sets/gold', { body: { quota_class_set: { snapshots: 50 } }, as: ADMIN });
    assert.deepEqual([(gold.json['quota_class_set'] as Json)['snapshots'], (gold.json['quota_class_set'] as Json)['volumes']], [50, 1]);

    for (const body of [{ quota_class_set: { volumes: -2 } }, { quota_class_set: { volumes: 'ten' } }, { quota_class_set: { 'bad/key': 1 } }, { quota: {} }]) {
      const refused = await update(body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(typeof (refused.json['badRequest'] as Json)['message'], 'string');
    }
    assert.deepEqual((await update({ quota_class_set: { volumes: 9 } }, ALICE)).json, {
      forbidden: { code: 403, message: "Policy doesn't allow volume_extension:quota_classes:update to be performed." },
    });
    assert.equal((await cloud.call('GET', '/os-quota-class-sets/default', { as: ALICE })).status, 403);
    assert.equal(((await cloud.call('GET', '/os-quota-class-sets/default', { as: ADMIN })).json['quota_class_set'] as Json)['volumes'], 1, 'refused updates changed nothing');
  }));
