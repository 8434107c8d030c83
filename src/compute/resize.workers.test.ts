/**
 * Resize, cold migration, confirm and revert through the compute API logic and the real workers
 * on the in-process bus: states, the migration record, the claims each host holds at every step
 * (nothing leaked), and the failure paths a fake-driver fault takes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestContext } from '../common/context/request-context.js';
import { newRequestId } from '../common/context/request-context.js';
import { configureLogging } from '../common/logging/logger.js';
import { ensureDefaultFlavors } from './flavors/default-flavors.js';
import { FlavorStore } from './db/flavor-store.js';
import { createComputeStores } from './db/compute-stores.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { ComputeAgent } from './agent/compute-agent.js';
import type { ServersService } from './servers/servers-service.js';
import { imageAccess } from './agent/image-access.js';
import { events, eventually, faults, IMAGE_ID, images, instance, setTask, tables, serversOf, waitFor, withCloud, type Cloud } from './testing/worker-cloud.js';

configureLogging({ sink: () => undefined });

const MEMBER: RequestContext = { requestId: 'req-member', userId: 'u1', projectId: 'p1', roles: ['member'] };
const ADMIN: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin'], isAdmin: true };

function as(context: RequestContext): RequestContext {
  return { ...context, requestId: newRequestId() };
}

async function apiOf(cloud: Cloud): Promise<ServersService> {
  await ensureDefaultFlavors(new FlavorStore(cloud.db));
  return serversOf(cloud);
}

/** A server of `flavor` built through the API, ACTIVE on a host. */
async function activeServer(cloud: Cloud, servers: ServersService, flavor = '1'): Promise<string> {
  const created = await servers.create(as(MEMBER), { name: 'vm', imageRef: IMAGE_ID, flavorRef: flavor, networks: 'none', minCount: 1, maxCount: 1, hints: {} });
  const uuid = created.servers[0]?.row.uuid ?? '';
  await waitFor(cloud.db, uuid, 'active');
  return uuid;
}

/** Claims by host, as `consumer:flavor-size`: `i` for the instance's, `m` for a migration's. */
function claims(cloud: Cloud): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const host of cloud.workers.scheduler.cache.hosts()) {
    out[host.host] = cloud.workers.scheduler.cache.claimsOn(host.host).map((claim) => `${claim.migrationId === undefined ? 'i' : 'm'}:${claim.resources.memoryMb}`).sort();
  }
  return out;
}

async function allocations(cloud: Cloud) {
  return tables(cloud.db)
    .selectFrom('compute_allocations')
    .innerJoin('compute_nodes', 'compute_nodes.id', 'compute_allocations.node_id')
    .select(['compute_allocations.consumer_uuid', 'compute_nodes.host', 'compute_allocations.memory_mb'])
    .orderBy('host')
    .execute();
}

/** Stops the host's agent (its casts are dropped meanwhile) and returns a function that starts a new one on the same hypervisor. */
async function stopAgent(cloud: Cloud, host: string): Promise<() => Promise<ComputeAgent>> {
  await cloud.workers.agents.find((agent) => agent.host === host)?.stop();
  return async () => {
    const agent = new ComputeAgent({ host, driver: cloud.driver(host), transport: cloud.transport, images: imageAccess(images), rpcTimeoutSeconds: 5 });
    await agent.start();
    return agent;
  };
}

async function migrationOf(servers: ServersService, uuid: string) {
  const [migration] = await servers.migrations.list({ instanceUuid: uuid });
  assert.ok(migration, 'no migration recorded');
  return migration;
}

describe('resize and cold migration on the workers (sqlite)', () => {
  test('resize → VERIFY_RESIZE elsewhere holding both claims; confirm keeps the new flavor and only the destination claim', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const resized = await waitFor(cloud.db, uuid, 'resized');
      assert.notEqual(resized.host, source);
      const dest = resized.host ?? '';
      assert.deepEqual([resized.flavor_id, resized.memory_mb, resized.root_gb, resized.power_state], ['2', 512, 5, 1]);
      assert.equal((JSON.parse(resized.flavor) as { old: { flavorid: string } }).old.flavorid, '1');
      assert.equal(cloud.driver(dest).inspect(uuid)?.flavor.memoryMb, 512);
      assert.equal(cloud.driver(source).inspect(uuid), undefined, 'the source keeps only the resize source');
      const migration = await migrationOf(servers, uuid);
      assert.deepEqual([migration.migration_type, migration.status, migration.source_compute, migration.dest_compute, migration.old_flavor_id, migration.new_flavor_id], ['resize', 'finished', source, dest, '1', '2']);
      assert.deepEqual(claims(cloud), { [source]: ['i:128'], [dest]: ['m:512'] });
      assert.deepEqual((await allocations(cloud)).map((row) => [row.consumer_uuid, row.host]), [[uuid, source], [migration.uuid, dest]].sort((a, b) => String(a[1]).localeCompare(String(b[1]))));
      await eventually(async () => assert.equal((await tables(cloud.db).selectFrom('compute_nodes').select('memory_mb_used').where('host', '=', source).executeTakeFirstOrThrow()).memory_mb_used, 128));

      await servers.resize.confirmResize(as(MEMBER), await servers.get(MEMBER, uuid));
      await eventually(async () => assert.equal((await servers.migrations.getById(migration.id))?.status, 'confirmed'));
      const confirmed = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([confirmed.host, confirmed.flavor_id, (JSON.parse(confirmed.flavor) as { old: unknown }).old], [dest, '2', null]);
      assert.deepEqual(claims(cloud), { [source]: [], [dest]: ['i:512'] });
      assert.deepEqual((await allocations(cloud)).map((row) => [row.consumer_uuid, row.host, row.memory_mb]), [[uuid, dest, 512]]);
      await eventually(async () => assert.equal((await tables(cloud.db).selectFrom('compute_nodes').select('memory_mb_used').where('host', '=', source).executeTakeFirstOrThrow()).memory_mb_used, 0));
      await eventually(async () => {
        const names = (await events(cloud.db, uuid)).map((event) => `${event.event}:${event.result ?? ''}`);
        for (const event of ['cold_migrate:Success', 'compute_prep_resize:Success', 'compute_resize_instance:Success', 'compute_finish_resize:Success', 'compute_confirm_resize:Success']) {
          assert.ok(names.includes(event), `${event} missing from ${names.join(', ')}`);
        }
      });
    });
  });

  test('revert: the old flavor back on the source, the destination claim given back; confirm when not resized is 409', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      await assert.rejects(servers.resize.confirmResize(as(MEMBER), await servers.get(MEMBER, uuid)), { status: 409, message: `Cannot 'confirmResize' instance ${uuid} while it is in vm_state active` });
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const dest = (await waitFor(cloud.db, uuid, 'resized')).host ?? '';
      await servers.resize.revertResize(as(MEMBER), await servers.get(MEMBER, uuid));
      const reverted = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([reverted.host, reverted.flavor_id, reverted.memory_mb, reverted.power_state], [source, '1', 128, 1]);
      assert.equal(cloud.driver(source).inspect(uuid)?.flavor.memoryMb, 128);
      assert.equal(cloud.driver(dest).inspect(uuid), undefined);
      assert.equal((await migrationOf(servers, uuid)).status, 'reverted');
      await eventually(() => assert.deepEqual(claims(cloud), { [source]: ['i:128'], [dest]: [] }));
      assert.deepEqual((await allocations(cloud)).map((row) => [row.consumer_uuid, row.host]), [[uuid, source]]);
    });
  });

  test("a server booted without a zone resizes into another zone (it is pinned to none) and takes its host's zone; a revert takes the source's back", async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const booted = await instance(cloud.db, uuid);
      assert.deepEqual([booted.availability_zone, booted.requested_availability_zone], ['nova', null]);
      const other = booted.host === 'compute-1' ? 'compute-2' : 'compute-1';
      const aggregates = createComputeStores(cloud.db).aggregates;
      const edge = await aggregates.create('edge-hosts', 'edge', toDbTimestamp(new Date()));
      await aggregates.addHost(edge.id, other);
      await cloud.workers.schedulerClient.updateAggregate({ id: edge.id, name: edge.name, metadata: { availability_zone: 'edge' }, hosts: [other] });
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const resized = await waitFor(cloud.db, uuid, 'resized');
      assert.deepEqual([resized.host, resized.availability_zone, resized.requested_availability_zone], [other, 'edge', null]);
      await servers.resize.revertResize(as(MEMBER), await servers.get(MEMBER, uuid));
      const reverted = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([reverted.host, reverted.availability_zone], [booted.host, 'nova']);
    });
  });

  test('a stopped server resizes powered off and confirms to SHUTOFF', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      await servers.actions.stop(as(MEMBER), await servers.get(MEMBER, uuid));
      await waitFor(cloud.db, uuid, 'stopped');
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const resized = await waitFor(cloud.db, uuid, 'resized');
      assert.equal(resized.power_state, 4);
      assert.equal(cloud.driver(resized.host ?? '').inspect(uuid)?.powerState, 4);
      await servers.resize.confirmResize(as(MEMBER), await servers.get(MEMBER, uuid));
      await waitFor(cloud.db, uuid, 'stopped');
    });
  });

  test('cold migration with one host: NoValidHost puts the server back ACTIVE with a fault, the migration in error, no claim left', async () => {
    await withCloud(1, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const before = claims(cloud);
      await servers.resize.migrate(as(ADMIN), await servers.get(ADMIN, uuid), undefined);
      await eventually(async () => assert.equal((await migrationOf(servers, uuid)).status, 'error'));
      await waitFor(cloud.db, uuid, 'active');
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).at(-1)?.message ?? '', /No valid host was found/));
      await eventually(async () => assert.ok((await events(cloud.db, uuid)).some((event) => event.event === 'cold_migrate' && event.result === 'Error')));
      assert.deepEqual(claims(cloud), before);
      assert.equal((await allocations(cloud)).length, 1);
    });
  });

  test('migrateDiskAndPowerOff failing: back ACTIVE on the source with a fault, the event in error, the destination claim released', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      cloud.driver(source).faults.failNext('migrateDiskAndPowerOff', { instanceUuid: uuid, message: 'disk copy failed' });
      const before = claims(cloud);
      await servers.resize.migrate(as(ADMIN), await servers.get(ADMIN, uuid), undefined);
      await eventually(async () => assert.equal((await migrationOf(servers, uuid)).status, 'error'));
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([row.host, row.flavor_id, row.power_state], [source, '1', 1]);
      assert.equal(cloud.driver(source).inspect(uuid)?.powerState, 1);
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).at(-1)?.message ?? '', /disk copy failed/));
      await eventually(async () => assert.ok((await events(cloud.db, uuid)).some((event) => event.event === 'compute_resize_instance' && event.result === 'Error')));
      await eventually(() => assert.deepEqual(claims(cloud), before));
      assert.deepEqual((await allocations(cloud)).map((row) => row.consumer_uuid), [uuid]);
    });
  });

  test('resizing the root disk down is refused by the driver: the server stays ACTIVE with the fault', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers, '2');
      const before = claims(cloud);
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '1');
      await eventually(async () => assert.equal((await migrationOf(servers, uuid)).status, 'error'));
      const row = await waitFor(cloud.db, uuid, 'active');
      assert.equal(row.flavor_id, '2');
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).at(-1)?.message ?? '', /resize the root disk down/));
      await eventually(() => assert.deepEqual(claims(cloud), before));
    });
  });

  test('finishMigration failing: ERROR with a fault on the destination, holding only its claim; delete leaves nothing', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      const dest = source === 'compute-1' ? 'compute-2' : 'compute-1';
      cloud.driver(dest).faults.failNext('finishMigration', { instanceUuid: uuid, message: 'cannot define the guest' });
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const row = await waitFor(cloud.db, uuid, 'error');
      assert.deepEqual([row.host, row.flavor_id], [dest, '1']);
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).at(-1)?.message ?? '', /cannot define the guest/));
      await eventually(async () => assert.equal((await migrationOf(servers, uuid)).status, 'error'));
      await eventually(async () => assert.ok((await events(cloud.db, uuid)).some((event) => event.event === 'compute_finish_resize' && event.result === 'Error')));
      await eventually(() => assert.deepEqual(claims(cloud), { [source]: [], [dest]: ['i:512'] }));
      assert.deepEqual((await allocations(cloud)).map((row) => [row.consumer_uuid, row.host]), [[uuid, dest]]);

      await servers.actions.delete(as(MEMBER), await servers.get(MEMBER, uuid));
      await eventually(async () => assert.equal((await tables(cloud.db).selectFrom('compute_instances').select('deleted').where('uuid', '=', uuid).executeTakeFirstOrThrow()).deleted ? 1 : 0, 1));
      await eventually(() => assert.deepEqual(claims(cloud), { [source]: [], [dest]: [] }));
      assert.deepEqual(await allocations(cloud), []);
      await eventually(async () => assert.equal((await cloud.driver(source).getAvailableResource()).memoryMbUsed, 0, 'the old copy left on the source is removed'));
    });
  });

  test('deleting a server while its disks are on the way: nothing is left on either host', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      const dest = source === 'compute-1' ? 'compute-2' : 'compute-1';
      cloud.driver(dest).delays.set('finishMigration', 300);
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      await waitFor(cloud.db, uuid, 'active', 'resize_finish');
      await servers.actions.delete(as(MEMBER), await servers.get(MEMBER, uuid));
      await eventually(async () => assert.equal((await tables(cloud.db).selectFrom('compute_instances').select('deleted').where('uuid', '=', uuid).executeTakeFirstOrThrow()).deleted ? 1 : 0, 1));
      await eventually(() => assert.deepEqual(claims(cloud), { [source]: [], [dest]: [] }));
      await eventually(async () => assert.deepEqual(await allocations(cloud), []));
      await eventually(async () => {
        for (const host of [source, dest]) assert.equal((await cloud.driver(host).getAvailableResource()).memoryMbUsed, 0, host);
      });
    });
  });

  test('deleting a server awaiting confirmation confirms it first: both hosts end up empty', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      const dest = (await waitFor(cloud.db, uuid, 'resized')).host ?? '';
      await servers.actions.delete(as(MEMBER), await servers.get(MEMBER, uuid));
      await eventually(() => assert.deepEqual(claims(cloud), { [source]: [], [dest]: [] }));
      await eventually(async () => assert.deepEqual(await allocations(cloud), []));
      await eventually(async () => {
        const used = await tables(cloud.db).selectFrom('compute_nodes').select(['host', 'memory_mb_used']).orderBy('host').execute();
        assert.deepEqual(used.map((node) => node.memory_mb_used), [0, 0]);
      });
    });
  });

  test('resize_confirm_window confirms a finished resize by itself', async () => {
    await withCloud(
      2,
      async (cloud) => {
        const servers = await apiOf(cloud);
        const uuid = await activeServer(cloud, servers);
        await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
        await waitFor(cloud.db, uuid, 'resized');
        const confirmed = await waitFor(cloud.db, uuid, 'active', null, 8000);
        assert.equal(confirmed.flavor_id, '2');
        await eventually(async () => assert.equal((await migrationOf(servers, uuid)).status, 'confirmed'));
        const actions = await servers.actionLog.list(uuid);
        assert.ok(actions.some((action) => action.action === 'confirmResize'));
      },
      undefined,
      { resizeConfirmWindowSeconds: 1 },
    );
  });

  test('allow_resize_to_same_host lets a resize stay on a lone host, holding the old and the new claim there', async () => {
    await withCloud(
      1,
      async (cloud) => {
        const servers = await apiOf(cloud);
        const uuid = await activeServer(cloud, servers);
        await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
        const row = await waitFor(cloud.db, uuid, 'resized');
        assert.equal(row.host, 'compute-1');
        assert.deepEqual(claims(cloud), { 'compute-1': ['i:128', 'm:512'] });
        await servers.resize.confirmResize(as(MEMBER), await servers.get(MEMBER, uuid));
        await waitFor(cloud.db, uuid, 'active');
        await eventually(() => assert.deepEqual(claims(cloud), { 'compute-1': ['i:512'] }));
      },
      undefined,
      { allowResizeToSameHost: true },
    );
  });

  for (const stalled of ['resize_prep', 'resize_migrating']) {
    test(`an agent restarted with a resize in ${stalled} on it calls the migration off: back ACTIVE, the destination claim given back`, async () => {
      await withCloud(2, async (cloud) => {
        const servers = await apiOf(cloud);
        const uuid = await activeServer(cloud, servers);
        const source = (await instance(cloud.db, uuid)).host ?? '';
        const before = claims(cloud);
        const restart = await stopAgent(cloud, source);
        await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
        await eventually(() => assert.notDeepEqual(claims(cloud), before), 5000);
        if (stalled === 'resize_migrating') await setTask(cloud.db, uuid, stalled);
        const agent = await restart();
        try {
          const row = await waitFor(cloud.db, uuid, 'active');
          assert.deepEqual([row.host, row.flavor_id], [source, '1']);
          assert.equal(cloud.driver(source).inspect(uuid)?.powerState, 1);
          assert.equal((await migrationOf(servers, uuid)).status, 'error');
          assert.deepEqual(claims(cloud), before);
          await servers.actions.delete(as(MEMBER), await servers.get(MEMBER, uuid));
          await eventually(async () => assert.equal((await tables(cloud.db).selectFrom('compute_allocations').selectAll().execute()).length, 0));
        } finally {
          await agent.stop();
        }
      });
    });
  }

  test('a destination restarted before the finish: ERROR with a fault there, holding only its own claim', async () => {
    await withCloud(2, async (cloud) => {
      const servers = await apiOf(cloud);
      const uuid = await activeServer(cloud, servers);
      const source = (await instance(cloud.db, uuid)).host ?? '';
      const dest = source === 'compute-1' ? 'compute-2' : 'compute-1';
      cloud.driver(source).delays.set('migrateDiskAndPowerOff', 300);
      await servers.resize.resize(as(MEMBER), await servers.get(MEMBER, uuid), '2');
      await waitFor(cloud.db, uuid, 'active', 'resize_migrating');
      const restart = await stopAgent(cloud, dest);
      await waitFor(cloud.db, uuid, 'active', 'resize_migrated');
      const agent = await restart();
      try {
        const row = await waitFor(cloud.db, uuid, 'error');
        assert.equal(row.host, dest);
        await eventually(async () => assert.match((await faults(cloud.db, uuid)).at(-1)?.message ?? '', /restarted during the migration/));
        assert.equal((await migrationOf(servers, uuid)).status, 'error');
        assert.deepEqual(claims(cloud), { [source]: [], [dest]: ['i:512'] });
      } finally {
        await agent.stop();
      }
    });
  });
});
