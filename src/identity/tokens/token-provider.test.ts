import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fernetDecrypt } from './fernet.js';
import { FernetKeyRepository } from './key-repository.js';
import { MemoryRevocationStore } from './memory-revocation-store.js';
import { RevocationList } from './revocation.js';
import { TokenNotFound, TokenProvider, type TokenProviderOptions } from './token-provider.js';
import type { TokenScope } from './token-payload.js';

interface Fixture {
  readonly provider: TokenProvider;
  readonly repo: FernetKeyRepository;
  readonly clock: { now: () => Date; advance: (ms: number) => void };
  readonly revocations: RevocationList;
}

async function withProvider(fn: (fixture: Fixture) => Promise<void>, options: Partial<TokenProviderOptions> = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-tokens-'));
  try {
    const repo = new FernetKeyRepository(join(dir, 'fernet-keys'));
    await repo.setup();
    let current = new Date('2026-11-23T10:00:00.250Z').getTime();
    const clock = { now: () => new Date(current), advance: (ms: number) => void (current += ms) };
    const revocations = new RevocationList(new MemoryRevocationStore(), { maxTokenLifetimeSeconds: 86_400, now: clock.now });
    await revocations.start();
    try {
      const provider = new TokenProvider({ keys: repo, revocations, now: clock.now, ...options });
      await fn({ provider, repo, clock, revocations });
    } finally {
      await revocations.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const newId = (): string => randomBytes(16).toString('hex');
const userId = newId();
const projectId = newId();
const projectScope: TokenScope = { kind: 'project', projectId };

/** The reason the provider refuses the token, or 'accepted'. */
function outcome(provider: TokenProvider, token: string): string {
  try {
    provider.validate(token);
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof TokenNotFound, String(error));
    assert.equal(error.status, 404);
    return error.reason;
  }
}

describe('TokenProvider', () => {
  test('issues a token that validates to its payload, with Keystone-shaped audit ids and a 24 h life', () =>
    withProvider(async ({ provider, repo, clock }) => {
      const { token, payload } = provider.issue({ userId, methods: ['password'], scope: projectScope });
      assert.deepEqual(payload.issuedAt, clock.now());
      assert.equal(payload.expiresAt.getTime() - payload.issuedAt.getTime(), 86_400_000);
      assert.match(payload.auditIds[0], /^[A-Za-z0-9_-]{22}$/);
      assert.equal(payload.auditIds.length, 1);
      assert.deepEqual(provider.validate(token), payload);
      const otherKeys = new FernetKeyRepository(repo.directory);
      await otherKeys.setup();
      const other = new TokenProvider({
        keys: otherKeys,
        revocations: new RevocationList(new MemoryRevocationStore(), { maxTokenLifetimeSeconds: 86_400 }),
        now: clock.now,
      });
      assert.deepEqual(other.validate(token), payload, 'another process needs only the keys');
    }));

  test('domain-scoped and unscoped tokens round-trip', () =>
    withProvider(async ({ provider }) => {
      for (const scope of [{ kind: 'domain', domainId: 'default' }, { kind: 'unscoped' }] as const) {
        const { token, payload } = provider.issue({ userId, methods: ['password'], scope });
        assert.deepEqual(provider.validate(token).scope, scope);
        assert.deepEqual(provider.validate(token), payload);
      }
    }));

  test('tokens stay short', (t) =>
    withProvider(async ({ provider }) => {
      const project = provider.issue({ userId, methods: ['password'], scope: projectScope });
      const rescoped = provider.issue({ userId, methods: ['token'], scope: projectScope, parent: project.payload });
      const domain = provider.issue({ userId, methods: ['password'], scope: { kind: 'domain', domainId: 'default' } });
      t.diagnostic(`token length: project ${project.token.length}, rescoped ${rescoped.token.length}, domain ${domain.token.length}`);
      assert.ok(project.token.length <= 164, String(project.token.length));
      assert.ok(rescoped.token.length <= 184, String(rescoped.token.length));
      assert.ok(domain.token.length <= 164, String(domain.token.length));
    }));

  test('a token changed anywhere is invalid', () =>
    withProvider(async ({ provider }) => {
      const { token } = provider.issue({ userId, methods: ['password'], scope: projectScope });
      provider.validate(token);
      for (let i = 0; i < token.length; i += 1) {
        const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
        assert.equal(outcome(provider, changed), 'invalid', `position ${i}`);
      }
      for (const garbage of ['', 'garbage', token.slice(0, -1), token + 'A']) assert.equal(outcome(provider, garbage), 'invalid');
    }));

  test('only the primary encrypts: the staged key alone cannot read a new token', () =>
    withProvider(async ({ provider, repo }) => {
      const { token } = provider.issue({ userId, methods: ['password'], scope: projectScope });
      const [primary, staged] = repo.keys.decryptionKeys;
      assert.ok(primary && staged);
      assert.ok(fernetDecrypt([primary], token).length > 0);
      assert.throws(() => fernetDecrypt([staged], token));
    }));

  test('a token survives one rotation and dies when its key is pruned, even if cached', () =>
    withProvider(async ({ provider, repo }) => {
      const { token } = provider.issue({ userId, methods: ['password'], scope: projectScope });
      provider.validate(token);
      await repo.rotate();
      assert.equal(outcome(provider, token), 'accepted', 'its key is now a secondary');
      const newer = provider.issue({ userId, methods: ['password'], scope: projectScope }).token;
      await repo.rotate();
      assert.equal(outcome(provider, token), 'invalid', 'its key was pruned');
      assert.equal(outcome(provider, newer), 'accepted');
    }));

  test('tokens expire at expires_at, cached or not, with a configurable lifetime', () =>
    withProvider(
      async ({ provider, clock }) => {
        const { token, payload } = provider.issue({ userId, methods: ['password'], scope: projectScope });
        assert.equal(payload.expiresAt.getTime() - payload.issuedAt.getTime(), 60_000);
        clock.advance(59_999);
        assert.equal(outcome(provider, token), 'accepted');
        clock.advance(1);
        assert.equal(outcome(provider, token), 'expired');
        assert.equal(outcome(provider, token), 'expired');
      },
      { lifetimeSeconds: 60 },
    ));

  test('a rescoped token keeps the user, the audit chain and the original expiry', () =>
    withProvider(async ({ provider, clock }) => {
      const original = provider.issue({ userId, methods: ['password'], scope: { kind: 'unscoped' } });
      clock.advance(60_000);
      const rescoped = provider.issue({ userId, methods: ['token'], scope: projectScope, parent: original.payload });
      assert.deepEqual(rescoped.payload.methods, ['password', 'token']);
      assert.deepEqual(rescoped.payload.expiresAt, original.payload.expiresAt);
      assert.deepEqual(rescoped.payload.issuedAt, clock.now());
      assert.equal(rescoped.payload.auditIds[1], original.payload.auditIds[0]);
      assert.notEqual(rescoped.payload.auditIds[0], original.payload.auditIds[0]);
      const again = provider.issue({ userId, methods: ['token'], scope: { kind: 'domain', domainId: 'default' }, parent: rescoped.payload });
      assert.equal(again.payload.auditIds[1], original.payload.auditIds[0], 'the chain keeps its first audit id');
      assert.deepEqual(provider.validate(again.token), again.payload);
      assert.throws(
        () => provider.issue({ userId: newId(), methods: ['token'], scope: projectScope, parent: original.payload }),
        /user of the token/,
      );
    }));

  test('revoking a token revokes it and the tokens rescoped from it, nothing else', () =>
    withProvider(async ({ provider, clock }) => {
      const original = provider.issue({ userId, methods: ['password'], scope: projectScope });
      const child = provider.issue({ userId, methods: ['token'], scope: projectScope, parent: original.payload });
      const sibling = provider.issue({ userId, methods: ['password'], scope: projectScope });
      provider.validate(original.token);
      await provider.revokeToken(original.payload);
      assert.equal(outcome(provider, original.token), 'revoked');
      assert.equal(outcome(provider, child.token), 'revoked');
      assert.equal(outcome(provider, sibling.token), 'accepted');
      const grandchild = provider.issue({ userId, methods: ['token'], scope: projectScope, parent: sibling.payload });
      await provider.revokeToken(grandchild.payload);
      assert.equal(outcome(provider, sibling.token), 'accepted', 'revoking a rescoped token leaves its parent');
      clock.advance(1);
      assert.equal(outcome(provider, provider.issue({ userId, methods: ['password'], scope: projectScope }).token), 'accepted');
    }));

  test('revoking by user, project, or user on a project hits the tokens issued until then', () =>
    withProvider(async ({ provider, clock }) => {
      const otherUser = newId();
      const otherProject: TokenScope = { kind: 'project', projectId: newId() };
      const issue = (user: string, scope: TokenScope): string => provider.issue({ userId: user, methods: ['password'], scope }).token;
      const mine = issue(userId, projectScope);
      const mineElsewhere = issue(userId, otherProject);
      const theirs = issue(otherUser, projectScope);
      const theirsElsewhere = issue(otherUser, otherProject);

      await provider.revoke({ userId, projectId });
      assert.deepEqual([mine, mineElsewhere, theirs, theirsElsewhere].map((t) => outcome(provider, t)), [
        'revoked', 'accepted', 'accepted', 'accepted',
      ]);
      await provider.revoke({ projectId });
      assert.equal(outcome(provider, theirs), 'revoked');
      assert.equal(outcome(provider, theirsElsewhere), 'accepted');
      await provider.revoke({ userId: otherUser });
      assert.equal(outcome(provider, theirsElsewhere), 'revoked');
      assert.equal(outcome(provider, mineElsewhere), 'accepted');
      clock.advance(1);
      assert.equal(outcome(provider, issue(otherUser, otherProject)), 'accepted', 'later tokens are unaffected');
    }));

  test('validation hits the cache, which stays bounded', (t) =>
    withProvider(
      async ({ provider }) => {
        const tokens = Array.from({ length: 3 }, () => provider.issue({ userId, methods: ['password'], scope: projectScope }).token);
        for (const token of tokens) assert.equal(outcome(provider, token), 'accepted');
        const [token, second, third] = tokens;
        assert.ok(token && second && third);
        // A hit hands back the payload decoded before; a miss decodes a new one.
        const decoded = provider.validate(token);
        assert.equal(provider.validate(token), decoded, 'a repeated validation is answered from the cache');
        provider.validate(second);
        provider.validate(third);
        assert.notEqual(provider.validate(token), decoded, 'with room for two, the least recently validated token was dropped');
        // Speed is bench/identity's to measure; the figures here only inform.
        const rounds = 20_000;
        let started = process.hrtime.bigint();
        for (let i = 0; i < rounds; i += 1) provider.validate(token);
        const hitUs = Number(process.hrtime.bigint() - started) / 1e3 / rounds;
        started = process.hrtime.bigint();
        for (let i = 0; i < 2_000; i += 1) provider.validate(tokens[i % 3] ?? token);
        const missUs = Number(process.hrtime.bigint() - started) / 1e3 / 2_000;
        started = process.hrtime.bigint();
        for (let i = 0; i < 2_000; i += 1) provider.issue({ userId, methods: ['password'], scope: projectScope });
        const issueUs = Number(process.hrtime.bigint() - started) / 1e3 / 2_000;
        t.diagnostic(`validate ${hitUs.toFixed(2)} µs cached, ${missUs.toFixed(2)} µs uncached; issue ${issueUs.toFixed(2)} µs`);
      },
      { cacheSize: 2 },
    ));
});
