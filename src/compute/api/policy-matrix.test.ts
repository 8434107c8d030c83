import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { personaTokenValidator } from '../../common/auth/testing/persona-tokens.js';
import { OWNING_PROJECT, PROJECT_PERSONAS, runPolicyMatrix, tokenHeader } from '../../common/policy/testing/policy-matrix.js';
import type { ImageService } from '../../image/images/image-service.js';
import { memberOf, withImages } from '../../image/images/testing/image-fixture.js';
import { seedHosts } from '../admin/testing/admin-fixtures.js';
import { insertInstance } from '../db/testing/compute-db.js';
import type { ComputeTables } from '../db/tables.js';
import { FlavorStore } from '../db/flavor-store.js';
import { MigrationStatus, MigrationType } from '../moves/migration.js';
import { MigrationStore } from '../db/migration-store.js';
import { forceDown } from '../testing/moves.js';
import { COMPUTE_POLICY_MATRIX, SERVER_ACTION_ROUTE, type ComputeMatrixFixture } from './policy-matrix.js';
import { IMAGE_ID, withComputeApp, type Harness } from '../testing/compute-test-app.js';
import { SERVER_ACTIONS } from './routes/server-actions/index.js';

const MEMBER = PROJECT_PERSONAS.member;

/** What the rows make: rows in the database for servers and hosts, the API (as the member or the administrator) for the rest. */
async function computeFixture({ call, db, registry }: Harness, images: ImageService): Promise<ComputeMatrixFixture> {
  await seedHosts({ registry, db });
  const tables = db.kysely.withTables<ComputeTables>();
  const flavors = new FlavorStore(db);
  const [tiny, small] = [await flavors.get({ isAdmin: true }, '1'), await flavors.get({ isAdmin: true }, '2')];
  const ok = async (reply: Promise<{ status: number; json: Record<string, unknown> }>, what: string) => {
    const { status, json } = await reply;
    assert.ok(status < 300, `${what}: ${status} ${JSON.stringify(json)}`);
    return json;
  };
  const asMember = { headers: tokenHeader('member') };
  const asAdmin = { headers: tokenHeader('admin') };
  let serial = 0;
  const name = (prefix: string) => `${prefix}-fixture-${(serial += 1)}`;

  const server: ComputeMatrixFixture['server'] = async (overrides = {}) => {
    const uuid = await insertInstance(db, OWNING_PROJECT, {
      image_ref: IMAGE_ID, user_id: MEMBER.userId, flavor: JSON.stringify({ cur: tiny, old: null, new: null }), ...overrides,
    });
    await tables.insertInto('compute_instance_metadata').values({ instance_uuid: uuid, key: 'k', value: 'v' }).execute();
    await tables.insertInto('compute_instance_tags').values({ instance_uuid: uuid, tag: 't' }).execute();
    return uuid;
  };
  const migration = (instanceUuid: string, type: MigrationType, status: MigrationStatus) =>
    new MigrationStore(db).create({
      instanceUuid, type, status, sourceCompute: 'compute-1', sourceNode: 'compute-1', destCompute: 'compute-2', destNode: 'compute-2',
      oldFlavorId: '1', newFlavorId: type === MigrationType.RESIZE ? '2' : '1', userId: MEMBER.userId, projectId: OWNING_PROJECT,
    });
  await registry.register({ binary: 'nova-compute', host: 'compute-down', topic: 'compute' });
  await forceDown(db, 'compute-down');

  return {
    ownerProject: OWNING_PROJECT,
    memberUser: MEMBER.userId,
    server,
    resizedServer: async () => {
      const uuid = await server({
        vm_state: 'resized', host: 'compute-2', node: 'compute-2', flavor_id: '2', memory_mb: 512, root_gb: 5,
        flavor: JSON.stringify({ cur: small, old: tiny, new: small }),
      });
      await tables.insertInto('compute_instance_system_metadata').values({ instance_uuid: uuid, key: 'old_vm_state', value: 'active' }).execute();
      await migration(uuid, MigrationType.RESIZE, MigrationStatus.FINISHED);
      return uuid;
    },
    liveMigratingServer: async () => {
      const uuid = await server({ task_state: 'migrating' });
      return { server: uuid, migration: (await migration(uuid, MigrationType.LIVE_MIGRATION, MigrationStatus.RUNNING)).id };
    },
    serverOnDownHost: () => server({ host: 'compute-down', node: 'compute-down' }),
    flavor: async ({ isPublic = true, zeroDisk = false } = {}) => {
      const body = { flavor: { name: name('flavor'), ram: 64, vcpus: 1, disk: zeroDisk ? 0 : 1, 'os-flavor-access:is_public': isPublic } };
      const id = String(((await ok(call('POST', '/flavors', { body, ...asAdmin }), 'flavor')).flavor as { id: string }).id);
      await ok(call('POST', `/flavors/${id}/os-extra_specs`, { body: { extra_specs: { a: 'b' } }, ...asAdmin }), 'extra spec');
      if (!isPublic) await ok(call('POST', `/flavors/${id}/action`, { body: { addTenantAccess: { tenant: OWNING_PROJECT } }, ...asAdmin }), 'flavor access');
      return id;
    },
    keypair: async () => {
      const keypair = (await ok(call('POST', '/os-keypairs', { body: { keypair: { name: name('key') } }, ...asMember }), 'keypair')).keypair;
      return String((keypair as { name: string }).name);
    },
    serverGroup: async () => {
      const group = (await ok(call('POST', '/os-server-groups', { body: { server_group: { name: 'g', policies: ['affinity'] } }, ...asMember }), 'group')).server_group;
      return String((group as { id: string }).id);
    },
    aggregate: async ({ withHost } = { withHost: true }) => {
      const aggregate = (await ok(call('POST', '/os-aggregates', { body: { aggregate: { name: name('aggregate') } }, ...asAdmin }), 'aggregate')).aggregate;
      const id = String((aggregate as { id: number }).id);
      if (withHost) await ok(call('POST', `/os-aggregates/${id}/action`, { body: { add_host: { host: 'compute-1' } }, ...asAdmin }), 'aggregate host');
      return id;
    },
    service: async () => (await registry.register({ binary: 'nova-compute', host: name('host'), topic: 'compute' })).uuid,
    hypervisor: async () => ({ id: '1', host: 'compute-1' }),
    image: async () => (await images.create(memberOf(OWNING_PROJECT), { name: 'img', disk_format: 'raw', container_format: 'bare', properties: { k: 'v' } })).id,
    instanceAction: async () => {
      const uuid = await server();
      await ok(call('POST', `/servers/${uuid}/action`, { body: { lock: null }, ...asMember }), 'lock');
      const actions = (await ok(call('GET', `/servers/${uuid}/os-instance-actions`, asMember), 'actions')).instanceActions as { request_id: string }[];
      return { server: uuid, requestId: actions[0]?.request_id ?? '' };
    },
  };
}

describe('compute policy matrix', () => {
  test("every compute route and server action answers each persona as Nova Zed's defaults do", () =>
    withImages('sqlite', ({ images }) =>
      withComputeApp(
        async (harness) => {
          await harness.app.ready();
          const fixture = await computeFixture(harness, images);
          // The server action route is one route of many actions: each action is checked as a route of its own.
          const registered = harness.routes.filter((route) => route !== SERVER_ACTION_ROUTE);
          const problems = await runPolicyMatrix({
            registered: [...registered, ...SERVER_ACTIONS.map((action) => `${SERVER_ACTION_ROUTE} ${action.key}`)],
            rows: COMPUTE_POLICY_MATRIX,
            fixture,
            send: async (persona, method, { path, body, headers = {} }) =>
              (await harness.call(method, path, { body, headers: { ...headers, ...tokenHeader(persona) } })).status,
          });
          assert.deepEqual(problems, []);
        },
        { images, validator: personaTokenValidator(PROJECT_PERSONAS) },
      ),
    ));
});
