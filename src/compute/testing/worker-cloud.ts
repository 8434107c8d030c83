/**
 * Test-only: conductor, scheduler and fake-driver compute agents on an in-process bus over a fresh
 * SQLite database, with helpers to insert, build and watch instances as the servers API would.
 */
import { ConsoleAuth } from '../console/console-auth.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import type { Transport } from '../../common/bus/index.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import { runWithContext, newRequestId, type RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { NotFound, ServiceUnavailable } from '../../common/errors/errors.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { serviceRegistryMigrations } from '../../common/service/db/migrations/index.js';
import type { ImageRef } from '../../image/images/image.js';
import { fakeImage } from './fake-image.js';
import { computeMigrations } from '../db/migrations/index.js';
import { insertInstance } from '../db/testing/compute-db.js';
import type { ComputeTables } from '../db/tables.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import { KeyPairManager } from '../keypairs/keypair-manager.js';
import { QuotaManager } from '../quotas/quota-manager.js';
import { ServersService } from '../servers/servers-service.js';
import type { ServerImageApi } from '../servers/snapshot-image.js';
import { FakeDriver, fakeDriverFactory } from '../virt/fake/index.js';
import type { ComputeImageSource } from '../agent/image-access.js';
import { startComputeWorkers, type ComputeWorkers, type ComputeWorkersOptions } from '../workers.js';
import { createComputeStores } from '../db/compute-stores.js';
import type { NeutronApi } from '../network/neutron-api.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';

export const IMAGE_ID = randomUUID();

/** What the agents uploaded into images (snapshots), by image id. */
export const uploadedImages = new Map<string, Buffer>();
/** Images the agents deleted; looking one up afterwards is 404. */
export const deletedImages = new Set<string>();
/** Image ids whose upload fails, as a broken image service would. */
export const failingUploads = new Set<string>();

export const images: ComputeImageSource = {
  getImageForCompute: async (_context, id): Promise<ImageRef> => {
    if (deletedImages.has(id)) throw new NotFound(`No image found with ID ${id}`);
    return fakeImage(id);
  },
  // The fake driver boots no real disk: it never reads image data.
  openImageData: async () => Readable.from([]),
  update: (context, id) => images.getImageForCompute(context, id),
  uploadImageData: async (context, id, data) => {
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(Buffer.from(chunk as Uint8Array));
    if (failingUploads.has(id)) throw new ServiceUnavailable(`upload of image ${id} failed`);
    uploadedImages.set(id, Buffer.concat(chunks));
    return images.getImageForCompute(context, id);
  },
  delete: async (_context, id) => {
    if (deletedImages.has(id)) throw new NotFound(`No image found with ID ${id}`);
    deletedImages.add(id);
  },
  // The fake image service keeps no records to list: backups rotate nothing here.
  listForCompute: async () => [],
};

/** The image service as the servers API uses it: snapshot records are queued images of the given name. */
const serverImages: ServerImageApi = {
  getImageForCompute: (context, id) => images.getImageForCompute(context, id),
  createSnapshotImage: async (context, spec) => ({ ...(await images.getImageForCompute(context, randomUUID())), name: spec.name, status: 'queued' }),
  uploadImageData: async (context, id) => ({ ...(await images.getImageForCompute(context, id)), status: 'active', size: 0 }),
  delete: (context, id) => images.delete(context, id),
};

/** The servers API's logic over the cloud's database, casting to its real workers (and checking ports with `network`; snapshots into `images`). */
export function serversOf(cloud: Cloud, network?: NeutronApi, images: ServerImageApi = serverImages): ServersService {
  const stores = createComputeStores(cloud.db);
  const quotas = new QuotaManager(stores.quotas, stores.usage);
  return new ServersService({
    ...(network === undefined ? {} : { network }),
    stores,
    flavors: stores.flavors,
    images,
    keypairs: new KeyPairManager(stores.keypairs, (project) => quotas.keyPairLimit(project)),
    quotas,
    computeTaskApi: cloud.workers.computeTaskApi,
    computeAgentApi: cloud.workers.computeAgentApi,
    availabilityZones: async () => ['nova'],
    serviceRegistry: new ServiceRegistry(cloud.db),
    consoleAuth: new ConsoleAuth(stores.consoleTokens, { tokenTtlSeconds: 600, novncBaseUrl: () => 'http://cloud.test/novnc/vnc_lite.html' }),
    ...(cloud.volumes === undefined ? {} : { volumes: cloud.volumes }),
  });
}

/** A host with room for exactly ten 1-GB-disk instances (disk_allocation_ratio is 1.0). */
export const TEN_SLOTS = { vcpus: 32, memoryMb: 131072, localGb: 10 };

export interface Cloud {
  readonly db: Database;
  readonly workers: ComputeWorkers;
  readonly transport: Transport;
  readonly stateDir: string;
  /** The volume API the agents and the servers API use (absent: none). */
  readonly volumes?: ComputeVolumeApi;
  driver(host: string): FakeDriver;
}

/** Agent options a test may set (shelve offload timing, resize rules, forced config drives, the network API and its plug wait, a volume API, heartbeat timing). */
export type CloudOptions = Pick<
  ComputeWorkersOptions,
  | 'shelvedOffloadTimeSeconds' | 'shelvedPollIntervalMs' | 'allowResizeToSameHost' | 'resizeConfirmWindowSeconds' | 'forceConfigDrive' | 'network' | 'vifPluggingTimeoutSeconds' | 'volumes'
  | 'reportIntervalMs' | 'serviceDownTimeSeconds'
>;

export async function withCloud(hosts: number, fn: (cloud: Cloud) => Promise<void>, fakeHostSize = TEN_SLOTS, options: CloudOptions = {}): Promise<void> {
  await withTestDatabase('sqlite', (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, computeMigrations);
      await migrateToLatest(db, serviceRegistryMigrations);
      const transport = new InprocTransport(`workers-${randomUUID()}`);
      await transport.connect();
      const stateDir = await mkdtemp(join(tmpdir(), 'nimbus-workers-'));
      const workers = await startComputeWorkers({
        database: db,
        transport,
        images,
        drivers: fakeDriverFactory(fakeHostSize),
        hosts: Array.from({ length: hosts }, (_, index) => `compute-${index + 1}`),
        stateDir,
        controllerHost: 'controller',
        rpcTimeoutSeconds: 5,
        ...options,
      });
      const driver = (host: string): FakeDriver => {
        const found = workers.agents.find((agent) => agent.host === host)?.driver;
        assert.ok(found instanceof FakeDriver);
        return found;
      };
      try {
        await fn({ db, workers, transport, stateDir, driver, ...(options.volumes === undefined ? {} : { volumes: options.volumes }) });
      } finally {
        await workers.stop();
        await transport.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    }),
  );
}

export function tables(db: Database) {
  return db.kysely.withTables<ComputeTables>();
}

/** Inserts an instance and its `create` action as the servers API does, and returns a context for the request. */
export async function newServer(db: Database, overrides: { uuid?: string; config_drive?: string } = {}): Promise<{ uuid: string; context: RequestContext }> {
  const context: RequestContext = { requestId: newRequestId(), userId: 'user-of-p1', projectId: 'p1', roles: ['member'] };
  const uuid = await insertInstance(db, 'p1', {
    ...overrides,
    vm_state: 'building',
    task_state: 'scheduling',
    power_state: 0,
    host: null,
    node: null,
    // Booted without a zone: the conductor sets its host's.
    availability_zone: null,
    launched_at: null,
    image_ref: IMAGE_ID,
  });
  const now = toDbTimestamp(new Date());
  await tables(db)
    .insertInto('compute_instance_actions')
    .values({ instance_uuid: uuid, action: 'create', request_id: context.requestId, user_id: 'user-of-p1', project_id: 'p1', start_time: now, finish_time: null, message: null, created_at: now, updated_at: now })
    .execute();
  return { uuid, context };
}

export function specFor(uuids: readonly string[]): RequestSpec {
  return {
    instanceUuids: uuids,
    numInstances: uuids.length,
    projectId: 'p1',
    flavor: { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { id: IMAGE_ID, properties: {} },
    schedulerHints: {},
  };
}

export async function build(cloud: Cloud, uuid: string, context: RequestContext): Promise<void> {
  await runWithContext(context, () => cloud.workers.computeTaskApi.buildInstances([{ instanceUuid: uuid, imageRef: IMAGE_ID, requestedNetworks: 'none' }], specFor([uuid])));
}

export async function instance(db: Database, uuid: string) {
  return tables(db).selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
}

/** Polls until the instance satisfies `done` (vm_state and task_state by default). */
export async function waitFor(db: Database, uuid: string, vmState: string, taskState: string | null = null, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await instance(db, uuid);
    if (row.vm_state === vmState && row.task_state === taskState) return row;
    if (Date.now() > deadline) assert.fail(`instance ${uuid} is ${row.vm_state}/${row.task_state ?? 'None'}, expected ${vmState}/${taskState ?? 'None'}`);
    await sleep(5);
  }
}

/** Retries `check` until it passes: agents finish events and release claims just after the state change. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(5);
    }
  }
}

export async function events(db: Database, uuid: string) {
  return tables(db)
    .selectFrom('compute_instance_action_events')
    .innerJoin('compute_instance_actions', 'compute_instance_actions.id', 'compute_instance_action_events.action_id')
    .select(['event', 'result', 'host'])
    .where('instance_uuid', '=', uuid)
    .orderBy('compute_instance_action_events.id')
    .execute();
}

export async function faults(db: Database, uuid: string) {
  return tables(db).selectFrom('compute_instance_faults').selectAll().where('instance_uuid', '=', uuid).execute();
}

export function usage(cloud: Cloud): number {
  return cloud.workers.scheduler.cache.hosts().reduce((sum, host) => sum + host.localGbUsed, 0);
}

export async function setTask(db: Database, uuid: string, task: string): Promise<void> {
  await tables(db).updateTable('compute_instances').set({ task_state: task }).where('uuid', '=', uuid).execute();
}

