import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Database } from '../../../common/db/database.js';
import { FlavorStore } from '../../db/flavor-store.js';
import { insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { AUTO_DISK_IMAGE_ID, IMAGE_ID, NO_AUTO_DISK_IMAGE_ID, withComputeApp, type Call } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');

/** An ACTIVE m1.tiny server of demo on compute-1. */
async function activeServer(db: Database): Promise<string> {
  const tiny = await new FlavorStore(db).get({ isAdmin: true }, '1');
  return insertInstance(db, 'demo', { image_ref: IMAGE_ID, flavor: JSON.stringify({ cur: tiny, old: null, new: null }) });
}

async function diskConfig(call: Call, id: string): Promise<unknown> {
  return ((await call('GET', `/servers/${id}`, { as: DEMO })).json['server'] as Record<string, unknown>)['OS-DCF:diskConfig'];
}

// Nova keeps OS-DCF:diskConfig as asked (create, rebuild, resize, update) or as the image's auto_disk_config says.
describe('OS-DCF:diskConfig', () => {
  test('create: as asked, else from the image; AUTO on an image that disables it is a 400 and creates nothing', () =>
    withComputeApp(async ({ call }) => {
      const create = (imageRef: string, asked?: string) =>
        call('POST', '/servers', { body: { server: { name: 'vm', imageRef, flavorRef: '1', ...(asked === undefined ? {} : { 'OS-DCF:diskConfig': asked }) } }, as: DEMO });
      const auto = await create(IMAGE_ID, 'AUTO');
      assert.equal(auto.status, 202, JSON.stringify(auto.json));
      const created = auto.json['server'] as Record<string, unknown>;
      assert.equal(created['OS-DCF:diskConfig'], 'AUTO');
      assert.equal(await diskConfig(call, String(created['id'])), 'AUTO');
      const fromImage = (await create(AUTO_DISK_IMAGE_ID)).json['server'] as Record<string, unknown>;
      assert.equal(await diskConfig(call, String(fromImage['id'])), 'AUTO');
      const manual = (await create(AUTO_DISK_IMAGE_ID, 'MANUAL')).json['server'] as Record<string, unknown>;
      assert.equal(await diskConfig(call, String(manual['id'])), 'MANUAL');
      const plain = (await create(IMAGE_ID)).json['server'] as Record<string, unknown>;
      assert.equal(await diskConfig(call, String(plain['id'])), 'MANUAL');

      const before = ((await call('GET', '/servers', { as: DEMO })).json['servers'] as unknown[]).length;
      const refused = await create(NO_AUTO_DISK_IMAGE_ID, 'AUTO');
      assert.equal(refused.status, 400);
      assert.equal((refused.json['badRequest'] as Record<string, unknown>)['message'], `Requested image ${NO_AUTO_DISK_IMAGE_ID} has automatic disk resizing disabled.`);
      assert.equal(((await call('GET', '/servers', { as: DEMO })).json['servers'] as unknown[]).length, before);
      assert.equal((await create(IMAGE_ID, 'SOMETIMES')).status, 400);
    }));

  test('update sets it; rebuild takes the asked one or the new image’s; resize sets the asked one, MANUAL when none', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await activeServer(db);
      assert.equal(await diskConfig(call, id), 'MANUAL');
      const updated = await call('PUT', `/servers/${id}`, { body: { server: { 'OS-DCF:diskConfig': 'AUTO' } }, as: DEMO });
      assert.equal((updated.json['server'] as Record<string, unknown>)['OS-DCF:diskConfig'], 'AUTO');

      const rebuilt = await call('POST', `/servers/${id}/action`, { body: { rebuild: { imageRef: IMAGE_ID } }, as: DEMO });
      assert.equal(rebuilt.status, 202, JSON.stringify(rebuilt.json));
      assert.equal((rebuilt.json['server'] as Record<string, unknown>)['OS-DCF:diskConfig'], 'MANUAL', "the image's (none: MANUAL)");

      const other = await activeServer(db);
      const asked = await call('POST', `/servers/${other}/action`, { body: { rebuild: { imageRef: AUTO_DISK_IMAGE_ID, 'OS-DCF:diskConfig': 'MANUAL' } }, as: DEMO });
      assert.equal((asked.json['server'] as Record<string, unknown>)['OS-DCF:diskConfig'], 'MANUAL');
      const third = await activeServer(db);
      const disabled = await call('POST', `/servers/${third}/action`, { body: { rebuild: { imageRef: NO_AUTO_DISK_IMAGE_ID, 'OS-DCF:diskConfig': 'AUTO' } }, as: DEMO });
      assert.equal(disabled.status, 400);

      const resized = await activeServer(db);
      await call('PUT', `/servers/${resized}`, { body: { server: { 'OS-DCF:diskConfig': 'AUTO' } }, as: DEMO });
      assert.equal((await call('POST', `/servers/${resized}/action`, { body: { resize: { flavorRef: '2' } }, as: DEMO })).status, 202);
      assert.equal(await diskConfig(call, resized), 'MANUAL');
      const resizedAuto = await activeServer(db);
      assert.equal((await call('POST', `/servers/${resizedAuto}/action`, { body: { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } }, as: DEMO })).status, 202);
      assert.equal(await diskConfig(call, resizedAuto), 'AUTO');
    }));
});
