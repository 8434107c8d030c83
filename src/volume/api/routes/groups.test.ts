import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
const BOB = memberOf('bob-project');
const V = '3.70';

type Json = Record<string, unknown>;

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} did not happen`);
}

async function volumeType(cloud: VolumeCloud, name: string): Promise<string> {
  const reply = await cloud.call('POST', '/types', { body: { volume_type: { name } }, as: ADMIN });
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  return String((reply.json['volume_type'] as Json)['id']);
}

async function groupType(cloud: VolumeCloud, name: string, extra: Json = {}): Promise<string> {
  const reply = await cloud.call('POST', '/group_types', { body: { group_type: { name, ...extra } }, as: ADMIN, version: V });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  return String((reply.json['group_type'] as Json)['id']);
}

async function group(cloud: VolumeCloud, body: Json, as = ALICE): Promise<string> {
  const reply = await cloud.call('POST', '/groups', { body: { group: body }, as, version: V });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  return String((reply.json['group'] as Json)['id']);
}

const showGroup = async (cloud: VolumeCloud, id: string, as = ALICE, query = '') => (await cloud.call('GET', `/groups/${id}${query}`, { as, version: V })).json['group'] as Json;
const groupSnapshot = async (cloud: VolumeCloud, id: string) => (await cloud.call('GET', `/group_snapshots/${id}`, { as: ALICE, version: V })).json['group_snapshot'] as Json | undefined;

test('group types: admins create, update and delete them with their group specs; members list the public ones without specs; bad input is 400/404/409', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const created = await cloud.call('POST', '/group_types', { body: { group_type: { name: 'gt-a', description: 'd', group_specs: { consistent_group_snapshot_enabled: '<is> False' } } }, as: ADMIN, version: V });
    assert.equal(created.status, 202);
    const id = String((created.json['group_type'] as Json)['id']);
    assert.deepEqual(created.json, { group_type: { id, name: 'gt-a', description: 'd', is_public: true, group_specs: { consistent_group_snapshot_enabled: '<is> False' } } });
    await groupType(cloud, 'gt-b', { is_public: false });

    assert.equal((await cloud.call('POST', '/group_types', { body: { group_type: { name: 'x' } }, as: ALICE, version: V })).status, 403);
    assert.deepEqual((await cloud.call('POST', '/group_types', { body: { group_type: { name: 'gt-a' } }, as: ADMIN, version: V })).json, { conflictingRequest: { code: 409, message: 'Group Type gt-a already exists.' } });
    assert.equal((await cloud.call('POST', '/group_types', { body: { group_type: { name: 'y', bogus: 1 } }, as: ADMIN, version: V })).status, 400);
    assert.equal((await cloud.call('GET', '/group_types', { as: ADMIN, version: '3.10' })).status, 404, 'from 3.11 on');

    const names = async (query: string, as = ADMIN) => ((await cloud.call('GET', `/group_types${query}`, { as, version: V })).json['group_types'] as Json[]).map((type) => type['name']);
    assert.deepEqual(await names('?is_public=None&sort=name:asc'), ['default_cgsnapshot_type', 'gt-a', 'gt-b']);
    assert.deepEqual(await names('?is_public=None&sort=name:desc'), ['gt-b', 'gt-a', 'default_cgsnapshot_type']);
    assert.deepEqual(await names('?is_public=false'), ['gt-b']);
    assert.deepEqual((await names('?is_public=false', ALICE)).sort(), ['default_cgsnapshot_type', 'gt-a'], 'a member sees the public ones whatever is_public says');
    assert.equal((await cloud.call('GET', '/group_types?is_public=maybe', { as: ADMIN, version: V })).status, 400);
    const shown = await cloud.call('GET', `/group_types/${id}`, { as: ALICE, version: V });
    assert.deepEqual(shown.json, { group_type: { id, name: 'gt-a', description: 'd', is_public: true } }, 'no group_specs for a member');
    assert.deepEqual((await cloud.call('GET', '/group_types/default', { as: ALICE, version: V })).json, { itemNotFound: { code: 404, message: 'Default group type can not be found.' } });

    const updated = await cloud.call('PUT', `/group_types/${id}`, { body: { group_type: { name: 'gt-a2', description: 'new' } }, as: ADMIN, version: V });
    assert.deepEqual([updated.status, (updated.json['group_type'] as Json)['name'], (updated.json['group_type'] as Json)['description']], [200, 'gt-a2', 'new']);
    assert.equal((await cloud.call('PUT', `/group_types/${id}`, { body: { group_type: {} }, as: ADMIN, version: V })).status, 400);
    assert.equal((await cloud.call('PUT', `/group_types/${id}`, { body: { group_type: { name: 'gt-b' } }, as: ADMIN, version: V })).status, 409);
    assert.equal((await cloud.call('PUT', '/group_types/nope', { body: { group_type: { name: 'z' } }, as: ADMIN, version: V })).status, 404);

    const specs = `/group_types/${id}/group_specs`;
    const set = await cloud.call('POST', specs, { body: { group_specs: { key1: 'value1', key2: 'value2' } }, as: ADMIN, version: V });
    assert.deepEqual([set.status, set.json], [202, { group_specs: { key1: 'value1', key2: 'value2' } }]);
    assert.deepEqual((await cloud.call('PUT', `${specs}/key2`, { body: { key2: 'v2' }, as: ADMIN, version: V })).json, { key2: 'v2' });
    assert.deepEqual((await cloud.call('PUT', `${specs}/key2`, { body: { key3: 'v3' }, as: ADMIN, version: V })).json, { badRequest: { code: 400, message: 'Request body and URI mismatch' } });
    assert.equal((await cloud.call('POST', specs, { body: { group_specs: { 'bad key': 'v' } }, as: ADMIN, version: V })).status, 400);
    assert.deepEqual((await cloud.call('GET', specs, { as: ADMIN, version: V })).json, { group_specs: { consistent_group_snapshot_enabled: '<is> False', key1: 'value1', key2: 'v2' } });
    assert.deepEqual((await cloud.call('GET', `${specs}/key1`, { as: ADMIN, version: V })).json, { key1: 'value1' });
    assert.equal((await cloud.call('GET', specs, { as: ALICE, version: V })).status, 403);
    assert.equal((await cloud.call('DELETE', `${specs}/key1`, { as: ADMIN, version: V })).status, 202);
    assert.deepEqual((await cloud.call('GET', `${specs}/key1`, { as: ADMIN, version: V })).json, { itemNotFound: { code: 404, message: `Group Type ${id} has no extra spec with key key1.` } });
    assert.deepEqual((await cloud.call('DELETE', `${specs}/key1`, { as: ADMIN, version: V })).json, { itemNotFound: { code: 404, message: `Group Type ${id} has no specs with key key1.` } });

    const typeId = await volumeType(cloud, 'vt');
    await group(cloud, { group_type: id, volume_types: [typeId] });
    assert.deepEqual((await cloud.call('DELETE', `/group_types/${id}`, { as: ADMIN, version: V })).json, { badRequest: { code: 400, message: 'Target group type is still in use.' } });
    const other = await groupType(cloud, 'gt-c');
    assert.equal((await cloud.call('DELETE', `/group_types/${other}`, { as: ALICE, version: V })).status, 403);
    assert.equal((await cloud.call('DELETE', `/group_types/${other}`, { as: ADMIN, version: V })).status, 202);
    assert.equal((await cloud.call('GET', `/group_types/${other}`, { as: ADMIN, version: V })).status, 404);
  }));

test('groups: volumes go in with group_id, move out and back with update; deleting needs delete-volumes; bad input is 400/404 and changes nothing', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const typeId = await volumeType(cloud, 'vt');
    const otherType = await volumeType(cloud, 'vt-other');
    const gtId = await groupType(cloud, 'gt');
    const id = await group(cloud, { name: ' g1 ', group_type: 'gt', volume_types: ['vt'] });
    assert.equal((await cloud.call('POST', '/groups', { body: { group: { group_type: gtId, volume_types: [typeId] } }, as: ALICE, version: '3.12' })).status, 404, 'from 3.13 on');

    const shown = await showGroup(cloud, id);
    assert.deepEqual(shown, {
      id, status: 'available', availability_zone: 'nova', created_at: shown['created_at'], name: 'g1', description: null, group_type: gtId, volume_types: [typeId],
      group_snapshot_id: null, source_group_id: null, replication_status: 'disabled',
    });
    assert.equal((await cloud.call('GET', `/groups/${id}`, { as: BOB, version: V })).status, 404);
    assert.deepEqual((await cloud.call('GET', '/groups', { as: ALICE, version: V })).json, { groups: [{ id, name: 'g1' }] });
    assert.deepEqual((await cloud.call('GET', '/groups', { as: BOB, version: V })).json, { groups: [] });

    // Bad creates: unknown group type, volume type or zone; the migrated-CG type; nothing is made.
    const refusedCreate = async (body: Json, status: number) => assert.equal((await cloud.call('POST', '/groups', { body: { group: body }, as: ALICE, version: V })).status, status, JSON.stringify(body));
    await refusedCreate({ group_type: 'nope', volume_types: [typeId] }, 404);
    await refusedCreate({ group_type: gtId, volume_types: ['nope'] }, 404);
    await refusedCreate({ group_type: gtId, volume_types: [] }, 400);
    await refusedCreate({ group_type: gtId }, 400);
    await refusedCreate({ group_type: gtId, volume_types: [typeId], availability_zone: 'elsewhere' }, 400);
    await refusedCreate({ group_type: 'default_cgsnapshot_type', volume_types: [typeId] }, 400);
    assert.equal(((await cloud.call('GET', '/groups', { as: ALICE, version: V })).json['groups'] as Json[]).length, 1);

    // The groups quota: counted in the usage, a group past it is 413.
    assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { groups: 1 } }, as: ADMIN })).status, 200);
    const usage = (await cloud.call('GET', '/os-quota-sets/alice-project?usage=true', { as: ALICE })).json['quota_set'] as Record<string, Json>;
    assert.deepEqual(usage['groups'], { limit: 1, in_use: 1, reserved: 0 });
    assert.deepEqual((await cloud.call('POST', '/groups', { body: { group: { group_type: gtId, volume_types: [typeId] } }, as: ALICE, version: V })).json, {
      overLimit: { code: 413, message: 'Maximum number of groups allowed (1) exceeded' },
    });
    assert.equal((await cloud.call('PUT', '/os-quota-sets/alice-project', { body: { quota_set: { groups: 10 } }, as: ADMIN })).status, 200);

    const v1 = await cloud.availableVolume({ size: 1, volume_type: typeId, group_id: id }, ALICE);
    const v2 = await cloud.availableVolume({ size: 1, volume_type: 'vt', group_id: id }, ALICE);
    const volume = async (volumeId: string, version = V) => (await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE, version })).json['volume'] as Json;
    assert.equal((await volume(v1))['group_id'], id);
    assert.equal('group_id' in (await volume(v1, '3.12')), false, 'group_id shows from 3.13');
    const wrongType = await cloud.call('POST', '/volumes', { body: { volume: { size: 1, volume_type: otherType, group_id: id } }, as: ALICE });
    assert.deepEqual(wrongType.json, { badRequest: { code: 400, message: 'Invalid input received: Invalid volume_type provided: vt-other (requested type must be supported by this group).' } });
    assert.equal((await cloud.call('POST', '/volumes', { body: { volume: { size: 1, volume_type: typeId, group_id: id } }, as: BOB })).status, 404, "another project's group");
    assert.deepEqual([...((await showGroup(cloud, id, ALICE, '?list_volume=true'))['volumes'] as string[])].sort(), [v1, v2].sort());
    assert.deepEqual(((await cloud.call('GET', `/volumes/detail?group_id=${id}`, { as: ALICE, version: V })).json['volumes'] as Json[]).length, 2);

    // A member is deleted only with its group.
    const memberDelete = await cloud.call('DELETE', `/volumes/${v1}`, { as: ALICE });
    assert.equal(memberDelete.status, 400);
    assert.equal((await volume(v1))['status'], 'available');

    // Update: name and description, remove and add back; bad members are 400 and change nothing.
    const update = (body: Json, as = ALICE) => cloud.call('PUT', `/groups/${id}`, { body: { group: body }, as, version: V });
    assert.equal((await update({ name: 'new', description: 'desc', remove_volumes: v2 })).status, 202);
    assert.deepEqual([(await showGroup(cloud, id))['name'], (await showGroup(cloud, id))['description'], (await volume(v2))['group_id']], ['new', 'desc', null]);
    assert.equal((await update({ add_volumes: `${v2},` })).status, 202);
    assert.equal((await volume(v2))['group_id'], id);
    const loose = await cloud.availableVolume({ size: 1, volume_type: otherType }, ALICE);
    assert.deepEqual((await update({ add_volumes: loose })).json, {
      badRequest: { code: 400, message: `Invalid volume: Cannot add volume ${loose} to group ${id} because volume type ${otherType} is not supported by the group.` },
    });
    assert.deepEqual((await update({ remove_volumes: loose, name: 'changed' })).json, { badRequest: { code: 400, message: `Invalid volume: Cannot remove volume ${loose} from group ${id} because it is not in the group.` } });
    assert.equal((await update({ add_volumes: v1, remove_volumes: v1 })).status, 400);
    assert.equal((await update({})).status, 400);
    assert.equal((await update({ bogus: 'x' })).status, 400);
    assert.equal((await update({ name: 'x' }, BOB)).status, 404);
    assert.equal((await showGroup(cloud, id))['name'], 'new', 'unchanged');

    // Delete: without delete-volumes a group with volumes stays; reset_status is the admin's (3.20).
    const action = (body: Json, as = ALICE, version = V) => cloud.call('POST', `/groups/${id}/action`, { body, as, version });
    assert.deepEqual((await action({ delete: { 'delete-volumes': false } })).json, {
      badRequest: { code: 400, message: `Invalid Group: Group ${id} still contains volumes. The delete-volumes flag is required to delete it.` },
    });
    assert.equal((await action({ reset_status: { status: 'error' } })).status, 403);
    assert.equal((await action({ reset_status: { status: 'error' } }, ADMIN, '3.19')).status, 404, 'from 3.20 on');
    assert.equal((await action({ reset_status: { status: 'bogus' } }, ADMIN)).status, 400);
    for (const status of ['creating', 'error', 'available']) {
      assert.equal((await action({ reset_status: { status } }, ADMIN)).status, 202);
      assert.equal((await showGroup(cloud, id))['status'], status);
    }
    assert.equal((await action({ delete: { 'delete-volumes': true } })).status, 202);
    assert.equal((await cloud.call('GET', `/groups/${id}`, { as: ALICE, version: V })).status, 404);
    await until('the members are deleted', async () => (await cloud.call('GET', `/volumes/${v1}`, { as: ALICE })).status === 404 && (await cloud.call('GET', `/volumes/${v2}`, { as: ALICE })).status === 404);
    assert.equal((await cloud.call('GET', `/volumes/${loose}`, { as: ALICE })).status, 200, 'not a member');

    const empty = await group(cloud, { group_type: gtId, volume_types: [typeId] });
    assert.equal((await cloud.call('POST', `/groups/${empty}/action`, { body: { delete: {} }, as: ALICE, version: V })).status, 202);
    assert.deepEqual((await cloud.call('GET', '/groups/detail', { as: ALICE, version: V })).json, { groups: [] });
  }));

test('group snapshots: one snapshot per member through the snapshot path, a group made from it or from the group; a member in error is 400', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const typeId = await volumeType(cloud, 'vt');
    const gtId = await groupType(cloud, 'gt');
    const id = await group(cloud, { group_type: gtId, volume_types: [typeId] });
    const members = [await cloud.availableVolume({ size: 1, volume_type: typeId, group_id: id }, ALICE), await cloud.availableVolume({ size: 1, volume_type: typeId, group_id: id }, ALICE)];

    const created = await cloud.call('POST', '/group_snapshots', { body: { group_snapshot: { group_id: id, name: 'gs' } }, as: ALICE, version: V });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const gsId = String((created.json['group_snapshot'] as Json)['id']);
    assert.deepEqual(created.json, { group_snapshot: { id: gsId, name: 'gs', group_type_id: gtId } });
    await until('the group snapshot is available', async () => (await groupSnapshot(cloud, gsId))?.['status'] === 'available');
    const snapshots = ((await cloud.call('GET', '/snapshots/detail', { as: ALICE })).json['snapshots'] as Json[]).filter((snapshot) => members.includes(String(snapshot['volume_id'])));
    assert.deepEqual(snapshots.map((snapshot) => [snapshot['status'], snapshot['name']]), [['available', 'gs'], ['available', 'gs']]);
    const shown = await groupSnapshot(cloud, gsId);
    assert.deepEqual(shown, { id: gsId, group_id: id, group_type_id: gtId, status: 'available', created_at: shown?.['created_at'], name: 'gs', description: null });
    assert.deepEqual((await cloud.call('GET', '/group_snapshots', { as: ALICE, version: V })).json, { group_snapshots: [{ id: gsId, name: 'gs' }] });
    assert.equal((await cloud.call('GET', `/group_snapshots/${gsId}`, { as: BOB, version: V })).status, 404);
    assert.equal((await cloud.call('GET', '/group_snapshots', { as: ALICE, version: '3.13' })).status, 404, 'from 3.14 on');

    // A member snapshot goes only with its group snapshot; the group stays while it has one.
    assert.equal((await cloud.call('DELETE', `/snapshots/${String(snapshots[0]?.['id'])}`, { as: ALICE })).status, 400);
    assert.deepEqual((await cloud.call('POST', `/groups/${id}/action`, { body: { delete: { 'delete-volumes': true } }, as: ALICE, version: V })).json, { badRequest: { code: 400, message: 'Invalid Group: Group has existing snapshots.' } });

    // A group from the group snapshot, and one from the group: a volume per member, each available.
    for (const source of [{ group_snapshot_id: gsId }, { source_group_id: id }]) {
      const made = await cloud.call('POST', '/groups/action', { body: { 'create-from-src': { name: 'copy', ...source } }, as: ALICE, version: V });
      assert.equal(made.status, 202, JSON.stringify(made.json));
      const copy = String((made.json['group'] as Json)['id']);
      const view = await showGroup(cloud, copy);
      assert.deepEqual([view['name'], view['group_type'], view['volume_types'], view['group_snapshot_id'], view['source_group_id']], ['copy', gtId, [typeId], source.group_snapshot_id ?? null, source.source_group_id ?? null]);
      await until('the copies are available', async () => {
        const copies = ((await cloud.call('GET', `/volumes/detail?group_id=${copy}`, { as: ALICE, version: V })).json['volumes'] as Json[]);
        return copies.length === 2 && copies.every((volume) => volume['status'] === 'available');
      });
      assert.equal((await cloud.call('POST', `/groups/${copy}/action`, { body: { delete: { 'delete-volumes': true } }, as: ALICE, version: V })).status, 202);
    }
    assert.equal((await cloud.call('POST', '/groups/action', { body: { 'create-from-src': { group_snapshot_id: gsId, source_group_id: id } }, as: ALICE, version: V })).status, 400, 'one source');
    assert.equal((await cloud.call('POST', '/groups/action', { body: { 'create-from-src': { source_group_id: '6b4d0b1e-0000-4000-8000-000000000000' } }, as: ALICE, version: V })).status, 404);

    // reset_status (3.19, admin), then delete: its snapshots go, then it.
    const reset = (status: string, as = ADMIN, version = V) => cloud.call('POST', `/group_snapshots/${gsId}/action`, { body: { reset_status: { status } }, as, version });
    assert.equal((await reset('error', ALICE)).status, 403);
    assert.equal((await reset('error', ADMIN, '3.18')).status, 404);
    assert.equal((await reset('bogus')).status, 400);
    assert.equal((await reset('error')).status, 202);
    assert.equal((await groupSnapshot(cloud, gsId))?.['status'], 'error');
    assert.equal((await cloud.call('DELETE', `/group_snapshots/${gsId}`, { as: ALICE, version: V })).status, 202);
    assert.equal((await cloud.call('GET', `/group_snapshots/${gsId}`, { as: ALICE, version: V })).status, 404);
    await until('the member snapshots are deleted', async () => ((await cloud.call('GET', '/snapshots', { as: ALICE })).json['snapshots'] as Json[]).length === 0);

    // A member in error: the group snapshot is refused and nothing is made.
    assert.equal((await cloud.call('POST', `/volumes/${members[0] ?? ''}/action`, { body: { 'os-reset_status': { status: 'error' } }, as: ADMIN })).status, 202);
    const refused = await cloud.call('POST', '/group_snapshots', { body: { group_snapshot: { group_id: id } }, as: ALICE, version: V });
    assert.deepEqual(refused.json, { badRequest: { code: 400, message: `Invalid volume: Volume ${members[0] ?? ''} status must be available or in-use, but current status is: error.` } });
    assert.equal((await cloud.call('POST', '/group_snapshots', { body: { group_snapshot: { group_id: 'not-a-uuid' } }, as: ALICE, version: V })).status, 400);
    assert.deepEqual((await cloud.call('GET', '/group_snapshots/detail', { as: ALICE, version: V })).json, { group_snapshots: [] });
    assert.deepEqual(((await cloud.call('GET', '/snapshots', { as: ALICE })).json['snapshots'] as Json[]).length, 0);
  }));

test('a frozen backend refuses a group snapshot of its volumes, the group snapshot\'s delete and the group\'s delete-volumes with Cinder\'s 400, changing nothing', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const typeId = await volumeType(cloud, 'vt');
    const id = await group(cloud, { group_type: await groupType(cloud, 'gt'), volume_types: [typeId] });
    const member = await cloud.availableVolume({ size: 1, volume_type: typeId, group_id: id }, ALICE);
    // A second group with no group snapshot, for delete-volumes.
    const other = await group(cloud, { group_type: await groupType(cloud, 'gt2'), volume_types: [typeId] });
    const otherMember = await cloud.availableVolume({ size: 1, volume_type: typeId, group_id: other }, ALICE);
    const created = await cloud.call('POST', '/group_snapshots', { body: { group_snapshot: { group_id: id } }, as: ALICE, version: V });
    const gsId = String((created.json['group_snapshot'] as Json)['id']);
    await until('the group snapshot is available', async () => (await groupSnapshot(cloud, gsId))?.['status'] === 'available');
    assert.equal((await cloud.call('PUT', '/os-services/freeze', { body: { host: 'test-host' }, as: ADMIN })).status, 200);

    const frozen = { badRequest: { code: 400, message: 'Invalid input received: Modification operations are not allowed on frozen storage backends.' } };
    assert.deepEqual((await cloud.call('POST', '/group_snapshots', { body: { group_snapshot: { group_id: id } }, as: ALICE, version: V })).json, frozen);
    assert.deepEqual((await cloud.call('DELETE', `/group_snapshots/${gsId}`, { as: ALICE, version: V })).json, frozen);
    assert.deepEqual((await cloud.call('POST', `/groups/${other}/action`, { body: { delete: { 'delete-volumes': true } }, as: ALICE, version: V })).json, frozen);
    assert.deepEqual(((await cloud.call('GET', '/group_snapshots', { as: ALICE, version: V })).json['group_snapshots'] as Json[]).map((snapshot) => snapshot['id']), [gsId]);
    assert.equal((await groupSnapshot(cloud, gsId))?.['status'], 'available');
    for (const [groupId, volumeId] of [[id, member], [other, otherMember]] as const) {
      assert.equal((await showGroup(cloud, groupId))['status'], 'available');
      assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: ALICE })).json['volume'] as Json)['status'], 'available');
    }
    assert.deepEqual(((await cloud.call('GET', '/snapshots', { as: ALICE })).json['snapshots'] as Json[]).map((snapshot) => snapshot['status']), ['available']);

    assert.equal((await cloud.call('PUT', '/os-services/thaw', { body: { host: 'test-host' }, as: ADMIN })).status, 200);
    assert.equal((await cloud.call('DELETE', `/group_snapshots/${gsId}`, { as: ALICE, version: V })).status, 202);
    await until('the group snapshot is gone', async () => (await groupSnapshot(cloud, gsId)) === undefined);
  }));
