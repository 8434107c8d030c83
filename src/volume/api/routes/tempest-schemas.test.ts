import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWithTempest, type TempestCase } from '../../../../test/support/tempest-schemas.js';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

const ALICE = memberOf('alice-project');
type Json = Record<string, unknown>;

// Our answers at 3.0 (and the volume's at 3.70) through Tempest's own Cinder response schemas (tempest.lib.api_schema.response.volume).
test("volume, snapshot, type, quota, quota class, limits, services, hosts, pools and extensions responses pass Tempest's schemas", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const cases: TempestCase[] = [];
    const record = async (name: string, method: string, path: string, volumeModule: string, attr: string, options: { body?: unknown; as?: typeof ALICE; version?: string } = {}) => {
      const version = options.version ?? '3.0';
      const reply = await cloud.call(method, path, { as: options.as ?? ALICE, version, ...(options.body === undefined ? {} : { body: options.body }) });
      cases.push({ name, version, status: reply.status, body: reply.json, schema: { volumeModule, attr } });
      return reply.json;
    };
    const created = await record('create volume', 'POST', '/volumes', 'volumes', 'create_volume', { body: { volume: { size: 1, name: 'v', metadata: { a: 'b' } } } });
    const id = String((created['volume'] as Json)['id']);
    await cloud.settle(`/volumes/${id}`, ALICE);
    await record('show volume', 'GET', `/volumes/${id}`, 'volumes', 'show_volume');
    await record('show volume (admin)', 'GET', `/volumes/${id}`, 'volumes', 'show_volume', { as: ADMIN });
    await record('list volumes', 'GET', '/volumes', 'volumes', 'list_volumes_no_detail');
    await record('list volumes detail', 'GET', '/volumes/detail', 'volumes', 'list_volumes_with_detail');
    // The highest version: shared_targets may be null from 3.69 (Tempest's v3_69 schemas).
    await record('show volume (3.70)', 'GET', `/volumes/${id}`, 'v3_69.volumes', 'show_volume', { version: '3.70' });
    await record('list volumes detail (3.70, time filter)', 'GET', '/volumes/detail?created_at=gt:2000-01-01', 'v3_69.volumes', 'list_volumes_with_detail', { version: '3.70' });
    await record('update volume', 'PUT', `/volumes/${id}`, 'volumes', 'update_volume', { body: { volume: { name: 'w' } } });
    await record('create metadata', 'POST', `/volumes/${id}/metadata`, 'volumes', 'create_volume_metadata', { body: { metadata: { c: 'd' } } });
    await record('show metadata', 'GET', `/volumes/${id}/metadata`, 'volumes', 'show_volume_metadata');
    await record('update metadata item', 'PUT', `/volumes/${id}/metadata/c`, 'volumes', 'update_volume_metadata_item', { body: { meta: { c: 'e' } } });
    await record('show metadata item', 'GET', `/volumes/${id}/metadata/c`, 'volumes', 'show_volume_metadata_item');
    await record('set bootable', 'POST', `/volumes/${id}/action`, 'volumes', 'set_bootable_volume', { body: { 'os-set_bootable': { bootable: true } } });

    const snapshot = await record('create snapshot', 'POST', '/snapshots', 'snapshots', 'create_snapshot', { body: { snapshot: { volume_id: id, name: 's' } } });
    const snapshotId = String((snapshot['snapshot'] as Json)['id']);
    await cloud.settle(`/snapshots/${snapshotId}`, ALICE);
    await record('show snapshot', 'GET', `/snapshots/${snapshotId}`, 'snapshots', 'show_snapshot');
    await record('list snapshots', 'GET', '/snapshots', 'snapshots', 'list_snapshots_no_detail');
    await record('list snapshots detail', 'GET', '/snapshots/detail', 'snapshots', 'list_snapshots_with_detail');
    await record('update snapshot', 'PUT', `/snapshots/${snapshotId}`, 'snapshots', 'update_snapshot', { body: { snapshot: { name: 't' } } });
    await record('delete snapshot', 'DELETE', `/snapshots/${snapshotId}`, 'snapshots', 'delete_snapshot');
    await cloud.settle(`/snapshots/${snapshotId}`, ALICE);
    await record('extend volume', 'POST', `/volumes/${id}/action`, 'volumes', 'extend_volume', { body: { 'os-extend': { new_size: 2 } } });
    await cloud.settle(`/volumes/${id}`, ALICE);

    const type = await record('create type', 'POST', '/types', 'volume_types', 'create_volume_type', { as: ADMIN, body: { volume_type: { name: 'fast', extra_specs: { k: 'v' } } } });
    const typeId = String((type['volume_type'] as Json)['id']);
    await record('show type', 'GET', `/types/${typeId}`, 'volume_types', 'show_volume_type');
    await record('list types', 'GET', '/types', 'volume_types', 'list_volume_types');
    await record('list extra specs', 'GET', `/types/${typeId}/extra_specs`, 'volume_types', 'list_volume_types_extra_specs', { as: ADMIN });
    await record('create extra specs', 'POST', `/types/${typeId}/extra_specs`, 'volume_types', 'create_volume_types_extra_specs', { as: ADMIN, body: { extra_specs: { x: 'y' } } });
    await record('update type', 'PUT', `/types/${typeId}`, 'volume_types', 'update_volume_types', { as: ADMIN, body: { volume_type: { description: 'd' } } });
    await record('delete type', 'DELETE', `/types/${typeId}`, 'volume_types', 'delete_volume_type', { as: ADMIN });

    await record('show quota set', 'GET', '/os-quota-sets/alice-project', 'quotas', 'show_quota_set');
    await record('show quota usage', 'GET', '/os-quota-sets/alice-project?usage=True', 'quotas', 'show_quota_set_usage');
    await record('update quota set', 'PUT', '/os-quota-sets/alice-project', 'quotas', 'update_quota_set', { as: ADMIN, body: { quota_set: { volumes: 20 } } });
    await record('limits', 'GET', '/limits', 'limits', 'show_limits');
    await record('services', 'GET', '/os-services', 'services', 'list_services', { as: ADMIN });
    await record('pools', 'GET', '/scheduler-stats/get_pools', 'scheduler_stats', 'get_pools_no_detail', { as: ADMIN });
    await record('pools detail', 'GET', '/scheduler-stats/get_pools?detail=true', 'scheduler_stats', 'get_pools_with_detail', { as: ADMIN });
    await record('show quota class', 'GET', '/os-quota-class-sets/default', 'quota_classes', 'show_quota_classes', { as: ADMIN });
    await record('update quota class', 'PUT', '/os-quota-class-sets/default', 'quota_classes', 'update_quota_classes', { as: ADMIN, body: { quota_class_set: { volumes: 20 } } });
    await record('extensions', 'GET', '/extensions', 'extensions', 'list_extensions');
    await record('hosts', 'GET', '/os-hosts', 'hosts', 'list_hosts', { as: ADMIN });
    await record('show host', 'GET', '/os-hosts/test-host@file', 'hosts', 'show_host', { as: ADMIN });
    await record('delete volume', 'DELETE', `/volumes/${id}`, 'volumes', 'delete_volume');

    const verdicts = await checkWithTempest(cases);
    if (typeof verdicts === 'string') return;
    const failures = cases.map((each) => [each.name, verdicts.get(each.name)]).filter(([, error]) => error !== null);
    assert.deepEqual(failures.map(([name, error]) => `${String(name)}: ${String(error).split("\n").slice(0, 2).join(" ")}`), []);
  }));

// The group APIs at 3.70 (Tempest asks for its highest), through tempest.lib.api_schema.response.volume.group*.
test("group type, group spec, group and group snapshot responses pass Tempest's schemas", () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const cases: TempestCase[] = [];
    const version = '3.70';
    const record = async (name: string, method: string, path: string, volumeModule: string, attr: string, options: { body?: unknown; as?: typeof ALICE } = {}) => {
      const reply = await cloud.call(method, path, { as: options.as ?? ALICE, version, ...(options.body === undefined ? {} : { body: options.body }) });
      cases.push({ name, version, status: reply.status, body: reply.json, schema: { volumeModule, attr } });
      return reply.json;
    };
    const type = await cloud.call('POST', '/types', { body: { volume_type: { name: 'vt' } }, as: ADMIN });
    const volumeTypeId = String((type.json['volume_type'] as Json)['id']);
    const created = await record('create group type', 'POST', '/group_types', 'group_types', 'create_group_type', { as: ADMIN, body: { group_type: { name: 'gt', group_specs: { a: 'b' } } } });
    const groupTypeId = String((created['group_type'] as Json)['id']);
    await record('show group type', 'GET', `/group_types/${groupTypeId}`, 'group_types', 'show_group_type', { as: ADMIN });
    await record('list group types', 'GET', '/group_types', 'group_types', 'list_group_types');
    await record('update group type', 'PUT', `/group_types/${groupTypeId}`, 'group_types', 'update_group_type', { as: ADMIN, body: { group_type: { description: 'd' } } });
    await record('create group specs', 'POST', `/group_types/${groupTypeId}/group_specs`, 'group_types', 'create_or_update_group_type_specs', { as: ADMIN, body: { group_specs: { c: 'd' } } });
    await record('list group specs', 'GET', `/group_types/${groupTypeId}/group_specs`, 'group_types', 'list_group_type_specs', { as: ADMIN });
    await record('show group spec', 'GET', `/group_types/${groupTypeId}/group_specs/c`, 'group_types', 'show_group_type_specs_item', { as: ADMIN });
    await record('update group spec', 'PUT', `/group_types/${groupTypeId}/group_specs/c`, 'group_types', 'update_group_type_specs_item', { as: ADMIN, body: { c: 'e' } });
    await record('delete group spec', 'DELETE', `/group_types/${groupTypeId}/group_specs/c`, 'group_types', 'delete_group_type_specs_item', { as: ADMIN });

    const group = await record('create group', 'POST', '/groups', 'groups', 'create_group', { body: { group: { name: 'g', group_type: groupTypeId, volume_types: [volumeTypeId] } } });
    const groupId = String((group['group'] as Json)['id']);
    await cloud.availableVolume({ size: 1, volume_type: volumeTypeId, group_id: groupId }, ALICE);
    await record('show group', 'GET', `/groups/${groupId}?list_volume=true`, 'groups', 'show_group');
    await record('list groups', 'GET', '/groups', 'groups', 'list_groups_no_detail');
    await record('list groups detail', 'GET', '/groups/detail', 'groups', 'list_groups_with_detail');
    await record('update group', 'PUT', `/groups/${groupId}`, 'groups', 'update_group', { body: { group: { name: 'h' } } });
    await record('reset group status', 'POST', `/groups/${groupId}/action`, 'groups', 'reset_group_status', { as: ADMIN, body: { reset_status: { status: 'available' } } });

    const snapshot = await record('create group snapshot', 'POST', '/group_snapshots', 'group_snapshots', 'create_group_snapshot', { body: { group_snapshot: { group_id: groupId, name: 'gs' } } });
    const snapshotId = String((snapshot['group_snapshot'] as Json)['id']);
    await record('show group snapshot', 'GET', `/group_snapshots/${snapshotId}`, 'group_snapshots', 'show_group_snapshot');
    await record('list group snapshots', 'GET', '/group_snapshots', 'group_snapshots', 'list_group_snapshots_no_detail');
    await record('list group snapshots detail', 'GET', '/group_snapshots/detail', 'group_snapshots', 'list_group_snapshots_with_detail');
    await record('reset group snapshot status', 'POST', `/group_snapshots/${snapshotId}/action`, 'group_snapshots', 'reset_group_snapshot_status', { as: ADMIN, body: { reset_status: { status: 'available' } } });
    await record('delete group snapshot', 'DELETE', `/group_snapshots/${snapshotId}`, 'group_snapshots', 'delete_group_snapshot');
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      if (((await cloud.call('GET', '/snapshots', { as: ALICE })).json['snapshots'] as Json[]).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const copy = await record('create group from group', 'POST', '/groups/action', 'groups', 'create_group_from_source', { body: { 'create-from-src': { source_group_id: groupId, name: 'copy' } } });
    await record('delete group', 'POST', `/groups/${String((copy['group'] as Json)['id'])}/action`, 'groups', 'delete_group', { body: { delete: { 'delete-volumes': true } } });
    const spare = await cloud.call('POST', '/group_types', { body: { group_type: { name: 'spare' } }, as: ADMIN, version });
    await record('delete group type', 'DELETE', `/group_types/${String((spare.json['group_type'] as Json)['id'])}`, 'group_types', 'delete_group_type', { as: ADMIN });

    const verdicts = await checkWithTempest(cases);
    if (typeof verdicts === 'string') return;
    const failures = cases.map((each) => [each.name, verdicts.get(each.name)]).filter(([, error]) => error !== null);
    assert.deepEqual(failures.map(([name, error]) => `${String(name)}: ${String(error).split("\n").slice(0, 2).join(" ")}`), []);
  }));
