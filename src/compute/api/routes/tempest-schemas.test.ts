/**
 * Our real responses, at every microversion up to the advertised maximum, against Tempest's own
 * response schemas (strict: no undeclared field, every required one), chosen as Tempest's service
 * clients choose them. Skipped, loudly, where Tempest is not installed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkWithTempest, type TempestCase, type TempestSchema } from '../../../../test/support/tempest-schemas.js';
import { Microversion } from '../../../common/http/microversion.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import type { ComputeTables } from '../../db/tables.js';
import { COMPUTE_MAX_VERSION } from '../versions.js';
import { IMAGE_ID, withComputeApp, type Call, type Harness } from './compute-test-app.js';

const DEMO = memberOf('demo');

/** Every version from 2.1 to the advertised maximum. */
function everyVersion(): string[] {
  const max = Microversion.of(COMPUTE_MAX_VERSION);
  const versions: string[] = [];
  for (let version = Microversion.of('2.1'); version.isAtMost(max); version = version.next()) versions.push(version.toString());
  return versions;
}

const SERVERS = 'servers_client.ServersClient';

/** Records one response as a case for `attr` of the client's (or module's) schema. */
class Recorder {
  readonly cases: TempestCase[] = [];

  constructor(private readonly call: Call) {}

  async record(name: string, schema: TempestSchema, method: string, path: string, options: Parameters<Call>[2] & { version: string }): Promise<Record<string, unknown>> {
    const reply = await this.call(method, path, options);
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

/** A server in every state the views branch on: hosted, tagged, grouped, locked with a reason, with a fault. */
async function richServer({ call, db, registry }: Harness): Promise<string> {
  await registry.register({ binary: 'nova-compute', host: 'compute-1', topic: 'compute' });
  const id = await insertInstance(db, 'demo', { locked: true, locked_by: 'owner', locked_reason: 'maintenance', display_description: 'rich', user_data: 'aGVsbG8=' });
  assert.equal((await call('PUT', `/servers/${id}/tags`, { body: { tags: ['a', 'b'] }, as: DEMO, version: '2.26' })).status, 200);
  const group = await call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['affinity'] } }, as: DEMO });
  const groupId = (group.json['server_group'] as { id: string }).id;
  const kysely = db.kysely.withTables<ComputeTables>();
  const row = await kysely.selectFrom('compute_server_groups').select('id').where('uuid', '=', groupId).executeTakeFirstOrThrow();
  await kysely.insertInto('compute_server_group_members').values({ group_id: row.id, instance_uuid: id }).execute();
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
      const schema = (attr: string): TempestSchema => ({ client: SERVERS, attr });
      for (const version of everyVersion()) {
        const created = await recorder.record('create', { module: 'v2_1.servers', attr: 'create_server_with_admin_pass' }, 'POST', '/servers', { body: bootBody(version, `vm-${version}`), as: DEMO, version });
        const id = String((created['server'] as { id?: string } | undefined)?.id);
        for (const [who, as] of [['admin', ADMIN], ['member', DEMO]] as const) {
          await recorder.record(`show ${who}`, schema('get_server'), 'GET', `/servers/${rich}`, { as, version });
          await recorder.record(`show new ${who}`, schema('get_server'), 'GET', `/servers/${id}`, { as, version });
          await recorder.record(`detail ${who}`, schema('list_servers_detail'), 'GET', '/servers/detail', { as, version });
          await recorder.record(`update ${who}`, schema('update_server'), 'PUT', `/servers/${rich}`, { body: { server: { name: `renamed-${version}` } }, as, version });
        }
        await recorder.record('list', schema('list_servers'), 'GET', '/servers?limit=2', { as: DEMO, version });
      }
      await verify(recorder.cases, (reason) => t.skip(reason));
    }));
});
