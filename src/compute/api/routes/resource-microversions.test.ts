import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@nimbus';

type Body = Record<string, unknown>;

/** A self-signed PEM certificate and its SHA-1 fingerprint as openssl prints it. */
function certificate(): { pem: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-cert-'));
  try {
    const cert = join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-nodes', '-days', '1', '-newkey', 'rsa:2048', '-keyout', join(dir, 'k.pem'), '-out', cert, '-subj', '/CN=demo'], { stdio: 'ignore' });
    const fingerprint = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' }).trim().split('=')[1] ?? '';
    return { pem: readFileSync(cert, 'utf8'), fingerprint: fingerprint.toLowerCase() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('compute routes: flavors, key pairs and instance actions by microversion', () => {
  test('flavors: 2.55 description (create, PUT, lists), 2.61 extra_specs, 2.75 swap 0 and strict query', () =>
    withComputeApp(async ({ call }) => {
      assert.equal((await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'shared' } } })).status, 200);
      const flavor = async (version: string, as = DEMO) => (await call('GET', '/flavors/1', { as, version })).json['flavor'] as Body;
      assert.deepEqual([(await flavor('2.54'))['description'], (await flavor('2.55'))['description']], [undefined, null]);
      assert.equal((await flavor('2.60'))['extra_specs'], undefined);
      assert.deepEqual((await flavor('2.61'))['extra_specs'], { 'hw:cpu_policy': 'shared' });
      assert.deepEqual([(await flavor('2.74'))['swap'], (await flavor('2.75'))['swap']], ['', 0]);

      assert.equal((await call('POST', '/flavors', { body: { flavor: { name: 'd', ram: 64, vcpus: 1, disk: 0, description: 'x' } }, version: '2.54' })).status, 400);
      const created = await call('POST', '/flavors', { body: { flavor: { name: 'd', ram: 64, vcpus: 1, disk: 0, description: 'tiny one' } }, version: '2.55' });
      assert.equal((created.json['flavor'] as Body)['description'], 'tiny one');
      assert.equal((await call('PUT', '/flavors/1', { body: { flavor: { description: 'x' } }, version: '2.54' })).status, 404);
      assert.equal((await call('PUT', '/flavors/1', { body: { flavor: { description: 'x' } }, as: DEMO, version: '2.55' })).status, 403);
      assert.equal((await call('PUT', '/flavors/1', { body: { flavor: { name: 'x' } }, version: '2.55' })).status, 400);
      assert.equal((await call('PUT', '/flavors/nope', { body: { flavor: { description: 'x' } }, version: '2.55' })).status, 404);
      const updated = await call('PUT', '/flavors/1', { body: { flavor: { description: 'the smallest' } }, version: '2.61' });
      assert.deepEqual([(updated.json['flavor'] as Body)['description'], (updated.json['flavor'] as Body)['extra_specs']], ['the smallest', { 'hw:cpu_policy': 'shared' }]);
      const brief = (await call('GET', '/flavors', { as: DEMO, version: '2.55' })).json['flavors'] as Body[];
      assert.deepEqual(Object.keys(brief[0] ?? {}).sort(), ['description', 'id', 'links', 'name']);

      assert.equal((await call('POST', '/flavors/2/action', { body: { addTenantAccess: { tenant: 'demo' } }, version: '2.6' })).status, 200);
      const publicAccess = await call('POST', '/flavors/2/action', { body: { addTenantAccess: { tenant: 'other' } }, version: '2.7' });
      assert.deepEqual(publicAccess.json, { conflictingRequest: { code: 409, message: 'Can not add access to a public flavor.' } });
      assert.equal((await call('GET', '/flavors?bogus=1', { as: DEMO, version: '2.74' })).status, 200);
      assert.equal((await call('GET', '/flavors/detail?bogus=1', { as: DEMO, version: '2.75' })).status, 400);
    }));

  test('key pairs: 2.2 type (x509 imported and generated), 201 and 204; 2.10 user_id; 2.35 paging', () =>
    withComputeApp(async ({ call }) => {
      const legacy = await call('POST', '/os-keypairs', { body: { keypair: { name: 'old', public_key: ED25519 } }, as: DEMO, version: '2.1' });
      assert.deepEqual([legacy.status, (legacy.json['keypair'] as Body)['type']], [200, undefined]);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'x', type: 'x509' } }, as: DEMO, version: '2.1' })).status, 400);
      const cert = certificate();
      const imported = await call('POST', '/os-keypairs', { body: { keypair: { name: 'cert', type: 'x509', public_key: cert.pem } }, as: DEMO, version: '2.2' });
      assert.equal(imported.status, 201, JSON.stringify(imported.json));
      assert.deepEqual([(imported.json['keypair'] as Body)['type'], (imported.json['keypair'] as Body)['fingerprint']], ['x509', cert.fingerprint]);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'bad', type: 'x509', public_key: ED25519 } }, as: DEMO, version: '2.2' })).status, 400);
      const generated = (await call('POST', '/os-keypairs', { body: { keypair: { name: 'winrm', type: 'x509' } }, as: DEMO, version: '2.2' })).json['keypair'] as Body;
      assert.match(String(generated['public_key']), /^-----BEGIN CERTIFICATE-----/);
      assert.ok(Buffer.from(String(generated['private_key']), 'base64').length > 1000, 'a PKCS#12 bundle');
      assert.equal(((await call('GET', '/os-keypairs/old', { as: DEMO, version: '2.2' })).json['keypair'] as Body)['type'], 'ssh');
      assert.equal((await call('DELETE', '/os-keypairs/winrm', { as: DEMO, version: '2.2' })).status, 204);
      assert.equal((await call('DELETE', '/os-keypairs/cert', { as: DEMO, version: '2.1' })).status, 202);

      const forDemo = await call('POST', '/os-keypairs', { body: { keypair: { name: 'given', public_key: ED25519, user_id: DEMO.userId } }, version: '2.10' });
      assert.equal((forDemo.json['keypair'] as Body)['user_id'], DEMO.userId);
      assert.equal((await call('POST', '/os-keypairs', { body: { keypair: { name: 'theirs', public_key: ED25519, user_id: 'admin' } }, as: DEMO, version: '2.10' })).status, 403);
      const listed = (await call('GET', `/os-keypairs?user_id=${DEMO.userId ?? ''}`, { version: '2.10' })).json['keypairs'] as { keypair: Body }[];
      assert.deepEqual(listed.map((item) => item.keypair['name']), ['given', 'old']);
      assert.equal((await call('GET', '/os-keypairs?user_id=admin', { as: DEMO, version: '2.10' })).status, 403);
      assert.equal((await call('GET', `/os-keypairs/given?user_id=${DEMO.userId ?? ''}`, { version: '2.10' })).status, 200);
      assert.equal((await call('GET', `/os-keypairs/given?user_id=${DEMO.userId ?? ''}`, { version: '2.9' })).status, 404, 'before 2.10 the caller\'s own');

      const page = await call('GET', '/os-keypairs?limit=1', { as: DEMO, version: '2.35' });
      assert.deepEqual((page.json['keypairs'] as { keypair: Body }[]).map((item) => item.keypair['name']), ['given']);
      assert.deepEqual(page.json['keypairs_links'], [{ rel: 'next', href: 'http://cloud/compute/v2.1/os-keypairs?limit=1&marker=given' }]);
      const rest = await call('GET', '/os-keypairs?limit=1&marker=given', { as: DEMO, version: '2.35' });
      assert.deepEqual((rest.json['keypairs'] as { keypair: Body }[]).map((item) => item.keypair['name']), ['old']);
      assert.equal((await call('GET', '/os-keypairs?marker=nope', { as: DEMO, version: '2.35' })).status, 400);
      assert.equal(((await call('GET', '/os-keypairs?limit=1', { as: DEMO, version: '2.34' })).json['keypairs'] as unknown[]).length, 2, 'no paging before 2.35');
      assert.equal((await call('GET', '/os-keypairs?bogus=1', { as: DEMO, version: '2.75' })).status, 400);
    }));

  test('instance actions: 2.21 deleted servers, 2.51 events for members, 2.58 paging, 2.62 host and hostId', () =>
    withComputeApp(async ({ call, db }) => {
      const id = await insertInstance(db, 'demo');
      const kysely = db.kysely.withTables<ComputeTables>();
      for (const [index, action] of ['create', 'stop', 'start'].entries()) {
        const at = `2026-11-24T10:0${index}:00.000Z`;
        await kysely
          .insertInto('compute_instance_actions')
          .values({ instance_uuid: id, action, request_id: `req-${action}`, user_id: DEMO.userId ?? null, project_id: 'demo', start_time: at, finish_time: null, message: null, created_at: at, updated_at: at })
          .execute();
      }
      const stop = await kysely.selectFrom('compute_instance_actions').select('id').where('request_id', '=', 'req-stop').executeTakeFirstOrThrow();
      await kysely
        .insertInto('compute_instance_action_events')
        .values({ action_id: stop.id, event: 'compute_stop_instance', start_time: '2026-11-24T10:01:00.000Z', finish_time: null, result: 'Error', traceback: 'Traceback …', host: 'compute-1', details: null })
        .execute();
      const event = async (version: string, as = DEMO) => ((await call('GET', `/servers/${id}/os-instance-actions/req-stop`, { as, version })).json['instanceAction'] as { events?: Body[] }).events?.[0];
      assert.equal(await event('2.50'), undefined);
      assert.deepEqual(Object.keys((await event('2.51')) ?? {}).sort(), ['event', 'finish_time', 'result', 'start_time']);
      assert.deepEqual(Object.keys((await event('2.51', ADMIN)) ?? {}).sort(), ['event', 'finish_time', 'result', 'start_time', 'traceback']);
      const hostIdOnly = await event('2.62');
      assert.deepEqual([hostIdOnly?.['host'], typeof hostIdOnly?.['hostId']], [undefined, 'string']);
      assert.equal((await event('2.62', ADMIN))?.['host'], 'compute-1');

      const list = async (query: string, version: string) => call('GET', `/servers/${id}/os-instance-actions${query}`, { as: DEMO, version });
      const page = await list('?limit=2', '2.58');
      assert.deepEqual((page.json['instanceActions'] as Body[]).map((action) => action['action']), ['start', 'stop']);
      assert.equal((page.json['instanceActions'] as Body[])[0]?.['updated_at'], '2026-11-24T10:02:00.000000');
      assert.deepEqual(page.json['links'], [{ rel: 'next', href: `http://cloud/compute/v2.1/servers/${id}/os-instance-actions?limit=2&marker=req-stop` }]);
      assert.deepEqual(((await list('?limit=2&marker=req-stop', '2.58')).json['instanceActions'] as Body[]).map((action) => action['action']), ['create']);
      assert.deepEqual(((await list('?changes-since=2026-11-24T10:01:00Z', '2.58')).json['instanceActions'] as Body[]).map((action) => action['action']), ['start', 'stop']);
      assert.equal((await list('?changes-before=2026-11-24T10:01:00Z', '2.58')).status, 400, 'changes-before is 2.66');
      assert.deepEqual(((await list('?changes-before=2026-11-24T10:01:00Z', '2.66')).json['instanceActions'] as Body[]).map((action) => action['action']), ['stop', 'create']);
      assert.equal((await list('?marker=req-nope', '2.58')).status, 400);
      assert.equal(((await list('?limit=1', '2.57')).json['instanceActions'] as unknown[]).length, 3, 'no paging before 2.58');

      await kysely.updateTable('compute_instances').set({ deleted: true, vm_state: 'deleted' }).where('uuid', '=', id).execute();
      assert.equal((await list('', '2.20')).status, 404);
      assert.equal((await list('', '2.21')).status, 200);
      assert.equal((await call('GET', `/servers/${id}/os-instance-actions/req-stop`, { as: DEMO, version: '2.21' })).status, 200);
    }));
});
