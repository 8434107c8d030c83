import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryRevocationStore } from './memory-revocation-store.js';
import { RevocationList, revokes, type RevocationEvent } from './revocation.js';
import type { TokenPayload } from './token-payload.js';

const issuedAt = new Date('2026-11-23T10:00:00.000Z');
const token: TokenPayload = {
  userId: 'u1',
  methods: ['password', 'token'],
  scope: { kind: 'project', projectId: 'p1' },
  issuedAt,
  expiresAt: new Date('2026-11-24T10:00:00.000Z'),
  auditIds: ['audit-self', 'audit-parent'],
};
const at = (offsetMs: number): Date => new Date(issuedAt.getTime() + offsetMs);

describe('revokes', () => {
  const cases: [string, RevocationEvent, boolean][] = [
    ['own audit id', { auditId: 'audit-self', issuedBefore: at(0) }, true],
    ['parent audit id', { auditId: 'audit-parent', issuedBefore: at(0) }, true],
    ['another audit id', { auditId: 'other', issuedBefore: at(0) }, false],
    ['issued after the event', { auditId: 'audit-self', issuedBefore: at(-1) }, false],
    ['user', { userId: 'u1', issuedBefore: at(5) }, true],
    ['other user', { userId: 'u2', issuedBefore: at(5) }, false],
    ['project', { projectId: 'p1', issuedBefore: at(5) }, true],
    ['user and project', { userId: 'u1', projectId: 'p1', issuedBefore: at(5) }, true],
    ['user on another project', { userId: 'u1', projectId: 'p2', issuedBefore: at(5) }, false],
    ['domain, on a project token', { domainId: 'd1', issuedBefore: at(5) }, false],
    ['no field: everything issued before', { issuedBefore: at(5) }, true],
    ['application credential, on a password token', { applicationCredentialId: 'c1', issuedBefore: at(5) }, false],
  ];
  for (const [name, event, expected] of cases) {
    test(name, () => assert.equal(revokes(event, token), expected));
  }

  test("an application credential's event revokes its tokens only, indexed by its id", async () => {
    const ofCredential: TokenPayload = { ...token, methods: ['application_credential'], applicationCredentialId: 'c1' };
    const ofOther: TokenPayload = { ...ofCredential, applicationCredentialId: 'c2' };
    const list = new RevocationList(new MemoryRevocationStore(), { maxTokenLifetimeSeconds: 86_400, now: () => at(10) });
    await list.add({ applicationCredentialId: 'c1', issuedBefore: at(5) });
    assert.deepEqual([list.isRevoked(ofCredential), list.isRevoked(ofOther), list.isRevoked(token)], [true, false, false]);
  });

  test('domain events match domain-scoped tokens of that domain', () => {
    const domainToken: TokenPayload = { ...token, scope: { kind: 'domain', domainId: 'd1' } };
    assert.equal(revokes({ domainId: 'd1', issuedBefore: at(0) }, domainToken), true);
    assert.equal(revokes({ domainId: 'd2', issuedBefore: at(0) }, domainToken), false);
    assert.equal(revokes({ projectId: 'p1', issuedBefore: at(0) }, domainToken), false);
  });
});

describe('RevocationList', () => {
  test('events added here apply at once; events added elsewhere after a refresh', async () => {
    const store = new MemoryRevocationStore();
    let now = at(1000);
    const list = new RevocationList(store, { maxTokenLifetimeSeconds: 3600, now: () => now });
    const other = new RevocationList(store, { maxTokenLifetimeSeconds: 3600, now: () => now });
    await list.start();
    await other.start();
    await other.stop();
    assert.equal(list.isRevoked(token), false);
    await list.add({ userId: 'u1', issuedBefore: now });
    assert.equal(list.isRevoked(token), true);
    assert.equal(other.isRevoked(token), false);
    await other.refresh();
    assert.equal(other.isRevoked(token), true);
    await other.refresh();
    assert.equal((await store.list()).length, 1);
    now = at(3600_000 + 1001);
    await other.refresh();
    assert.equal(other.isRevoked(token), false, 'events older than the longest token life are dropped');
    await list.add({ auditId: 'x', issuedBefore: now });
    assert.deepEqual(await store.list(), [{ auditId: 'x', issuedBefore: now }], 'adding prunes the store');
    await list.stop();
  });

  test('refreshes on a timer', async () => {
    const store = new MemoryRevocationStore();
    const list = new RevocationList(store, { maxTokenLifetimeSeconds: 3600, refreshIntervalMs: 5, now: () => at(10) });
    await list.start();
    await store.add({ projectId: 'p1', issuedBefore: at(10) });
    while (!list.isRevoked(token)) await new Promise((resolve) => setTimeout(resolve, 5));
    await list.stop();
  });

  // Speed is bench/identity's to measure; here, that a long list still answers right.
  test('with ten thousand events, a listed audit id revokes and an unlisted one does not', async () => {
    const store = new MemoryRevocationStore();
    const list = new RevocationList(store, { maxTokenLifetimeSeconds: 3600, now: () => at(10) });
    for (let i = 0; i < 10_000; i += 1) await store.add({ auditId: `audit-${i}`, issuedBefore: at(10) });
    await list.refresh();
    assert.equal(list.isRevoked(token), false);
    assert.equal(list.isRevoked({ ...token, auditIds: ['audit-9999'] }), true);
    assert.equal(list.isRevoked({ ...token, auditIds: ['audit-self', 'audit-4321'] }), true, 'a parent audit id in the list revokes the rescoped token');
  });
});
