import assert from 'node:assert/strict';
import { ConsoleAuth } from '../console/console-auth.js';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import type { Database } from '../../common/db/database.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ImageRef } from '../../image/images/image.js';
import { memberOf, withComputeDb } from '../db/testing/compute-db.js';
import type { ComputeTables } from '../db/tables.js';
import { ensureDefaultFlavors } from '../flavors/default-flavors.js';
import { KeyPairManager } from '../keypairs/keypair-manager.js';
import { QuotaManager } from '../quotas/quota-manager.js';
import { ServersService } from './servers-service.js';
import { createComputeStores } from '../db/compute-stores.js';

const DEMO = memberOf('demo');
const IMAGE = { id: 'img', status: 'active', size: 1, min_disk: 0, min_ram: 0, properties: {} } as unknown as ImageRef;

async function service(db: Database): Promise<{ servers: ServersService; quotas: QuotaManager; builds: string[] }> {
  const stores = createComputeStores(db);
  const { flavors } = stores;
  await ensureDefaultFlavors(flavors);
  const quotas = new QuotaManager(stores.quotas, stores.usage);
  const builds: string[] = [];
  const servers = new ServersService({
    stores,
    flavors,
    quotas,
    keypairs: new KeyPairManager(stores.keypairs, (project) => quotas.keyPairLimit(project)),
    images: {
      getImageForCompute: async () => IMAGE,
      createSnapshotImage: async () => IMAGE,
      uploadImageData: async () => IMAGE,
      delete: async () => undefined,
    },
    consoleAuth: new ConsoleAuth(stores.consoleTokens, { tokenTtlSeconds: 600, novncBaseUrl: () => 'http://cloud.test/novnc/vnc_lite.html' }),
    computeTaskApi: {
      buildInstances: async (requests) => void builds.push(...requests.map((request) => request.instanceUuid)),
      unshelveInstance: async () => undefined,
      resizeInstance: async () => undefined,
      liveMigrateInstance: async () => undefined,
      evacuateInstance: async () => undefined,
    },
    computeAgentApi: {
      cast: async () => undefined,
      call: async () => {
        throw new Error('no agent answers in this test');
      },
    },
    availabilityZones: async () => ['nova'],
    serviceRegistry: new ServiceRegistry(db),
  });
  return { servers, quotas, builds };
}

const request = { name: 'vm', imageRef: 'img', flavorRef: '1', minCount: 1, maxCount: 1, hints: {} };

for (const dialect of DIALECTS) {
  describe(`servers service on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('concurrent creates never exceed the instances quota (the recheck removes the losers)', () =>
      withComputeDb(dialect, async (db) => {
        const { servers, quotas, builds } = await service(db);
        await quotas.update('demo', { instances: 2 });
        const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => servers.create(DEMO, request)));
        const rows = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instances').select('uuid').execute();
        assert.ok(rows.length <= 2, `${rows.length} instances written`);
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, rows.length);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') assert.match(String(outcome.reason), /Quota exceeded for instances/);
        }
        assert.deepEqual(builds.sort(), rows.map((row) => row.uuid).sort(), 'only the kept servers were built');
        const actions = await db.kysely.withTables<ComputeTables>().selectFrom('compute_instance_actions').select('instance_uuid').execute();
        assert.equal(actions.length, rows.length, 'no action records left behind');
      }));

    test('multi-create names servers -1, -2 … and shares one reservation', () =>
      withComputeDb(dialect, async (db) => {
        const { servers } = await service(db);
        const created = await servers.create(DEMO, { ...request, minCount: 2, maxCount: 3 });
        assert.deepEqual(created.servers.map((server) => server.row.display_name), ['vm-1', 'vm-2', 'vm-3']);
        assert.deepEqual(new Set(created.servers.map((server) => server.row.reservation_id)), new Set([created.reservationId]));
      }));
  });
}
