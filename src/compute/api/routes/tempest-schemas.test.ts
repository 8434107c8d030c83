/**
 * Our real responses, at every microversion up to the advertised maximum, against Tempest's own
 * response schemas (strict: no undeclared field, every required one), chosen as Tempest's service
 * clients choose them. Skipped, loudly, where Tempest is not installed.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { checkWithTempest, type TempestCase, type TempestSchema } from '../../../../test/support/tempest-schemas.js';
import { Microversion } from '../../../common/http/microversion.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { COMPUTE_MAX_VERSION } from '../versions.js';
import { IMAGE_ID, withComputeApp, type Call, type Harness } from '../../testing/compute-test-app.js';
import { withImages } from '../../../image/images/testing/image-fixture.js';

const DEMO = memberOf('demo');

/** Every version from 2.1 to `last` (the advertised maximum). */
function everyVersion(last = COMPUTE_MAX_VERSION): string[] {
  const max = Microversion.of(last);
  const versions: string[] = [];
  for (let version = Microversion.of('2.1'); version.isAtMost(max); version = version.next()) versions.push(version.toString());
  return versions;
}

const SERVERS = 'servers_client.ServersClient';
const FLAVORS = 'flavors_client.FlavorsClient';
const KEYPAIRS = 'keypairs_client.KeyPairsClient';
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@nimbus';

/** Records one response as a case for `attr` of the client's (or module's) schema. */
class Recorder {
  readonly cases: TempestCase[] = [];

  constructor(private readonly call: Call) {}

  async record(name: string, schema: TempestSchema, method: string, path: string, options: Parameters<Call>[2] & { version: string }): Promise<Record<string, unknown>> {
    const reply = await this.call(method, path, options);
    // Tempest checks only successful answers; every recorded call is meant to succeed.
    assert.ok(reply.status < 300, `${method} ${path} @${options.version}: ${reply.status} ${JSON.stringify(reply.json)}`);
    this.cases.push({ name: `${name} @${options.version}`, version: options.version, status: reply.status, headers: reply.headers, body: reply.json, schema });
    return reply.json;
  }
}

function bootBody(version: string, name: string): Record<string, unknown> {
  const server: Record<string, unknown> = { name, imageRef: IMAGE_ID, flavorRef: '1' };
  if (Microversion.of(version).isAtLeast('2.37')) server['networks'] = 'none';
  if (Microversion.of(version).isAtLeast('2.52')) server['tags'] = ['boot-tag'];
  if (Microversion.of(version).isAtLeast('2.19')) server['description'] = 'booted';
  return { server };
}

/** A server in every state the views branch on: hosted, tagged, grouped, locked with a reason, and a volume. */
async function richServer({ call, db, registry }: Harness): Promise<string> {
  await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
  const id = await insertInstance(db, 'demo', { locked: true, locked_by: 'owner', locked_reason: 'maintenance', display_description: 'rich', user_data: 'aGVsbG8=' });
  assert.equal((await call('PUT', `/servers/${id}/tags`, { body: { tags: ['a', 'b'] }, as: DEMO, version: '2.26' })).status, 200);
  const group = await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['affinity'] } }, as: DEMO });
  const groupId = (group.json['server_group'] as { id: string }).id;
  const kysely = db.kysely.withTables<ComputeTables>();
  const row = await kysely.selectFrom('compute_server_groups').select('id').where('uuid', '=', groupId).executeTakeFirstOrThrow();
  await kysely.insertInto('compute_server_group_members').values({ group_id: row.id, instance_uuid: id }).execute();
  await kysely.insertInto('compute_block_device_mappings').values({
    instance_uuid: id, source_type: 'volume', destination_type: 'volume', device_name: '/dev/vdb', boot_index: null, image_id: null,
    volume_id: '0b7a1f9e-0000-4000-8000-000000000001', volume_size: 1, delete_on_termination: false, attachment_id: null, tag: null, created_at: '2026-11-24T10:00:00.000Z',
  }).execute();
  return id;
}

async function verify(cases: readonly TempestCase[], skip: (reason: string) => void): Promise<void> {
  const verdicts = await checkWithTempest(cases);
  if (typeof verdicts === 'string') {
    skip(verdicts);
    return;
  }
  const failures = cases.flatMap((item) => {
    const error = verdicts.get(item.name);
    return error === null ? [] : [`${item.name}: ${error ?? 'not checked'}\n  ${JSON.stringify(item.body).slice(0, 600)}`];
  });
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} responses fail Tempest's schemas:\n${failures.slice(0, 8).join('\n')}`);
}

describe('compute routes against Tempest response schemas', () => {
  test('servers: create, show, list, detail and update at every microversion', (t) =>
    withComputeApp(async (harness) => {
      const recorder = new Recorder(harness.call);
      const rich = await richServer(harness);
      const broken = await insertInstance(harness.db, 'demo', { vm_state: 'error', display_name: 'broken' });
      await harness.db.kysely.withTables<ComputeTables>().insertInto('compute_instance_faults').values({ instance_uuid: broken, code: 500, message: 'boom', details: 'Traceback', host: 'compute-1', created_at: '2026-11-24T10:00:00.000Z' }).execute();
      assert.equal((await harness.call('PUT', '/os-quota-sets/demo', { body: { quota_set: { instances: -1, cores: -1, ram: -1 } } })).status, 200);
      const schema = (attr: string): TempestSchema => ({ client: SERVERS, attr });
      for (const version of everyVersion()) {
        const created = await recorder.record('create', { module: 'v2_1.servers', attr: 'create_server_with_admin_pass' }, 'POST', '/servers', { body: bootBody(version, `vm-${version}`), as: DEMO, version });
        const id = String((created['server'] as { id?: string } | undefined)?.id);
        for (const [who, as] of [['admin', ADMIN], ['member', DEMO]] as const) {
          await recorder.record(`show ${who}`, schema('get_server'), 'GET', `/servers/${rich}`, { as, version });
          await recorder.record(`show error ${who}`, schema('get_server'), 'GET', `/servers/${broken}`, { as, version });
          await recorder.record(`show new ${who}`, schema('get_server'), 'GET', `/servers/${id}`, { as, version });
          await recorder.record(`detail ${who}`, schema('list_servers_detail'), 'GET', '/servers/detail', { as, version });
          await recorder.record(`update ${who}`, schema('update_server'), 'PUT', `/servers/${rich}`, { body: { server: { name: `renamed-${version}` } }, as, version });
        }
        await recorder.record('list', schema('list_servers'), 'GET', '/servers?limit=2', { as: DEMO, version });
      }
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('server tags and instance actions at every microversion they exist at', (t) =>
    withComputeApp(async (harness) => {
      const recorder = new Recorder(harness.call);
      const id = await richServer(harness);
      const schema = (attr: string): TempestSchema => ({ client: SERVERS, attr });
      await harness.db.kysely
        .withTables<ComputeTables>()
        .insertInto('compute_instance_actions')
        .values({ instance_uuid: id, action: 'stop', request_id: 'req-stop', user_id: 'user-of-demo', project_id: 'demo', start_time: '2026-11-24T10:01:00.000Z', finish_time: null, message: null, created_at: '2026-11-24T10:01:00.000Z', updated_at: '2026-11-24T10:01:00.000Z' })
        .execute();
      const action = await harness.db.kysely.withTables<ComputeTables>().selectFrom('compute_instance_actions').select('id').where('request_id', '=', 'req-stop').executeTakeFirstOrThrow();
      await harness.db.kysely
        .withTables<ComputeTables>()
        .insertInto('compute_instance_action_events')
        .values({ action_id: action.id, event: 'compute_stop_instance', start_time: '2026-11-24T10:01:00.000Z', finish_time: '2026-11-24T10:01:02.000Z', result: 'Success', traceback: null, host: 'compute-1', details: null })
        .execute();
      for (const version of everyVersion()) {
        const at = Microversion.of(version);
        for (const [who, as] of [['admin', ADMIN], ['member', DEMO]] as const) {
          // Tempest checks the list with its 2.1 schema only, which has no 2.58 updated_at.
          if (at.isAtMost('2.57')) await recorder.record(`actions ${who}`, { module: 'v2_1.servers', attr: 'list_instance_actions' }, 'GET', `/servers/${id}/os-instance-actions`, { as, version });
          // Tempest's 2.45 servers schema module lacks show_instance_action; Tempest 33's newest schema (2.79) predates
          // the administrator's 2.84 event details (zed-microversions.test.ts checks them).
          const unschemed = at.isWithin('2.45', '2.46') || (who === 'admin' && at.isAtLeast('2.84'));
          if (!unschemed) await recorder.record(`action ${who}`, schema('show_instance_action'), 'GET', `/servers/${id}/os-instance-actions/req-stop`, { as, version });
        }
        if (!at.isAtLeast('2.26')) continue;
        await recorder.record('tags', schema('list_tags'), 'GET', `/servers/${id}/tags`, { as: DEMO, version });
        await recorder.record('replace tags', schema('update_all_tags'), 'PUT', `/servers/${id}/tags`, { body: { tags: ['a', 'b'] }, as: DEMO, version });
        await recorder.record('add tag', schema('update_tag'), 'PUT', `/servers/${id}/tags/new-${version}`, { as: DEMO, version });
        await recorder.record('check tag', schema('check_tag_existence'), 'GET', `/servers/${id}/tags/a`, { as: DEMO, version });
        await recorder.record('delete tag', schema('delete_tag'), 'DELETE', `/servers/${id}/tags/a`, { as: DEMO, version });
        await recorder.record('delete tags', schema('delete_all_tags'), 'DELETE', `/servers/${id}/tags`, { as: DEMO, version });
      }
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('server diagnostics in the standard format, from 2.48', (t) =>
    withComputeApp(async ({ call, db }) => {
      const recorder = new Recorder(call);
      const id = await insertInstance(db, 'demo');
      for (const version of everyVersion().filter((v) => Microversion.of(v).isAtLeast('2.48'))) {
        await recorder.record('diagnostics', { client: SERVERS, attr: 'show_server_diagnostics' }, 'GET', `/servers/${id}/diagnostics`, { version });
      }
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('os-server-password: the posted password in its four chunks, then cleared', (t) =>
    withComputeApp(async ({ call, db }) => {
      const recorder = new Recorder(call);
      const id = await insertInstance(db, 'demo');
      const posted = 'x'.repeat(300);
      await db.kysely.withTables<ComputeTables>().insertInto('compute_instance_system_metadata')
        .values([{ instance_uuid: id, key: 'password_0', value: posted.slice(0, 255) }, { instance_uuid: id, key: 'password_1', value: posted.slice(255) }])
        .execute();
      const path = `/servers/${id}/os-server-password`;
      const password = (attr: string): TempestSchema => ({ module: 'v2_1.servers', attr });
      assert.deepEqual(await recorder.record('show', password('show_password'), 'GET', path, { as: DEMO, version: '2.1' }), { password: posted });
      await recorder.record('clear', password('server_actions_delete_password'), 'DELETE', path, { as: DEMO, version: '2.1' });
      assert.deepEqual(await recorder.record('show cleared', password('show_password'), 'GET', path, { as: DEMO, version: '2.79' }), { password: '' });
      assert.equal((await call('GET', '/servers/00000000-0000-0000-0000-000000000000/os-server-password', { as: DEMO })).status, 404);
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test("GET /extensions: Nova's v2.1 list, and one extension by alias", (t) =>
    withComputeApp(async ({ call }) => {
      const recorder = new Recorder(call);
      const listed = await recorder.record('extensions', { module: 'v2_1.extensions', attr: 'list_extensions' }, 'GET', '/extensions', { as: DEMO, version: '2.1' });
      const aliases = (listed['extensions'] as { alias: string }[]).map((extension) => extension.alias);
      assert.equal(aliases.length, 99);
      assert.deepEqual([aliases[0], aliases.at(-1)], ['NMN', 'os-volumes']);
      const one = await call('GET', '/extensions/os-server-password', { as: DEMO });
      assert.deepEqual(one.json, {
        extension: {
          alias: 'os-server-password', description: 'Server password support.', links: [], name: 'ServerPassword',
          namespace: 'http://docs.openstack.org/compute/ext/fake_xml', updated: '2014-12-03T00:00:00Z',
        },
      });
      assert.equal((await call('GET', '/extensions/os-nothing', { as: DEMO })).status, 404);
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('os-instance_usage_audit_log: the last completed month, every compute host not run (no usage audit runs)', (t) =>
    withComputeApp(async ({ call, registry }) => {
      await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
      await registry.register({ binary: 'nova-conductor', host: 'controller', topic: 'conductor' });
      const recorder = new Recorder(call);
      const audit = (attr: string): TempestSchema => ({ module: 'v2_1.instance_usage_audit_logs', attr });
      await recorder.record('list', audit('list_instance_usage_audit_log'), 'GET', '/os-instance_usage_audit_log', { version: '2.1' });
      const shown = await recorder.record('show', audit('get_instance_usage_audit_log'), 'GET', '/os-instance_usage_audit_log/2026-12-01%2000:00:00.5', { version: '2.1' });
      assert.deepEqual(shown['instance_usage_audit_log'], {
        period_beginning: '2026-11-01 00:00:00', period_ending: '2026-12-01 00:00:00', num_hosts: 1, num_hosts_done: 0, num_hosts_running: 0,
        num_hosts_not_run: 1, hosts_not_run: ['compute-1'], total_instances: 0, total_errors: 0, overall_status: '0 of 1 hosts done. 0 errors.', log: {},
      });
      const atMidnight = await call('GET', '/os-instance_usage_audit_log/2026-12-01%2000:00:00');
      assert.equal((atMidnight.json['instance_usage_audit_log'] as Record<string, unknown>)['period_ending'], '2026-11-01 00:00:00', 'a month ends only once its last instant has passed');
      assert.equal((await call('GET', '/os-instance_usage_audit_log/yesterday')).status, 400);
      assert.equal((await call('GET', '/os-instance_usage_audit_log', { as: DEMO })).status, 403);
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('flavors and key pairs at every microversion', (t) =>
    withComputeApp(async ({ call }) => {
      const recorder = new Recorder(call);
      const flavor = (attr: string): TempestSchema => ({ client: FLAVORS, attr });
      const keypair = (attr: string): TempestSchema => ({ client: KEYPAIRS, attr });
      assert.equal((await call('POST', '/flavors/1/os-extra_specs', { body: { extra_specs: { 'hw:cpu_policy': 'shared' } } })).status, 200);
      for (const version of everyVersion()) {
        const at = Microversion.of(version);
        await recorder.record('flavors', flavor('list_flavors'), 'GET', '/flavors', { as: DEMO, version });
        await recorder.record('flavors detail', flavor('list_flavors_details'), 'GET', '/flavors/detail?limit=2', { as: DEMO, version });
        await recorder.record('flavor', flavor('create_update_get_flavor_details'), 'GET', '/flavors/1', { as: DEMO, version });
        const body: Record<string, unknown> = { name: `f-${version}`, ram: 64, vcpus: 1, disk: 0, swap: at.isAtLeast('2.40') ? 0 : 16 };
        if (at.isAtLeast('2.55')) body['description'] = 'small';
        await recorder.record('create flavor', flavor('create_update_get_flavor_details'), 'POST', '/flavors', { body: { flavor: body }, version });
        if (at.isAtLeast('2.55')) await recorder.record('update flavor', flavor('create_update_get_flavor_details'), 'PUT', '/flavors/1', { body: { flavor: { description: `at ${version}` } }, version });

        const name = `k-${version.replace('.', '_')}`;
        // From 2.92 a key pair is only imported.
        const created = { keypair: { name, ...(at.isAtLeast('2.2') ? { type: 'ssh' } : {}), ...(at.isAtLeast('2.92') ? { public_key: ED25519 } : {}) } };
        await recorder.record('create keypair', keypair('create_keypair'), 'POST', '/os-keypairs', { body: created, as: DEMO, version });
        await recorder.record('import keypair', keypair('create_keypair'), 'POST', '/os-keypairs', { body: { keypair: { name: `${name}-imported`, public_key: ED25519 } }, as: DEMO, version });
        await recorder.record('keypairs', keypair('list_keypairs'), 'GET', '/os-keypairs', { as: DEMO, version });
        await recorder.record('keypair', keypair('get_keypair'), 'GET', `/os-keypairs/${name}`, { as: DEMO, version });
        await recorder.record('delete keypair', keypair('delete_keypair'), 'DELETE', `/os-keypairs/${name}-imported`, { as: DEMO, version });
        if (at.isAtLeast('2.10')) await recorder.record('keypairs of a user', keypair('list_keypairs'), 'GET', `/os-keypairs?user_id=${DEMO.userId ?? ''}`, { version });
      }
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));

  test('the image proxy and image metadata at every microversion they exist at (to 2.35)', (t) =>
    withImages('sqlite', ({ images }) =>
      withComputeApp(async ({ call }) => {
        const recorder = new Recorder(call);
        // ImagesClient checks these with the 2.1 module's schemas at every version.
        const schema = (attr: string): TempestSchema => ({ module: 'v2_1.images', attr });
        const active = await images.create(ADMIN, { name: 'cirros', disk_format: 'raw', container_format: 'bare', visibility: 'public', properties: { os_distro: 'cirros' } });
        await images.uploadImageData(ADMIN, active.id, Readable.from([Buffer.from('raw disk bytes')]));
        const snapshot = await images.createSnapshotImage(DEMO, { name: 'snap', instanceUuid: '0c1e2f3a-0000-4000-8000-00000000beef', properties: { auto_disk_config: 'False' } });
        for (const version of everyVersion('2.35')) {
          for (const id of [active.id, snapshot.id]) await recorder.record('show image', schema('get_image'), 'GET', `/images/${id}`, { as: DEMO, version });
          await recorder.record('images', schema('list_images'), 'GET', '/images?limit=1', { as: DEMO, version });
          await recorder.record('images detail', schema('list_images_details'), 'GET', '/images/detail', { as: DEMO, version });
          const path = `/images/${snapshot.id}/metadata`;
          await recorder.record('metadata', schema('image_metadata'), 'GET', path, { as: DEMO, version });
          await recorder.record('set metadata', schema('image_metadata'), 'PUT', path, { body: { metadata: { a: '1', b: '2' } }, as: DEMO, version });
          await recorder.record('update metadata', schema('image_metadata'), 'POST', path, { body: { metadata: { c: '3' } }, as: DEMO, version });
          await recorder.record('meta item', schema('image_meta_item'), 'GET', `${path}/a`, { as: DEMO, version });
          await recorder.record('set meta item', schema('image_meta_item'), 'PUT', `${path}/a`, { body: { meta: { a: 'one' } }, as: DEMO, version });
          await recorder.record('delete meta item', schema('delete'), 'DELETE', `${path}/b`, { as: DEMO, version });
        }
        const doomed = await images.create(DEMO, { name: 'doomed' });
        await recorder.record('delete image', schema('delete'), 'DELETE', `/images/${doomed.id}`, { as: DEMO, version: '2.35' });
        await verify(recorder.cases, (reason) => t.skip(reason));
      }, { images })));
});
