import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { NeutronFault } from '../errors.js';
import { networkMigrations } from '../db/migrations/index.js';
import { NetworkStore } from '../db/network-store.js';
import { IpAllocator, withIpamRetry, type IpamSubnet } from './ip-allocator.js';

/** A /28 with the gateway at .1: thirteen addresses to give out. */
const SUBNET: IpamSubnet = {
  id: randomUUID(),
  networkId: randomUUID(),
  cidr: '10.9.0.0/28',
  allocationPools: [{ start: '10.9.0.2', end: '10.9.0.14' }],
  ipv6AddressMode: null,
};

async function withStore(dialect: (typeof DIALECTS)[number], fn: (store: NetworkStore) => Promise<void>): Promise<void> {
  await withTestDatabase(dialect, (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, networkMigrations);
      await fn(NetworkStore.open(db));
    }),
  );
}

/** Settles every promise; the addresses won and the Neutron fault types of the losers. */
async function race(attempts: readonly Promise<string>[]): Promise<{ won: string[]; lost: string[] }> {
  const results = await Promise.allSettled(attempts);
  return {
    won: results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    lost: results.flatMap((result) => (result.status === 'rejected' ? [result.reason instanceof NeutronFault ? result.reason.name : String(result.reason)] : [])),
  };
}

for (const dialect of DIALECTS) {
  describe(`IPAM on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('twenty concurrent requests for any address of thirteen: thirteen distinct addresses, seven refused', () =>
      withStore(dialect, async (store) => {
        const { won, lost } = await race(
          Array.from({ length: 20 }, () => withIpamRetry(store, (trx) => new IpAllocator(trx).allocateAny(SUBNET, randomUUID(), 'fa:16:3e:00:00:01'))),
        );
        assert.equal(won.length, 13);
        assert.equal(new Set(won).size, 13, `duplicates among ${won.join(', ')}`);
        assert.deepEqual(lost, Array<string>(7).fill('IpAddressGenerationFailure'));
        assert.ok(won.every((address) => /^10\.9\.0\.([2-9]|1[0-4])$/.test(address)));
      }));

    test('five concurrent requests for one address: one wins, four get 409 IpAddressAlreadyAllocated', () =>
      withStore(dialect, async (store) => {
        const { won, lost } = await race(
          Array.from({ length: 5 }, () => withIpamRetry(store, (trx) => new IpAllocator(trx).allocateSpecific(SUBNET, randomUUID(), '10.9.0.7'))),
        );
        assert.deepEqual(won, ['10.9.0.7']);
        assert.deepEqual(lost, Array<string>(4).fill('IpAddressAlreadyAllocated'));
      }));

    test('an address outside the subnet or its network address is 400; a released address is given again', () =>
      withStore(dialect, async (store) => {
        const allocator = new IpAllocator(store);
        for (const address of ['10.9.1.5', '10.9.0.0', '10.9.0.15']) {
          await assert.rejects(allocator.allocateSpecific(SUBNET, randomUUID(), address), { name: 'InvalidIpForSubnet', status: 400 });
        }
        const port = randomUUID();
        assert.equal(await allocator.allocateSpecific(SUBNET, port, '10.9.0.9'), '10.9.0.9');
        await allocator.release(port);
        assert.equal(await allocator.allocateSpecific(SUBNET, randomUUID(), '10.9.0.9'), '10.9.0.9');
      }));
  });
}
