import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

test('qos-specs: an admin creates, lists, shows, sets and unsets keys of, and deletes QoS specs; bad input as Cinder answers it', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const created = await cloud.call('POST', '/qos-specs', { body: { qos_specs: { name: ' gold ', consumer: 'front-end', read_iops_sec: '2000' } }, as: ADMIN });
    assert.equal(created.status, 200, created.text);
    const qos = created.json['qos_specs'] as Json;
    const id = String(qos['id']);
    assert.deepEqual(qos, { id, name: 'gold', consumer: 'front-end', specs: { read_iops_sec: '2000' } });
    assert.deepEqual(created.json['links'], [
      { href: `http://cloud/volume/v3/admin-project/qos-specs/${id}`, rel: 'self' },
      { href: `http://cloud/volume/admin-project/qos-specs/${id}`, rel: 'bookmark' },
    ]);
    const plain = await cloud.call('POST', '/qos-specs', { body: { qos_specs: { name: 'silver' } }, as: ADMIN });
    assert.equal((plain.json['qos_specs'] as Json)['consumer'], 'back-end', "Cinder's default consumer");

    assert.deepEqual((await cloud.call('GET', `/qos-specs/${id}`, { as: ADMIN })).json, created.json);
    assert.deepEqual(((await cloud.call('GET', '/qos-specs', { as: ADMIN })).json['qos_specs'] as Json[]).map((item) => item['name']).sort(), ['gold', 'silver']);
    assert.deepEqual((await cloud.call('GET', '/qos-specs?name=gold', { as: ADMIN })).json, { qos_specs: [qos] });

    const set = await cloud.call('PUT', `/qos-specs/${id}`, { body: { qos_specs: { iops_bytes: '500' } }, as: ADMIN });
    assert.deepEqual(set.json, { qos_specs: { iops_bytes: '500' } });
    assert.deepEqual(((await cloud.call('GET', `/qos-specs/${id}`, { as: ADMIN })).json['qos_specs'] as Json)['specs'], { read_iops_sec: '2000', iops_bytes: '500' });
    assert.equal((await cloud.call('PUT', `/qos-specs/${id}/delete_keys`, { body: { keys: ['iops_bytes'] }, as: ADMIN })).status, 202);
    assert.deepEqual(((await cloud.call('GET', `/qos-specs/${id}`, { as: ADMIN })).json['qos_specs'] as Json)['specs'], { read_iops_sec: '2000' });

    assert.deepEqual((await cloud.call('PUT', `/qos-specs/${id}/delete_keys`, { body: { keys: ['nope'] }, as: ADMIN })).json, {
      itemNotFound: { code: 404, message: `QoS spec ${id} has no spec with key nope.` },
    });
    assert.deepEqual((await cloud.call('POST', '/qos-specs', { body: { qos_specs: { name: 'gold' } }, as: ADMIN })).json, {
      conflictingRequest: { code: 409, message: 'QoS Specs gold already exists.' },
    });
    assert.deepEqual((await cloud.call('POST', '/qos-specs', { body: { qos_specs: { name: 'bronze', consumer: 'middle' } }, as: ADMIN })).json, {
      badRequest: { code: 400, message: "Invalid qos specs: Valid consumer of QoS specs are: ['front-end', 'back-end', 'both']" },
    });
    assert.equal((await cloud.call('POST', '/qos-specs', { body: { qos_specs: { consumer: 'both' } }, as: ADMIN })).status, 400, 'no name');
    assert.deepEqual((await cloud.call('GET', '/qos-specs/missing', { as: ADMIN })).json, { itemNotFound: { code: 404, message: 'No such QoS spec missing.' } });
    assert.deepEqual((await cloud.call('GET', '/qos-specs', { as: memberOf('alice-project') })).json, {
      forbidden: { code: 403, message: "Policy doesn't allow volume_extension:qos_specs_manage:get_all to be performed." },
    });

    assert.equal((await cloud.call('DELETE', `/qos-specs/${id}`, { as: ADMIN })).status, 202);
    assert.equal((await cloud.call('GET', `/qos-specs/${id}`, { as: ADMIN })).status, 404);
  }));

test('qos-specs associations: a volume type takes one QoS specs, shown as its qos_specs_id; a specs in use is deleted only with force', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const make = async (name: string) => String(((await cloud.call('POST', '/qos-specs', { body: { qos_specs: { name } }, as: ADMIN })).json['qos_specs'] as Json)['id']);
    const gold = await make('gold');
    const silver = await make('silver');
    const types: string[] = [];
    for (const name of ['fast', 'faster']) types.push(String(((await cloud.call('POST', '/types', { body: { volume_type: { name } }, as: ADMIN })).json['volume_type'] as Json)['id']));
    const [fast = '', faster = ''] = types;

    for (const type of types) assert.equal((await cloud.call('GET', `/qos-specs/${gold}/associate?vol_type_id=${type}`, { as: ADMIN })).status, 202);
    const associations = (await cloud.call('GET', `/qos-specs/${gold}/associations`, { as: ADMIN })).json;
    assert.deepEqual(associations, {
      qos_associations: [
        { association_type: 'volume_type', id: fast, name: 'fast' },
        { association_type: 'volume_type', id: faster, name: 'faster' },
      ],
    });
    assert.equal(((await cloud.call('GET', `/types/${fast}`, { as: ADMIN })).json['volume_type'] as Json)['qos_specs_id'], gold);
    assert.equal((await cloud.call('GET', `/qos-specs/${gold}/associate?vol_type_id=${fast}`, { as: ADMIN })).status, 202, 'again: nothing changes');
    assert.deepEqual((await cloud.call('GET', `/qos-specs/${silver}/associate?vol_type_id=${fast}`, { as: ADMIN })).json, {
      badRequest: { code: 400, message: `Invalid volume type: Type ${fast} is already associated with another qos specs: ${gold}` },
    });
    assert.deepEqual((await cloud.call('GET', `/qos-specs/${gold}/associate`, { as: ADMIN })).json, { badRequest: { code: 400, message: 'Volume Type id must not be None.' } });
    assert.equal((await cloud.call('GET', `/qos-specs/${gold}/associate?vol_type_id=missing`, { as: ADMIN })).status, 404);

    assert.equal((await cloud.call('GET', `/qos-specs/${gold}/disassociate?vol_type_id=${fast}`, { as: ADMIN })).status, 202);
    assert.equal(((await cloud.call('GET', `/types/${fast}`, { as: ADMIN })).json['volume_type'] as Json)['qos_specs_id'], null);
    assert.deepEqual((await cloud.call('DELETE', `/qos-specs/${gold}`, { as: ADMIN })).json, { badRequest: { code: 400, message: 'Qos specs still in use.' } });
    assert.equal((await cloud.call('GET', `/qos-specs/${gold}/disassociate_all`, { as: ADMIN })).status, 202);
    assert.deepEqual((await cloud.call('GET', `/qos-specs/${gold}/associations`, { as: ADMIN })).json, { qos_associations: [] });

    assert.equal((await cloud.call('GET', `/qos-specs/${silver}/associate?vol_type_id=${faster}`, { as: ADMIN })).status, 202);
    assert.equal((await cloud.call('DELETE', `/qos-specs/${silver}?force=true`, { as: ADMIN })).status, 202);
    assert.equal(((await cloud.call('GET', `/types/${faster}`, { as: ADMIN })).json['volume_type'] as Json)['qos_specs_id'], null);
  }));
