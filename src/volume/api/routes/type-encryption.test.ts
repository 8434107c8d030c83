import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

test("types/{id}/encryption: an admin creates, shows, updates and deletes a type's encryption; a type in use or a second create is refused", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const type = String(((await cloud.call('POST', '/types', { body: { volume_type: { name: 'secret' } }, as: ADMIN })).json['volume_type'] as Json)['id']);
    const path = `/types/${type}/encryption`;
    assert.deepEqual((await cloud.call('GET', path, { as: ADMIN })).json, {}, 'none yet');

    const spec = { provider: 'LuksEncryptor', key_size: 256, cipher: 'aes-xts-plain64', control_location: 'front-end' };
    const created = await cloud.call('POST', path, { body: { encryption: { ...spec, key_size: '256' } }, as: ADMIN });
    assert.equal(created.status, 200, created.text);
    const encryption = created.json['encryption'] as Json;
    assert.deepEqual(encryption, { ...spec, volume_type_id: type, encryption_id: encryption['encryption_id'] });

    const shown = (await cloud.call('GET', path, { as: ADMIN })).json;
    assert.deepEqual({ ...shown, created_at: undefined }, { ...spec, volume_type_id: type, encryption_id: encryption['encryption_id'], deleted: false, created_at: undefined, updated_at: null, deleted_at: null });
    assert.match(String(shown['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);

    const update = { key_size: 128, provider: 'SomeProvider', control_location: 'back-end' };
    const updated = await cloud.call('PUT', `${path}/${type}`, { body: { encryption: update }, as: ADMIN });
    assert.deepEqual(updated.json, { encryption: update });
    assert.deepEqual((await cloud.call('GET', `${path}/provider`, { as: ADMIN })).json, { provider: 'SomeProvider' });
    assert.deepEqual((await cloud.call('GET', `${path}/cipher`, { as: ADMIN })).json, { cipher: 'aes-xts-plain64' }, 'left as it was');
    assert.deepEqual((await cloud.call('GET', `${path}/colour`, { as: ADMIN })).json, {
      itemNotFound: { code: 404, message: `Volume type encryption for type ${type} does not exist.` },
    });

    assert.deepEqual((await cloud.call('POST', path, { body: { encryption: spec }, as: ADMIN })).json, {
      badRequest: { code: 400, message: `Volume type encryption for type ${type} already exists.` },
    });
    assert.equal((await cloud.call('POST', path, { body: { encryption: { provider: 'x' } }, as: ADMIN })).status, 400, 'no control_location');
    assert.deepEqual((await cloud.call('PUT', `${path}/${type}`, { body: { encryption: { key_size: 'big' } }, as: ADMIN })).json, {
      badRequest: { code: 400, message: 'Invalid input received: key_size must be an integer.' },
    });
    assert.equal((await cloud.call('POST', '/types/missing/encryption', { body: { encryption: spec }, as: ADMIN })).status, 404);
    assert.equal((await cloud.call('GET', path, { as: memberOf('alice-project') })).status, 403);

    const volumeId = await cloud.availableVolume({ size: 1, volume_type: type }, ADMIN);
    assert.deepEqual((await cloud.call('DELETE', `${path}/${type}`, { as: ADMIN })).json, {
      badRequest: { code: 400, message: 'Cannot delete encryption specs. Volume type in use.' },
    });
    assert.equal((await cloud.call('DELETE', `/volumes/${volumeId}`, { as: ADMIN })).status, 202);
    for (const deadline = Date.now() + 30_000; (await cloud.call('GET', `/volumes/${volumeId}`, { as: ADMIN })).status !== 404; ) {
      assert.ok(Date.now() < deadline, 'the volume is deleted');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal((await cloud.call('DELETE', `${path}/${type}`, { as: ADMIN })).status, 202);
    assert.deepEqual((await cloud.call('GET', path, { as: ADMIN })).json, {});
    assert.equal((await cloud.call('DELETE', `${path}/${type}`, { as: ADMIN })).status, 404);

    // A type deleted takes its encryption along: none is left behind for a type of the same id.
    assert.equal((await cloud.call('POST', path, { body: { encryption: spec }, as: ADMIN })).status, 200);
    assert.equal((await cloud.call('DELETE', `/types/${type}`, { as: ADMIN })).status, 202);
    assert.equal(await cloud.core.typeEncryption.find(type), undefined);
  }));
