import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withComputeApp } from '../testing/compute-test-app.js';
import { insertInstance, memberOf } from '../db/testing/compute-db.js';

type Json = Record<string, unknown>;
const DEMO = memberOf('demo');
const PERIOD = 'start=2026-11-01T00:00:00&end=2026-11-02T00:00:00';
const flavor = (name: string) => JSON.stringify({ cur: { flavorid: '1', name }, old: null, new: null });

test('os-simple-tenant-usage: hours of the period each server ran, deleted ones too, totals per project, paging from 2.40', () =>
  withComputeApp(async ({ call, db }) => {
    // Runs the whole day; launched at noon; ran from the day before until 06:00; ended before the period; launched after it.
    const whole = await insertInstance(db, 'demo', { display_name: 'whole', flavor: flavor('m1.small'), vcpus: 2, memory_mb: 2048, root_gb: 20, launched_at: '2026-10-31T00:00:00.000Z' });
    const noon = await insertInstance(db, 'demo', { display_name: 'noon', flavor: flavor('m1.tiny'), launched_at: '2026-11-01T12:00:00.000Z' });
    await insertInstance(db, 'demo', { deleted: true, vm_state: 'deleted', launched_at: '2026-10-30T00:00:00.000Z', terminated_at: '2026-10-31T00:00:00.000Z' });
    await insertInstance(db, 'demo', { launched_at: '2026-11-03T00:00:00.000Z' });
    const early = await insertInstance(db, 'other', { deleted: true, vm_state: 'deleted', launched_at: '2026-10-31T00:00:00.000Z', terminated_at: '2026-11-01T06:00:00.000Z' });

    const shown = await call('GET', `/os-simple-tenant-usage/demo?${PERIOD}`, { as: DEMO });
    assert.equal(shown.status, 200);
    const usage = shown.json['tenant_usage'] as Json;
    assert.deepEqual({ ...usage, server_usages: undefined }, {
      tenant_id: 'demo', total_hours: 36, total_vcpus_usage: 60, total_memory_mb_usage: 2048 * 24 + 128 * 12, total_local_gb_usage: 20 * 24 + 12,
      start: '2026-11-01T00:00:00', stop: '2026-11-02T00:00:00', server_usages: undefined,
    });
    const servers = usage['server_usages'] as Json[];
    const byName = (name: string) => servers.find((server) => server['name'] === name);
    assert.deepEqual(servers.map((server) => server['instance_id']).sort(), [whole, noon].sort());
    assert.deepEqual(byName('noon'), {
      instance_id: noon, name: 'noon', tenant_id: 'demo', flavor: 'm1.tiny', hours: 12, memory_mb: 128, local_gb: 1, vcpus: 1,
      started_at: '2026-11-01T12:00:00', ended_at: null, state: 'active', uptime: byName('noon')?.['uptime'],
    });
    assert.ok(Number(byName('noon')?.['uptime']) > 24 * 3600, 'uptime runs to now');

    const all = await call('GET', `/os-simple-tenant-usage?${PERIOD}&detailed=1`);
    const tenants = all.json['tenant_usages'] as Json[];
    assert.deepEqual(tenants.map((tenant) => [tenant['tenant_id'], tenant['total_hours']]), [['demo', 36], ['other', 6]]);
    const ended = (tenants[1]?.['server_usages'] as Json[])[0];
    assert.deepEqual([ended?.['instance_id'], ended?.['state'], ended?.['ended_at'], ended?.['uptime']], [early, 'terminated', '2026-11-01T06:00:00', 30 * 3600]);
    assert.equal(((await call('GET', `/os-simple-tenant-usage?${PERIOD}`)).json['tenant_usages'] as Json[])[0]?.['server_usages'], undefined, 'servers only with detailed=1');
    assert.equal((await call('GET', `/os-simple-tenant-usage?${PERIOD}`, { as: DEMO })).status, 403);
    assert.equal((await call('GET', `/os-simple-tenant-usage/other?${PERIOD}`, { as: DEMO })).status, 403);

    assert.equal(((await call('GET', `/os-simple-tenant-usage?${PERIOD}&limit=1`, { version: '2.39' })).json['tenant_usages'] as Json[]).length, 2, 'no paging before 2.40');
    const page = (await call('GET', `/os-simple-tenant-usage/demo?${PERIOD}&limit=1`, { version: '2.40' })).json;
    const first = ((page['tenant_usage'] as Json)['server_usages'] as Json[])[0]?.['instance_id'];
    assert.deepEqual(page['tenant_usage_links'], [
      { rel: 'next', href: `http://cloud/compute/v2.1/os-simple-tenant-usage/demo?end=2026-11-02T00%3A00%3A00&limit=1&start=2026-11-01T00%3A00%3A00&marker=${String(first)}` },
    ]);
    const next = (await call('GET', `/os-simple-tenant-usage/demo?${PERIOD}&limit=1&marker=${String(first)}`, { version: '2.40' })).json['tenant_usage'] as Json;
    assert.deepEqual((next['server_usages'] as Json[]).map((server) => server['instance_id']), [[whole, noon].find((uuid) => uuid !== first)]);
    assert.equal((await call('GET', `/os-simple-tenant-usage?${PERIOD}&marker=nope`, { version: '2.40' })).status, 400);
    assert.equal((await call('GET', `/os-simple-tenant-usage?${PERIOD}&bogus=1`, { version: '2.74' })).status, 200);
    assert.equal((await call('GET', `/os-simple-tenant-usage?${PERIOD}&bogus=1`, { version: '2.75' })).status, 400);
    assert.deepEqual((await call('GET', `/os-simple-tenant-usage/nobody?${PERIOD}`)).json, { tenant_usage: {} });
  }));

test('os-simple-tenant-usage: Nova\'s three time formats; a bad one or a start after the end is a 400', () =>
  withComputeApp(async ({ call }) => {
    const status = async (query: string) => (await call('GET', `/os-simple-tenant-usage?${query}`)).status;
    assert.equal(await status('start=2026-11-01T00:00:00.123456&end=2026-11-02%2000:00:00.5'), 200);
    const bad = await call('GET', '/os-simple-tenant-usage?start=2026-11-01');
    assert.deepEqual([bad.status, (bad.json['badRequest'] as Json)['message']], [400, 'Invalid datetime string: Datetime is in invalid format']);
    assert.equal(await status('start=2026-11-02%2000:00:00&end=2026-11-03T00:00:00'), 400, 'a space only with a fraction');
    const reversed = await call('GET', '/os-simple-tenant-usage?start=2026-11-02T00:00:00&end=2026-11-01T00:00:00');
    assert.deepEqual([reversed.status, (reversed.json['badRequest'] as Json)['message']], [400, 'Invalid start time. The start time cannot occur after the end time.']);
    const defaulted = (await call('GET', '/os-simple-tenant-usage?start=2026-11-01T00:00:00')).json;
    assert.deepEqual(defaulted, { tenant_usages: [] }, 'the end defaults to now');
  }));

test("os-simple-tenant-usage with an empty tenant id is Nova's 404, not the list (Tempest's empty-tenant negative test)", () =>
  withComputeApp(async ({ call }) => {
    const empty = await call('GET', `/os-simple-tenant-usage/?${PERIOD}`);
    assert.equal(empty.status, 404);
    assert.equal((empty.json['itemNotFound'] as Json | undefined)?.['code'], 404);
  }));
