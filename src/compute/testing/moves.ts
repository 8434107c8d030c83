/**
 * Test-only: start a live migration or an evacuation on the in-process workers as the servers API
 * does (task state, instance action, migration record), and look at what it left.
 */
import { newRequestId, runWithContext, type RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import type { ServiceRegistryTables } from '../../common/service/db/tables.js';
import type { EvacuateRequest, LiveMigrateRequest } from '../conductor/rpc-api.js';
import { MigrationStore } from '../db/migration-store.js';
import { MigrationStatus, MigrationType, type MigrationRow } from '../moves/migration.js';
import { InstanceActionLog } from '../actions/instance-actions.js';
import { TaskState } from '../state/task-states.js';
import { build, IMAGE_ID, instance, newServer, specFor, tables, waitFor, type Cloud } from './worker-cloud.js';
import { ActionStore } from '../db/action-store.js';
import { createComputeStores } from '../db/compute-stores.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { ADMIN } from '../db/testing/compute-db.js';

/** A server built and ACTIVE on its host (ties go to the first host: compute-1). */
export async function activeServer(cloud: Cloud): Promise<string> {
  const { uuid, context } = await newServer(cloud.db);
  await build(cloud, uuid, context);
  await waitFor(cloud.db, uuid, 'active');
  return uuid;
}

/** Puts each zone's hosts in an aggregate of that zone, as os-aggregates does (the scheduler re-reads them). */
export async function zones(cloud: Cloud, hostsByZone: Readonly<Record<string, readonly string[]>>): Promise<void> {
  const { aggregates } = createComputeStores(cloud.db);
  for (const [zone, hosts] of Object.entries(hostsByZone)) {
    const { id } = await aggregates.create(`${zone}-hosts`, zone, toDbTimestamp(new Date()));
    for (const host of hosts) await aggregates.addHost(id, host);
  }
  await runWithContext(ADMIN, () => cloud.workers.schedulerClient.refreshAggregates());
}

/** A server booted with `--availability-zone zone` (its RequestSpec's zone), ACTIVE on the first host of it. */
export async function serverInZone(cloud: Cloud, zone: string): Promise<string> {
  const { uuid, context } = await newServer(cloud.db);
  await tables(cloud.db).updateTable('compute_instances').set({ requested_availability_zone: zone }).where('uuid', '=', uuid).execute();
  await runWithContext(context, () =>
    cloud.workers.computeTaskApi.buildInstances([{ instanceUuid: uuid, imageRef: IMAGE_ID, requestedNetworks: 'none' }], { ...specFor([uuid]), availabilityZone: zone }),
  );
  await waitFor(cloud.db, uuid, 'active');
  return uuid;
}

export interface StartedMove {
  readonly migration: MigrationRow;
  readonly context: RequestContext;
}

async function startMove(db: Database, uuid: string, type: MigrationType, destCompute: string | null): Promise<StartedMove> {
  const context: RequestContext = { requestId: newRequestId(), userId: 'admin', projectId: 'admin-project', roles: ['admin'], isAdmin: true };
  const row = await instance(db, uuid);
  const live = type === MigrationType.LIVE_MIGRATION;
  await tables(db).updateTable('compute_instances').set({ task_state: live ? TaskState.MIGRATING : TaskState.REBUILDING }).where('uuid', '=', uuid).execute();
  await new InstanceActionLog(new ActionStore(db)).record(context, uuid, live ? 'live-migration' : 'evacuate');
  const migration = await new MigrationStore(db).create({
    instanceUuid: uuid,
    type,
    status: MigrationStatus.ACCEPTED,
    sourceCompute: row.host,
    sourceNode: row.node,
    destCompute,
    oldFlavorId: row.flavor_id,
    newFlavorId: row.flavor_id,
  });
  return { migration, context };
}

/** os-migrateLive as the API runs it; `wait` as before 2.34 (the checks' error rejects). */
export async function liveMigrate(cloud: Cloud, uuid: string, options: Partial<Omit<LiveMigrateRequest, 'instanceUuid' | 'migrationId'>> & { wait?: boolean } = {}): Promise<StartedMove> {
  const host = options.host ?? null;
  const started = await startMove(cloud.db, uuid, MigrationType.LIVE_MIGRATION, host);
  const request: LiveMigrateRequest = {
    instanceUuid: uuid,
    migrationId: started.migration.id,
    host,
    force: options.force ?? false,
    blockMigration: options.blockMigration ?? null,
    availabilityZone: options.availabilityZone ?? (await instance(cloud.db, uuid)).requested_availability_zone,
  };
  await runWithContext(started.context, () => cloud.workers.computeTaskApi.liveMigrateInstance(request, { wait: options.wait ?? false }));
  return started;
}

/** evacuate as the API runs it (the caller has taken the source host down). */
export async function evacuate(cloud: Cloud, uuid: string, options: Partial<Omit<EvacuateRequest, 'instanceUuid' | 'migrationId'>> = {}): Promise<StartedMove> {
  const host = options.host ?? null;
  const started = await startMove(cloud.db, uuid, MigrationType.EVACUATION, host);
  const request: EvacuateRequest = {
    instanceUuid: uuid,
    migrationId: started.migration.id,
    host,
    force: options.force ?? false,
    adminPassword: options.adminPassword ?? 'secret',
    onSharedStorage: options.onSharedStorage ?? null,
    availabilityZone: options.availabilityZone ?? (await instance(cloud.db, uuid)).requested_availability_zone,
  };
  await runWithContext(started.context, () => cloud.workers.computeTaskApi.evacuateInstance(request));
  return started;
}

export async function migrationRow(db: Database, id: number): Promise<MigrationRow> {
  const row = await new MigrationStore(db).getById(id);
  if (row === undefined) throw new Error(`no migration ${id}`);
  return row;
}

/** `openstack compute service set --down` as os-services 2.11 writes it. */
export function forceDown(db: Database, host: string): Promise<void> {
  return setForcedDown(db, host, { forcedDown: true });
}

/** `openstack compute service set --up`. */
export function liftForcedDown(db: Database, host: string): Promise<void> {
  return setForcedDown(db, host, { forcedDown: false });
}

/** `openstack compute service set --disable`, its database half (the API then tells the scheduler). */
export async function disableService(db: Database, host: string): Promise<void> {
  await db.kysely.withTables<ServiceRegistryTables>().updateTable('services').set({ disabled: true }).where('host', '=', host).where('binary', '=', 'nova-compute').execute();
}

async function setForcedDown(db: Database, host: string, { forcedDown }: { forcedDown: boolean }): Promise<void> {
  await db.kysely.withTables<ServiceRegistryTables>().updateTable('services').set({ forced_down: forcedDown }).where('host', '=', host).where('binary', '=', 'nova-compute').execute();
}

/** Local disk (GB) the scheduler counts on one host. */
export function hostUsage(cloud: Cloud, host: string): number {
  return cloud.workers.scheduler.cache.get(host)?.localGbUsed ?? Number.NaN;
}

/** The consumers with allocations on each host's node, as the conductor recorded them. */
export async function allocations(db: Database): Promise<{ consumer: string; host: string }[]> {
  return tables(db)
    .selectFrom('compute_allocations')
    .innerJoin('compute_nodes', 'compute_nodes.id', 'compute_allocations.node_id')
    .select(['compute_allocations.consumer_uuid as consumer', 'compute_nodes.host as host'])
    .execute();
}
