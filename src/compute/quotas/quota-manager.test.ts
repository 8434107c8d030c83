import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { insertInstance, withComputeDb } from '../db/testing/compute-db.js';
import type { ComputeTables } from '../db/tables.js';
import { QuotaManager } from './quota-manager.js';
import { QUOTA_DEFAULTS } from './quota-resources.js';
import { UsageStore } from '../db/usage-store.js';
import { QuotaStore } from '../db/quota-store.js';

for (const dialect of DIALECTS) {
  describe(`quota manager on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('defaults, class defaults, project overrides and reset', () =>
      withComputeDb(dialect, async (db) => {
        const quotas = new QuotaManager(new QuotaStore(db), new UsageStore(db));
        assert.deepEqual(await quotas.limits('p'), { ...QUOTA_DEFAULTS });
        await db.kysely.withTables<ComputeTables>().insertInto('compute_quota_classes').values({ class_name: 'default', resource: 'cores', hard_limit: 40 }).execute();
        assert.equal((await quotas.defaults()).cores, 40);
        const updated = await quotas.update('p', { instances: 2, ram: -1 });
        assert.deepEqual([updated.instances, updated.ram, updated.cores], [2, -1, 40]);
        assert.equal((await quotas.update('p', { instances: 3 })).instances, 3, 'updates replace');
        assert.equal((await quotas.limits('q')).instances, 10, 'other projects unaffected');
        await quotas.reset('p');
        assert.equal((await quotas.limits('p')).instances, 10);
      }));

    test('usage counted from live instances; checkQuota with Nova\'s message; update below usage refused unless forced', () =>
      withComputeDb(dialect, async (db) => {
        const quotas = new QuotaManager(new QuotaStore(db), new UsageStore(db));
        await insertInstance(db, 'p', { vcpus: 2, memory_mb: 512 });
        await insertInstance(db, 'p', { vcpus: 2, memory_mb: 512 });
        await insertInstance(db, 'p', { deleted: true });
        await insertInstance(db, 'q');
        const used = await quotas.usage('p');
        assert.deepEqual([used.instances, used.cores, used.ram], [2, 4, 1024]);
        await quotas.update('p', { instances: 2 });
        await assert.rejects(quotas.checkQuota('p', { instances: 1, cores: 1, ram: 128 }), {
          status: 403,
          message: 'Quota exceeded for instances: Requested 1, but already used 2 of 2 instances',
        });
        await quotas.update('p', { cores: 4 });
        await assert.rejects(quotas.checkQuota('p', { instances: 1, cores: 1 }), {
          message: 'Quota exceeded for cores, instances: Requested 1, 1, but already used 4, 2 of 4, 2 cores, instances',
        });
        await quotas.checkQuota('p', { ram: 100 });
        await assert.rejects(quotas.update('p', { instances: 1 }), {
          status: 400,
          message: 'Quota limit 1 for instances must be greater than or equal to already used and reserved 2.',
        });
        assert.equal((await quotas.update('p', { instances: 1 }, true)).instances, 1);
        assert.deepEqual((await quotas.detail('p')).instances, { limit: 1, in_use: 2 });
      }));
  });
}
