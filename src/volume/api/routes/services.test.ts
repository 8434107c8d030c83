import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud, type VolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

const ALICE = memberOf('alice-project');
const BACKEND = 'test-host@file';

test('os-services: an admin disables a service with or without a reason and enables it; bad hosts, binaries and bodies are refused as Cinder does', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const volumeService = async (): Promise<Json | undefined> =>
      ((await cloud.call('GET', '/os-services?binary=cinder-volume', { as: ADMIN })).json['services'] as Json[]).find((service) => service['host'] === BACKEND);

    const disabled = await cloud.call('PUT', '/os-services/disable', { body: { host: BACKEND, binary: 'cinder-volume' }, as: ADMIN });
    assert.deepEqual(disabled.json, { disabled: true, host: BACKEND, service: '', binary: 'cinder-volume', status: 'disabled' });
    assert.equal((await volumeService())?.['status'], 'disabled');

    const withReason = await cloud.call('PUT', '/os-services/disable-log-reason', { body: { host: BACKEND, binary: 'cinder-volume', disabled_reason: 'new disk' }, as: ADMIN });
    assert.deepEqual(withReason.json, { disabled: true, disabled_reason: 'new disk', host: BACKEND, service: '', binary: 'cinder-volume', status: 'disabled' });
    assert.equal((await volumeService())?.['disabled_reason'], 'new disk');

    const enabled = await cloud.call('PUT', '/os-services/enable', { body: { host: BACKEND, service: 'cinder-volume' }, as: ADMIN });
    assert.deepEqual(enabled.json, { disabled: false, host: BACKEND, service: 'cinder-volume', binary: '', status: 'enabled' });
    assert.equal((await volumeService())?.['status'], 'enabled');

    const put = (action: string, body: unknown, as = ADMIN) => cloud.call('PUT', `/os-services/${action}`, { body, as });
    assert.deepEqual((await put('enable', { host: 'invalid_host', binary: 'cinder-volume' })).json, {
      itemNotFound: { code: 404, message: 'Service cinder-volume could not be found on host invalid_host.' },
    });
    assert.equal((await put('disable', { host: BACKEND, binary: 'invalid_binary' })).status, 404);
    assert.equal((await put('disable-log-reason', { host: BACKEND, binary: 'cinder-volume', disabled_reason: null })).status, 400, 'a null reason');
    assert.equal((await put('disable', { host: BACKEND, binary: 'cinder-volume', disabled_reason: 'x' })).status, 400, 'disable takes no reason');
    assert.deepEqual((await put('disable', { binary: 'cinder-volume' })).json, { badRequest: { code: 400, message: 'Invalid input received: Host field is missing.' } });
    assert.equal((await put('disable', { host: BACKEND })).status, 400, 'no binary');
    assert.deepEqual((await put('reboot', { host: BACKEND })).json, { badRequest: { code: 400, message: 'Invalid input received: Unknown action' } });
    assert.deepEqual((await put('disable', { host: BACKEND, binary: 'cinder-volume' }, ALICE)).json, {
      forbidden: { code: 403, message: "Policy doesn't allow volume_extension:services:update to be performed." },
    });
  }));

test('os-services freeze and thaw: a backend shows frozen until thawed; an unknown host or a second freeze is a 400', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const frozen = async (): Promise<unknown> =>
      ((await cloud.call('GET', '/os-services', { as: ADMIN })).json['services'] as Json[]).find((service) => service['host'] === BACKEND)?.['frozen'];
    assert.equal(await frozen(), false);
    const freeze = await cloud.call('PUT', '/os-services/freeze', { body: { host: 'test-host' }, as: ADMIN });
    assert.equal(freeze.status, 200, freeze.text);
    assert.equal(freeze.text, '');
    assert.equal(await frozen(), true);
    assert.deepEqual((await cloud.call('PUT', '/os-services/freeze', { body: { host: BACKEND }, as: ADMIN })).json, {
      badRequest: { code: 400, message: `Invalid input received: No service could be changed: frozen in ['${BACKEND}'] must be False to failover.` },
    });
    assert.equal((await cloud.call('PUT', '/os-services/thaw', { body: { host: BACKEND }, as: ADMIN })).status, 200);
    assert.equal(await frozen(), false);
    for (const action of ['freeze', 'thaw']) {
      assert.deepEqual((await cloud.call('PUT', `/os-services/${action}`, { body: { host: 'invalid_host' }, as: ADMIN })).json, {
        badRequest: { code: 400, message: 'Invalid input received: No service found with host=invalid_host' },
      });
    }
    assert.equal((await cloud.call('PUT', '/os-services/freeze', { body: { host: BACKEND, binary: 'cinder-volume' }, as: ADMIN })).status, 400);
    assert.equal((await cloud.call('PUT', '/os-services/freeze', { body: { host: BACKEND }, as: ALICE })).status, 403);
  }));

test('capabilities/{host}: an admin reads a backend\'s capabilities by backend or pool name, as the pools report them', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const [pool] = (await cloud.call('GET', '/scheduler-stats/get_pools?detail=true', { as: ADMIN })).json['pools'] as Json[];
    const reported = pool?.['capabilities'] as Json;
    const shown = await cloud.call('GET', `/capabilities/${encodeURIComponent(String(pool?.['name']))}`, { as: ADMIN });
    assert.equal(shown.status, 200, shown.text);
    assert.equal(shown.json['namespace'], `OS::Storage::Capabilities::${BACKEND}`);
    for (const key of ['vendor_name', 'volume_backend_name', 'storage_protocol', 'driver_version']) assert.equal(shown.json[key], reported[key], key);
    assert.deepEqual((shown.json['properties'] as Json)['thin_provisioning'], { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' });
    assert.deepEqual((await cloud.call('GET', `/capabilities/${BACKEND}`, { as: ADMIN })).json, shown.json);
    assert.deepEqual((await cloud.call('GET', '/capabilities/nowhere', { as: ADMIN })).json, { itemNotFound: { code: 404, message: "Can't find service: nowhere" } });
    assert.equal((await cloud.call('GET', `/capabilities/${BACKEND}`, { as: ALICE })).status, 403);
  }));

const FROZEN = { badRequest: { code: 400, message: 'Invalid input received: Modification operations are not allowed on frozen storage backends.' } };

/** Creates a volume of `body` as ALICE and waits for its outcome; the volume as shown. */
async function createdVolume(cloud: VolumeCloud, body: Json): Promise<Json> {
  const created = await cloud.call('POST', '/volumes', { body: { volume: { size: 1, ...body } }, as: ALICE });
  assert.equal(created.status, 202, created.text);
  return (await cloud.settle(`/volumes/${String((created.json['volume'] as Json)['id'])}`, ALICE)).json['volume'] as Json;
}

/** os-extend or os-retype as the owner, then the volume once the scheduler has answered. */
async function actOn(cloud: VolumeCloud, id: string, body: Json): Promise<Json> {
  const reply = await cloud.call('POST', `/volumes/${id}/action`, { body, as: ALICE });
  assert.equal(reply.status, 202, reply.text);
  return (await cloud.settle(`/volumes/${id}`, ALICE)).json['volume'] as Json;
}

async function eventIds(cloud: VolumeCloud): Promise<unknown[]> {
  return ((await cloud.call('GET', '/messages?sort=created_at:asc', { as: ALICE, version: '3.5' })).json['messages'] as Json[]).map((message) => message['event_id']);
}

test('a disabled cinder-volume service takes no new volume, clone, extend or retype (error with the user message, or the volume unchanged); enabled, it takes them again', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    await cloud.call('POST', '/types', { body: { volume_type: { name: 'other' } }, as: ADMIN });
    const source = await cloud.availableVolume({ size: 1 }, ALICE);
    const set = (action: string) => cloud.call('PUT', `/os-services/${action}`, { body: { host: BACKEND, binary: 'cinder-volume' }, as: ADMIN });
    assert.equal((await set('disable')).status, 200);

    assert.equal((await createdVolume(cloud, {}))['status'], 'error');
    assert.equal((await createdVolume(cloud, { source_volid: source }))['status'], 'error', 'a clone is pinned to the disabled backend');
    const extended = await actOn(cloud, source, { 'os-extend': { new_size: 2 } });
    assert.deepEqual([extended['status'], extended['size']], ['available', 1]);
    const retyped = await actOn(cloud, source, { 'os-retype': { new_type: 'other' } });
    assert.deepEqual([retyped['status'], retyped['volume_type']], ['available', '__DEFAULT__']);
    assert.deepEqual(await eventIds(cloud), ['VOLUME_VOLUME_001_003', 'VOLUME_VOLUME_001_003', 'VOLUME_VOLUME_007_003']);
    const [message] = (await cloud.call('GET', '/messages', { as: ALICE, version: '3.3' })).json['messages'] as Json[];
    assert.equal(message?.['user_message'], 'extend volume:Could not find any available weighted backend.');

    assert.equal((await set('enable')).status, 200);
    const placed = await createdVolume(cloud, {});
    assert.equal(placed['status'], 'available');
    assert.equal(((await cloud.call('GET', `/volumes/${String(placed['id'])}`, { as: ADMIN })).json['volume'] as Json)['os-vol-host-attr:host'], `${BACKEND}#file`);
    assert.equal((await actOn(cloud, source, { 'os-extend': { new_size: 2 } }))['size'], 2);
  }));

test('a frozen backend refuses deletes and snapshot creates and deletes with Cinder\'s 400, changing nothing, and takes no new volume or extend; thawed, all work again', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const volume = await cloud.availableVolume({ size: 1 }, ALICE);
    const spare = await cloud.availableVolume({ size: 1 }, ALICE);
    const snapshot = await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volume } }, as: ALICE });
    const snapshotId = String((snapshot.json['snapshot'] as Json)['id']);
    assert.equal(((await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).json['snapshot'] as Json)['status'], 'available');
    const files = await cloud.backendFiles();
    assert.equal((await cloud.call('PUT', '/os-services/freeze', { body: { host: 'test-host' }, as: ADMIN })).status, 200);

    assert.deepEqual((await cloud.call('DELETE', `/volumes/${spare}`, { as: ALICE })).json, FROZEN);
    assert.deepEqual((await cloud.call('POST', `/volumes/${spare}/action`, { body: { 'os-force_delete': null }, as: ADMIN })).json, FROZEN);
    assert.deepEqual((await cloud.call('POST', '/snapshots', { body: { snapshot: { volume_id: volume } }, as: ALICE })).json, FROZEN);
    assert.deepEqual((await cloud.call('DELETE', `/snapshots/${snapshotId}`, { as: ALICE })).json, FROZEN);
    assert.equal(((await cloud.call('GET', `/volumes/${spare}`, { as: ALICE })).json['volume'] as Json)['status'], 'available');
    assert.equal(((await cloud.call('GET', `/snapshots/${snapshotId}`, { as: ALICE })).json['snapshot'] as Json)['status'], 'available');
    assert.equal(((await cloud.call('GET', '/snapshots', { as: ALICE })).json['snapshots'] as Json[]).length, 1);
    assert.equal((await createdVolume(cloud, {}))['status'], 'error');
    assert.equal((await actOn(cloud, volume, { 'os-extend': { new_size: 2 } }))['size'], 1);
    assert.deepEqual(await cloud.backendFiles(), files, 'no file made or removed');

    assert.equal((await cloud.call('PUT', '/os-services/thaw', { body: { host: 'test-host' }, as: ADMIN })).status, 200);
    assert.equal((await cloud.call('DELETE', `/snapshots/${snapshotId}`, { as: ALICE })).status, 202);
    assert.equal((await cloud.settle(`/snapshots/${snapshotId}`, ALICE)).status, 404);
    assert.equal((await cloud.call('DELETE', `/volumes/${spare}`, { as: ALICE })).status, 202);
    assert.equal((await cloud.settle(`/volumes/${spare}`, ALICE)).status, 404);
    assert.equal((await createdVolume(cloud, {}))['status'], 'available');
  }));
