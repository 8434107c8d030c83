import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable, withOpenDatabase, withTestDatabase } from '../../../../test/support/databases.js';
import { migrateToLatest } from '../../../common/db/migrator.js';
import { FernetKeyRepository } from '../key-repository.js';
import { RevocationList } from '../revocation.js';
import { TokenNotFound, TokenProvider } from '../token-provider.js';
import { DbRevocationStore } from './db-revocation-store.js';
import { tokenMigrations } from './migrations/index.js';

const at = (iso: string): Date => new Date(iso);

for (const dialect of DIALECTS) {
  describe(`DbRevocationStore on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('stores events exactly, lists them by issued_before and prunes old ones', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (db) => {
          await migrateToLatest(db, tokenMigrations);
          const store = new DbRevocationStore(db);
          const old = { userId: 'u1', issuedBefore: at('2026-11-22T10:00:00.001Z') };
          const full = {
            auditId: 'AAAAAAAAAAAAAAAAAAAAAA',
            userId: 'u2',
            projectId: 'p',
            domainId: 'default',
            issuedBefore: at('2026-11-23T10:00:00.123Z'),
          };
          const credential = { applicationCredentialId: 'c0ffee', issuedBefore: at('2026-11-23T10:00:00.124Z') };
          await store.add(old);
          await store.add(full);
          await store.add(credential);
          assert.deepEqual(await store.list(), [old, full, credential]);
          assert.deepEqual(await store.list(at('2026-11-23T10:00:00.123Z')), [full, credential]);
          await store.prune(at('2026-11-23T00:00:00.000Z'));
          assert.deepEqual(await store.list(), [full, credential]);
        }),
      ));

    test('a revocation in one process reaches another through the database', () =>
      withTestDatabase(dialect, (url) =>
        withOpenDatabase(url, async (dbA) => {
          await migrateToLatest(dbA, tokenMigrations);
          await withOpenDatabase(url, async (dbB) => {
            const keyDir = await mkdtemp(join(tmpdir(), 'nimbus-keys-'));
            const listA = new RevocationList(new DbRevocationStore(dbA), { maxTokenLifetimeSeconds: 86_400, refreshIntervalMs: 10 });
            const listB = new RevocationList(new DbRevocationStore(dbB), { maxTokenLifetimeSeconds: 86_400, refreshIntervalMs: 10 });
            try {
              const keys = new FernetKeyRepository(keyDir);
              await keys.setup();
              await listA.start();
              await listB.start();
              const providerA = new TokenProvider({ keys, revocations: listA });
              const providerB = new TokenProvider({ keys, revocations: listB });
              const scope = { kind: 'project', projectId: randomBytes(16).toString('hex') } as const;
              const { token, payload } = providerA.issue({ userId: randomBytes(16).toString('hex'), methods: ['password'], scope });
              assert.deepEqual(providerB.validate(token), payload);
              await providerB.revokeToken(payload);
              assert.throws(() => providerB.validate(token), TokenNotFound, 'at once in the revoking process');
              const deadline = Date.now() + 5000;
              while (!isRevoked(providerA, token)) {
                assert.ok(Date.now() < deadline, 'the other process never saw the revocation');
                await new Promise((resolve) => setTimeout(resolve, 10));
              }
            } finally {
              await listA.stop();
              await listB.stop();
              await rm(keyDir, { recursive: true, force: true });
            }
          });
        }),
      ));
  });
}

function isRevoked(provider: TokenProvider, token: string): boolean {
  try {
    provider.validate(token);
    return false;
  } catch (error) {
    return error instanceof TokenNotFound && error.reason === 'revoked';
  }
}
