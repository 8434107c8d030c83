/**
 * Test-only: the compute routes in the real HTTP framework and policy engine over a migrated
 * SQLite database, with recording fakes of the conductor and agent APIs and an in-memory image
 * lookup. The caller's context travels in a test-only header, or, with a token validator, the
 * routes sit behind the real auth middleware and callers send X-Auth-Token.
 */
import { RequestTrace } from '../timeline/request-trace.js';
import { ConsoleAuth } from '../console/console-auth.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import type { NeutronApi } from '../network/neutron-api.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { addAuthToken } from '../../common/auth/auth-token.js';
import type { TokenValidator } from '../../common/auth/token-validator.js';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { NotFound } from '../../common/errors/errors.js';
import { buildHttpApp } from '../../common/http/app.js';
import { enterRequestContext } from '../../common/http/request-id.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import { OTHER_PROJECT, OWNING_PROJECT, recordRoutes } from '../../common/policy/testing/policy-matrix.js';
import { serviceRegistryMigrations } from '../../common/service/db/migrations/index.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ImageRef } from '../../image/images/image.js';
import { IMAGE_POLICIES } from '../../image/policies.js';
import { createComputeAdmin, type ComputeAdmin } from '../admin/compute-admin.js';
import type { ComputeAgentApi } from '../agent/rpc-api.js';
import type { AgentCallVerb, AgentVerb, AgentVerbs } from '../agent/rpc-api.js';
import type { BuildRequest, ComputeTaskApi, EvacuateRequest, LiveMigrateRequest, ResizeRequest } from '../conductor/rpc-api.js';
import { ADMIN, withComputeDb } from '../db/testing/compute-db.js';
import { ensureDefaultFlavors } from '../flavors/default-flavors.js';
import { KeyPairManager } from '../keypairs/keypair-manager.js';
import { COMPUTE_POLICIES } from '../policies.js';
import { QuotaManager } from '../quotas/quota-manager.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { ServersService } from '../servers/servers-service.js';
import { fakeImage } from './fake-image.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';
import { PowerState } from '../virt/power-state.js';
import { COMPUTE_MIN_VERSION } from '../api/versions.js';
import { computeRoutes } from '../api/routes/index.js';
import type { ProxiedImages } from '../api/routes/route-deps.js';
import { createComputeStores } from '../db/compute-stores.js';
import { FaultInjections } from '../faults/fault-injections.js';

/** Nova Zed's maximum. */
const TEST_MAX_VERSION = '2.93';

/** The projects identity knows here: the personas' (ADMIN's, memberOf('demo'), memberOf('other'), the policy matrix's and a third it shares flavors with). */
export const KNOWN_PROJECTS: readonly string[] = [ADMIN.projectId ?? '', 'demo', 'other', OWNING_PROJECT, OTHER_PROJECT, 'third-project'];

export const IMAGE_ID = '6f1c4a46-1111-4c4e-9a7e-000000000001';
export const BIG_IMAGE_ID = '6f1c4a46-1111-4c4e-9a7e-000000000002';
export const QUEUED_IMAGE_ID = '6f1c4a46-1111-4c4e-9a7e-000000000003';
/** Images whose `auto_disk_config` property asks for AUTO, and forbids it. */
export const AUTO_DISK_IMAGE_ID = '6f1c4a46-1111-4c4e-9a7e-000000000004';
export const NO_AUTO_DISK_IMAGE_ID = '6f1c4a46-1111-4c4e-9a7e-000000000005';

const IMAGES = new Map<string, ImageRef>([
  [IMAGE_ID, fakeImage(IMAGE_ID)],
  [BIG_IMAGE_ID, fakeImage(BIG_IMAGE_ID, { min_disk: 20, min_ram: 4096 })],
  [QUEUED_IMAGE_ID, fakeImage(QUEUED_IMAGE_ID, { status: 'queued' })],
  [AUTO_DISK_IMAGE_ID, fakeImage(AUTO_DISK_IMAGE_ID, { properties: { auto_disk_config: 'True' } })],
  [NO_AUTO_DISK_IMAGE_ID, fakeImage(NO_AUTO_DISK_IMAGE_ID, { properties: { auto_disk_config: 'disabled' } })],
]);

/** What the fake agents answer to get_diagnostics: a one-vCPU guest with a disk and a NIC whose rates are unknown. */
const TEST_DIAGNOSTICS: InstanceDiagnostics = {
  state: PowerState.RUNNING, driver: 'libvirt', hypervisor: 'qemu', hypervisorOs: 'linux', uptimeSeconds: 42, configDrive: true,
  memory: { maximumMb: 128, usedMb: 190 },
  cpus: [{ id: 0, timeNs: 5_000_000_000, utilisation: null }],
  nics: [{ macAddress: 'fa:16:3e:00:00:01', devname: 'tap0b7a1f9e-00', rxOctets: 100, rxErrors: 0, rxDrop: 0, rxPackets: 2, rxRate: null, txOctets: 200, txErrors: 0, txDrop: 0, txPackets: 3, txRate: null }],
  disks: [{ device: 'vda', readBytes: 4096, readRequests: 1, writeBytes: 8192, writeRequests: 2, errorsCount: 0 }],
};

/** One message to a compute agent. */
export interface AgentMessage {
  readonly verb: AgentVerb;
  readonly host: string;
  readonly args: object;
}

/** What the fakes were asked. */
export interface Recorded {
  readonly builds: { builds: readonly BuildRequest[]; spec: RequestSpec }[];
  /** Resizes and cold migrations handed to the conductor. */
  readonly resizes: ResizeRequest[];
  /** Live migrations handed to the conductor, and whether the API waited for its checks. */
  readonly liveMigrations: { request: LiveMigrateRequest; wait: boolean }[];
  readonly evacuations: EvacuateRequest[];
  /** Casts and calls to compute agents, in order. */
  readonly agent: AgentMessage[];
  /** How often os-aggregates told the scheduler to re-read aggregates. */
  aggregateRefreshes: number;
  /** What os-services told the scheduler, `host {status}`. */
  readonly serviceChanges: string[];
  /** Unshelves handed to the conductor. */
  readonly unshelves: { instanceUuid: string; spec: RequestSpec }[];
  /** Snapshot images created (createImage, shelve) and not deleted, by id. */
  readonly snapshots: Map<string, ImageRef>;
  /** Ids of images deleted through the image API. */
  readonly deletedImages: string[];
}

export interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}
/** One request; `version` is sent as `OpenStack-API-Version: compute <version>` (absent: the minimum, 2.1). */
export interface CallOptions {
  readonly body?: unknown;
  readonly as?: RequestContext;
  readonly version?: string;
  readonly headers?: Readonly<Record<string, string>>;
}
export type Call = (method: string, path: string, options?: CallOptions) => Promise<Reply>;

export interface Harness {
  /** The app, not yet ready when fn starts (so a test may still add hooks). */
  readonly app: FastifyInstance;
  readonly call: Call;
  readonly db: Database;
  readonly recorded: Recorded;
  readonly registry: ServiceRegistry;
  readonly admin: ComputeAdmin;
  readonly servers: ServersService;
  /** Every route the compute plugin registered, `METHOD /v2.1/…` (filled once the app is ready). */
  readonly routes: readonly string[];
}

export interface ComputeAppOptions {
  /** The image proxy's image service (absent: /v2.1/images is not served). */
  readonly images?: ProxiedImages;
  /** Puts the routes behind the real auth middleware with this validator (absent: the test-only context header). */
  readonly validator?: TokenValidator;
  /** The network API requested networks are checked against (absent: no networking). */
  readonly network?: NeutronApi;
  /** The volume API servers attach through (absent: os-volume_attachments is 503). */
  readonly volumes?: ComputeVolumeApi;
}

export async function withComputeApp(fn: (harness: Harness) => Promise<void>, options: ComputeAppOptions = {}): Promise<void> {
  await withComputeDb('sqlite', async (db) => {
    await migrateToLatest(db, serviceRegistryMigrations);
    const stores = createComputeStores(db);
    const { flavors } = stores;
    const quotas = new QuotaManager(stores.quotas, stores.usage);
    const keypairs = new KeyPairManager(stores.keypairs, (project) => quotas.keyPairLimit(project));
    await ensureDefaultFlavors(flavors);
    const registry = new ServiceRegistry(db);
    const recorded: Recorded = { builds: [], agent: [], aggregateRefreshes: 0, serviceChanges: [], resizes: [], liveMigrations: [], evacuations: [], unshelves: [], snapshots: new Map(), deletedImages: [] };
    const admin = createComputeAdmin(
      stores, registry, quotas,
      async () => {
        recorded.aggregateRefreshes += 1;
      },
      async (host, status) => void recorded.serviceChanges.push(`${host} ${JSON.stringify(status)}`),
    );
    const computeTaskApi: ComputeTaskApi = {
      buildInstances: async (builds, spec) => {
        recorded.builds.push({ builds, spec });
      },
      unshelveInstance: async (instanceUuid, spec) => {
        recorded.unshelves.push({ instanceUuid, spec });
      },
      resizeInstance: async (request) => {
        recorded.resizes.push(request);
      },
      liveMigrateInstance: async (request, { wait }) => void recorded.liveMigrations.push({ request, wait }),
      evacuateInstance: async (request) => void recorded.evacuations.push(request),
    };
    // What the fake agents answer to calls; casts are only recorded.
    const answers: { readonly [V in AgentCallVerb]: (args: AgentVerbs[V]['args']) => AgentVerbs[V]['result'] } = {
      get_console_output: ({ instanceUuid, length }) => `console of ${instanceUuid} (${length ?? 'all'})`,
      get_diagnostics: () => TEST_DIAGNOSTICS,
      get_host_uptime: () => ' 17:05:54 up  1:34,  0 user,  load average: 0.76, 0.38, 0.62',
      get_vnc_console: ({ instanceUuid }) => ({ host: 'compute-1', socketPath: `/run/test/${instanceUuid}/vnc.sock` }),
      check_can_live_migrate_destination: ({ blockMigration }) => ({ blockMigration: blockMigration ?? true }),
      check_can_live_migrate_source: ({ blockMigration }) => ({ blockMigration: blockMigration ?? true }),
      pre_live_migration: ({ blockMigration }) => ({ host: 'destination', blockMigration, incoming: null, diskExport: null }),
      post_live_migration_at_destination: () => 1,
      rollback_live_migration_at_destination: () => undefined,
      // No host binds ports here: the user's port is answered as attached; none is made on a network.
      attach_interface: ({ portId, networkId }) => {
        if (portId === null) throw new NotFound(`The test app makes no port on network ${networkId ?? '-'}`);
        return portId;
      },
    };
    const computeAgentApi: ComputeAgentApi = {
      cast: async (host, verb, args) => void recorded.agent.push({ verb, host, args }),
      call: async (host, verb, args) => {
        recorded.agent.push({ verb, host, args });
        return answers[verb](args);
      },
    };
    const consoleAuth = new ConsoleAuth(stores.consoleTokens, { tokenTtlSeconds: 600, novncBaseUrl: () => 'http://cloud/novnc/vnc_lite.html' });
    const servers = new ServersService({
      ...(options.volumes === undefined ? {} : { volumes: options.volumes }),
      stores,
      flavors,
      keypairs,
      quotas,
      consoleAuth,
      images: {
        getImageForCompute: async (_context, id) => {
          const found = IMAGES.get(id) ?? recorded.snapshots.get(id);
          if (found === undefined) throw new NotFound(`No image found with ID ${id}`);
          return found;
        },
        createSnapshotImage: async (context, spec) => {
          const created = fakeImage(randomUUID(), {
            name: spec.name, status: 'queued', size: null, visibility: spec.visibility ?? 'private', owner: spec.owner ?? context.projectId ?? null,
            min_disk: spec.minDisk ?? 0, min_ram: spec.minRam ?? 0,
            properties: { image_type: 'snapshot', ...spec.properties, instance_uuid: spec.instanceUuid, ...(spec.baseImageRef === undefined ? {} : { base_image_ref: spec.baseImageRef }) },
          });
          recorded.snapshots.set(created.id, created);
          return created;
        },
        uploadImageData: async (_context, id, data) => {
          const found = recorded.snapshots.get(id);
          if (found === undefined) throw new NotFound(`No image found with ID ${id}`);
          let size = 0;
          for await (const chunk of data as AsyncIterable<Buffer>) size += chunk.length;
          const uploaded = { ...found, status: 'active' as const, size };
          recorded.snapshots.set(id, uploaded);
          return uploaded;
        },
        delete: async (_context, id) => {
          recorded.deletedImages.push(id);
          recorded.snapshots.delete(id);
        },
      },
      computeTaskApi,
      computeAgentApi,
      availabilityZones: () => admin.availabilityZones.availableNames(),
      serviceRegistry: registry,
      ...(options.network === undefined ? {} : { network: options.network }),
    });
    const routes: string[] = [];
    const app: FastifyInstance = buildHttpApp({
      maxBodyBytes: 1 << 20,
      services: [
        {
          name: 'compute',
          prefix: '/compute',
          faultFormat: 'nova',
          // Zed's whole range, so route tests reach every version a handler knows; clients get the advertised max.
          microversions: { serviceType: 'compute', legacyHeader: 'X-OpenStack-Nova-API-Version', min: COMPUTE_MIN_VERSION, max: TEST_MAX_VERSION },
          routes: async (scope) => {
            recordRoutes(scope, '/compute', routes);
            if (options.validator === undefined) {
              scope.addHook('onRequest', (request, _reply, done) => {
                enterRequestContext(request, JSON.parse(String(request.headers['x-test-context'])) as RequestContext, done);
              });
            } else {
              addAuthToken(scope, { validator: options.validator, identityUri: () => 'http://cloud/identity' });
            }
            await scope.register(
              computeRoutes({
                flavors, keypairs, quotas, servers, admin, consoleAuth,
                faults: new FaultInjections(stores.faultInjections, registry, computeAgentApi),
                requestTrace: { trace: new RequestTrace(stores.requestSteps), steps: stores.requestSteps, host: 'api-1' },
                ...(options.images === undefined ? {} : { images: options.images }),
                policy: createPolicyEnforcer({ defaults: [...COMPUTE_POLICIES, ...IMAGE_POLICIES] }),
                projectExists: async (projectId) => KNOWN_PROJECTS.includes(projectId),
                credentialsOf: (request) => credentialsOf(request.requestContext),
                publicUrl: 'http://cloud',
              }),
            );
          },
        },
      ],
    });
    try {
      const call: Call = async (method, path, { body, as = ADMIN, version, headers: extra = {} } = {}) => {
        const response = await app.inject({
          method: method as 'GET',
          url: `/compute/v2.1${path}`,
          headers: {
            ...(options.validator === undefined ? { 'x-test-context': JSON.stringify(as) } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(version === undefined ? {} : { 'openstack-api-version': `compute ${version}` }),
            ...extra,
          },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        });
        const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
        const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
        return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {}, headers };
      };
      await fn({ app, call, db, recorded, registry, admin, servers, routes });
    } finally {
      await app.close();
    }
  });
}
