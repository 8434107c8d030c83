import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../../common/context/request-context.js';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const V362 = '3.62';
type Json = Record<string, unknown>;

test('default types (3.62): an admin sets, shows, lists and unsets a project\'s default; a volume made there without a type gets it', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const fast = await cloud.call('POST', '/types', { body: { volume_type: { name: 'fast' } }, as: ADMIN });
    const fastId = String((fast.json['volume_type'] as Json)['id']);
    const set = (typeName: string, as: RequestContext = ADMIN, version = V362) =>
      cloud.call('PUT', '/default-types/alice-project', { body: { default_type: { volume_type: typeName } }, as, version });

    assert.equal((await set('fast', ADMIN, '3.61')).status, 404, 'not there below 3.62');
    const byName = await set('fast');
    assert.equal(byName.status, 200, JSON.stringify(byName.json));
    assert.deepEqual(byName.json, { default_type: { project_id: 'alice-project', volume_type_id: fastId } });
    assert.deepEqual((await set(fastId)).json, byName.json, 'by id too, replacing the first');
    assert.deepEqual((await set('nope')).json, { badRequest: { code: 400, message: 'Volume type with name nope could not be found.' } });
    assert.equal((await cloud.call('PUT', '/default-types/alice-project', { body: { default_type: {} }, as: ADMIN, version: V362 })).status, 400);
    assert.deepEqual((await set('fast', ALICE)).json, { forbidden: { code: 403, message: 'You are not authorized to perform this operation.' } });

    assert.deepEqual((await cloud.call('GET', '/default-types/alice-project', { as: ADMIN, version: V362 })).json, byName.json);
    assert.deepEqual((await cloud.call('GET', '/default-types', { as: ADMIN, version: V362 })).json, { default_types: [byName.json['default_type']] });
    assert.equal((await cloud.call('GET', '/default-types/alice-project', { as: ALICE, version: V362 })).status, 403);
    assert.equal((await cloud.call('GET', '/default-types', { as: ALICE, version: V362 })).status, 403);
    assert.deepEqual((await cloud.call('GET', '/default-types/bob-project', { as: ADMIN, version: V362 })).json, {
      itemNotFound: { code: 404, message: 'Default type for project bob-project not found.' },
    });

    // Alice's project now makes `fast` volumes, and shows it as her default; other projects keep __DEFAULT__.
    assert.equal((await cloud.call('GET', '/types/default', { as: ALICE })).json['volume_type'] !== undefined, true);
    assert.equal(((await cloud.call('GET', '/types/default', { as: ALICE })).json['volume_type'] as Json)['name'], 'fast');
    const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 1 } }, as: ALICE });
    assert.equal((created.json['volume'] as Json)['volume_type'], 'fast');
    const other = await cloud.call('POST', '/volumes', { body: { volume: { size: 1 } }, as: memberOf('bob-project') });
    assert.equal((other.json['volume'] as Json)['volume_type'], '__DEFAULT__');
    assert.deepEqual((await cloud.call('DELETE', `/types/${fastId}`, { as: ADMIN })).json, {
      badRequest: { code: 400, message: `The volume type ${fastId} is a default volume type and cannot be deleted.` },
    });

    // cinderclient's URLs have no project id (v3/default-types/<project>).
    const bare = await cloud.app.inject({
      method: 'DELETE',
      url: '/volume/v3/default-types/alice-project',
      headers: { 'x-test-context': JSON.stringify(ALICE), 'openstack-api-version': `volume ${V362}` },
    });
    assert.equal(bare.statusCode, 403);
    const unset = await cloud.app.inject({
      method: 'DELETE',
      url: '/volume/v3/default-types/alice-project',
      headers: { 'x-test-context': JSON.stringify(ADMIN), 'openstack-api-version': `volume ${V362}` },
    });
    assert.equal(unset.statusCode, 204);
    assert.equal((await cloud.call('GET', '/default-types/alice-project', { as: ADMIN, version: V362 })).status, 404);
    assert.equal(((await cloud.call('GET', '/types/default', { as: ALICE })).json['volume_type'] as Json)['name'], '__DEFAULT__');
  }));
