import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN, memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

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
