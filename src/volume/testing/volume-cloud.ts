/**
 * Test-only harness: the volume API's routes in the real HTTP framework and policy engine, over a
 * real database, with the real scheduler and a file-backend volume service on an in-process bus
 * and the real image service. The caller's context travels in a test-only header.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { addAuthToken } from '../../common/auth/auth-token.js';
import type { TokenValidator } from '../../common/auth/token-validator.js';
import { InprocTransport } from '../../common/bus/inproc/transport.js';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import type { DialectName } from '../../common/db/engine.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { buildHttpApp } from '../../common/http/app.js';
import { enterRequestContext } from '../../common/http/request-id.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import { serviceRegistryMigrations } from '../../common/service/db/migrations/index.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ImageService } from '../../image/images/image-service.js';
import { withImages } from '../../image/images/testing/image-fixture.js';
import { VOLUME_MAX_VERSION, VOLUME_MIN_VERSION } from '../api/microversions.js';
import { v3Routes } from '../api/routes/index.js';
import { FileVolumeDriver } from '../backends/file/file-driver.js';
import type { VolumeDriver } from '../backends/volume-driver.js';
import { PosixBackupDriver } from '../backup/drivers/posix/posix-backup-driver.js';
import { volumeMigrations } from '../db/migrations/index.js';
import { VOLUME_POLICIES } from '../policies.js';
import { createVolumeCore, type VolumeCore } from '../volume-core.js';
import { volumeImageLookup, volumeImageSource } from '../volume-images.js';
import { startVolumeWorkers, type VolumeWorkers } from '../workers.js';
import { NbdTarget } from '../targets/nbd/nbd-target.js';
import { daemonsUnder, storageDaemonBinary } from '../targets/nbd/storage-daemon.js';
import type { VolumeExportPolicy } from '../targets/target-protocol.js';
import { loadConfig } from '../../common/config/load.js';
import type { ComputeNotifier } from '../compute/nova-client.js';
import type { NimbusConfig } from '../../common/config/options.js';

export { ADMIN, memberOf } from '../../image/images/testing/image-fixture.js';

export interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  /** The body as sent ('' for none). */
  readonly text: string;
}

/** `version` is the microversion asked for (`OpenStack-API-Version: volume X`); none gets 3.0. */
export type Call = (method: string, path: string, options?: { body?: unknown; as?: RequestContext; version?: string }) => Promise<Reply>;

export interface VolumeCloud {
  readonly call: Call;
  /** The app, not yet ready when fn starts (so a test may still add hooks). */
  readonly app: FastifyInstance;
  /** The database of the volume and image services. */
  readonly db: Database;
  readonly core: VolumeCore;
  readonly workers: VolumeWorkers;
  readonly images: ImageService;
  /** The file backend's volume and snapshot files. */
  readonly backendFiles: () => Promise<string[]>;
  /** Where the file backend keeps a volume's data. */
  readonly volumePath: (id: string) => string;
  /** The directory the posix backup driver keeps a backup in. */
  readonly backupPath: (id: string) => string;
  /** Polls a volume until its status leaves `creating`/`extending`/`retyping`/`deleting` (and the backups' transient ones); the last reply. */
  readonly settle: (path: string, as: RequestContext) => Promise<Reply>;
  /** Creates a volume of `body` (a create's `volume`) as `as`, asserts it became available; its id. */
  readonly availableVolume: (body: Readonly<Record<string, unknown>>, as: RequestContext) => Promise<string>;
}

export interface VolumeCloudOptions {
  /** `[volume]` options by name (quotas, ratio; with target_protocol, the service's host `test-host` opens paths and other hosts get NBD exports under the cloud's dir). */
  readonly volume?: Readonly<Record<string, string>>;
  /** Puts the routes behind the real auth middleware with this validator (absent: the test-only context header). */
  readonly validator?: TokenValidator;
  /** How often the services heartbeat and report (the workers' default when absent). */
  readonly reportIntervalMs?: number;
  /** What the volume service tells compute (volume-extended, volume-reimaged); absent: nobody. */
  readonly compute?: ComputeNotifier;
  /** How often the scheduler deletes expired user messages (`[volume] message_reap_interval`, in ms; the workers' default when absent). */
  readonly messageReapIntervalMs?: number;
  /** The backend over the file volumes in `directory` (absent: the file driver itself), e.g. one that holds a change until the test lets it go. */
  readonly driver?: (directory: string) => VolumeDriver;
}

const TRANSIENT = new Set(['creating', 'extending', 'retyping', 'deleting', 'backing-up', 'restoring-backup', 'restoring']);

export async function withVolumeCloud(dialect: DialectName, fn: (cloud: VolumeCloud) => Promise<void>, options: VolumeCloudOptions = {}): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'nimbus-volume-cloud-'));
  try {
    await withImages(dialect, async ({ images, db }) => {
      await migrateToLatest(db, serviceRegistryMigrations);
      await migrateToLatest(db, volumeMigrations);
      const config = loadConfig({ env: {}, flags: { DEFAULT: { state_dir: root }, ...(options.volume === undefined ? {} : { volume: options.volume }) } });
      const transport = new InprocTransport(`volume-${randomUUID()}`);
      await transport.connect();
      const directory = join(root, 'volumes');
      const exports = options.volume?.['target_protocol'] === undefined ? undefined : exportPolicyOf(config, root);
      const workers = await startVolumeWorkers({
        database: db,
        transport,
        drivers: [options.driver?.(directory) ?? new FileVolumeDriver({ directory })],
        backupDriver: new PosixBackupDriver({ directory: join(root, 'backup'), chunkSize: 8 * 1024 * 1024, shaBlockSize: 32 * 1024 }),
        host: 'test-host',
        availabilityZone: 'nova',
        images: volumeImageSource(images, () => ({ requestId: 'req-volume', isAdmin: true })),
        stagingDir: join(root, 'staging'),
        rpcTimeoutSeconds: 10,
        maxOverSubscriptionRatio: config.volume.max_over_subscription_ratio,
        messageTtlSeconds: config.volume.message_ttl,
        ...(options.messageReapIntervalMs === undefined ? {} : { messageReapIntervalMs: options.messageReapIntervalMs }),
        ...(options.reportIntervalMs === undefined ? {} : { reportIntervalMs: options.reportIntervalMs }),
        ...(exports === undefined ? {} : { exports }),
        ...(options.compute === undefined ? {} : { compute: options.compute }),
      });
      const core = createVolumeCore(
        {
          database: db,
          scheduler: workers.schedulerClient,
          managers: workers.managerClient,
          backupManagers: workers.backupClient,
          services: new ServiceRegistry(db),
          images: volumeImageLookup(images),
        },
        config,
      );
      const app: FastifyInstance = buildHttpApp({
        maxBodyBytes: 65536,
        services: [
          {
            name: 'volume',
            prefix: '/volume',
            faultFormat: 'cinder',
            microversions: { serviceType: 'volume', min: VOLUME_MIN_VERSION, max: VOLUME_MAX_VERSION },
            routes: async (scope) => {
              const { validator } = options;
              if (validator === undefined) {
                scope.addHook('onRequest', (request, _reply, done) => {
                  enterRequestContext(request, JSON.parse(String(request.headers['x-test-context'])) as RequestContext, done);
                });
              } else {
                addAuthToken(scope, { validator, identityUri: () => 'http://cloud/identity' });
              }
              await scope.register(
                v3Routes({
                  ...core,
                  services: new ServiceRegistry(db),
                  policy: createPolicyEnforcer({ defaults: VOLUME_POLICIES }),
                  credentialsOf: (request) => credentialsOf(request.requestContext),
                  publicUrl: 'http://cloud',
                }),
              );
            },
          },
        ],
      });
      const call: Call = async (method, path, { body, as = ADMIN_CONTEXT, version } = {}) => {
        const response = await app.inject({
          method: method as 'GET',
          url: `/volume/v3/${as.projectId ?? 'none'}${path}`,
          headers: {
            'x-test-context': JSON.stringify(as),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(version === undefined ? {} : { 'openstack-api-version': `volume ${version}` }),
          },
          ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
        });
        const text = response.body;
        return { status: response.statusCode, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), text };
      };
      const settle = async (path: string, as: RequestContext): Promise<Reply> => {
        // Backups and restores read and write a whole volume: allow for a loaded machine.
        for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
          const reply = await call('GET', path, { as });
          const item = (reply.json['volume'] ?? reply.json['snapshot'] ?? reply.json['backup']) as { status?: string } | undefined;
          if (reply.status !== 200 || item?.status === undefined || !TRANSIENT.has(item.status)) return reply;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error(`${path} did not settle`);
      };
      const availableVolume = async (body: Readonly<Record<string, unknown>>, as: RequestContext): Promise<string> => {
        const created = await call('POST', '/volumes', { body: { volume: body }, as });
        assert.equal(created.status, 202, JSON.stringify(created.json));
        const id = String((created.json['volume'] as { id: unknown }).id);
        const settled = await settle(`/volumes/${id}`, as);
        assert.equal((settled.json['volume'] as { status?: string } | undefined)?.status, 'available', JSON.stringify(settled.json));
        return id;
      };
      const backendFiles = async () => (await readdir(directory)).filter((name) => !name.startsWith('.'));
      try {
        await fn({
          call, app, db, core, workers, images, backendFiles, settle, availableVolume,
          volumePath: (id) => join(directory, `volume-${id}`),
          backupPath: (id) => join(root, 'backup', `backup-${id}`),
        });
      } finally {
        await app.close();
        await workers.stop();
        await transport.close();
      }
    });
  } finally {
    // The exports' daemons outlive the service by design: a test's go with it.
    for (const pid of daemonsUnder(join(root, 'volume-exports'))) process.kill(pid, 'SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
}

function exportPolicyOf(config: NimbusConfig, root: string): VolumeExportPolicy {
  const binary = storageDaemonBinary();
  const policy = { protocol: config.volume.target_protocol, localHosts: ['test-host'] };
  if (binary === undefined) return policy;
  const { target_ip_address: address, target_port: firstPort, target_port_count: portCount } = config.volume;
  return { ...policy, target: new NbdTarget({ binary, directory: join(root, 'volume-exports'), address, firstPort, portCount }) };
}

const ADMIN_CONTEXT: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'], isAdmin: true };
