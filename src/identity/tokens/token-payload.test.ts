import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeTokenPayload, encodeTokenPayload, InvalidTokenPayload, type TokenPayload } from './token-payload.js';

const hexId = (): string => randomBytes(16).toString('hex');
const auditId = (): string => randomBytes(16).toString('base64url');

const base: TokenPayload = {
  userId: hexId(),
  methods: ['password'],
  scope: { kind: 'project', projectId: hexId() },
  issuedAt: new Date('2026-11-23T10:00:00.123Z'),
  expiresAt: new Date('2026-11-24T10:00:00.123Z'),
  auditIds: [auditId()],
};

describe('token payload codec', () => {
  const cases: Record<string, TokenPayload> = {
    'project scope': base,
    'domain scope on the Default domain': { ...base, scope: { kind: 'domain', domainId: 'default' } },
    unscoped: { ...base, scope: { kind: 'unscoped' } },
    'rescoped, two methods, parent audit id': { ...base, methods: ['password', 'token'], auditIds: [auditId(), auditId()] },
    'other id shapes': { ...base, userId: randomUUID(), scope: { kind: 'project', projectId: 'project-ü-名前' }, auditIds: ['short'] },
    'an upper-case hex id stays as written': { ...base, userId: hexId().toUpperCase() },
    'zero lifetime': { ...base, expiresAt: base.issuedAt },
    'a lifetime of years': { ...base, expiresAt: new Date('2036-01-01T00:00:00.001Z') },
    'an application credential': { ...base, methods: ['application_credential'], applicationCredentialId: hexId() },
    'an application credential with a text id': { ...base, methods: ['application_credential'], applicationCredentialId: 'cred-1' },
    'system scope': { ...base, scope: { kind: 'system' } },
    'a trust': { ...base, trustId: hexId() },
    'a trust with a text id, and an application credential': { ...base, trustId: 'trust-1', applicationCredentialId: hexId() },
  };
  for (const [name, payload] of Object.entries(cases)) {
    test(`round trip: ${name}`, () => {
      assert.deepEqual(decodeTokenPayload(encodeTokenPayload(payload)), payload);
    });
  }

  test('a typical project token payload fits in 63 bytes (four AES blocks after padding)', () => {
    assert.ok(encodeTokenPayload(base).length <= 63, String(encodeTokenPayload(base).length));
  });

  test('an application credential token adds its 16-byte id and nothing else', () => {
    const withCred = encodeTokenPayload({ ...base, methods: ['application_credential'], applicationCredentialId: hexId() });
    assert.equal(withCred.length, encodeTokenPayload(base).length + 16);
  });

  test('truncated, extended or unknown-version bytes are rejected', () => {
    const bytes = encodeTokenPayload(base);
    for (let length = 0; length < bytes.length; length += 1) {
      assert.throws(() => decodeTokenPayload(bytes.subarray(0, length)), InvalidTokenPayload, `length ${length}`);
    }
    assert.throws(() => decodeTokenPayload(Buffer.concat([bytes, Buffer.from([0])])), InvalidTokenPayload);
    const otherVersion = Buffer.from(bytes);
    otherVersion[0] = 2;
    assert.throws(() => decodeTokenPayload(otherVersion), /unknown version/);
    const noMethods = Buffer.from(bytes);
    noMethods[1] = 0;
    assert.throws(() => decodeTokenPayload(noMethods), /bad methods/);
    const textTrustWithoutTrust = Buffer.from(bytes);
    textTrustWithoutTrust[2] = (textTrustWithoutTrust[2] ?? 0) | 0b1000_0000;
    assert.throws(() => decodeTokenPayload(textTrustWithoutTrust), /bad flags/);
    const encodingWithoutCred = Buffer.from(bytes);
    encodingWithoutCred[2] = (encodingWithoutCred[2] ?? 0) | 0b1_0000;
    assert.throws(() => decodeTokenPayload(encodingWithoutCred), /bad flags/);
  });

  test('payloads that cannot be encoded are refused', () => {
    assert.throws(() => encodeTokenPayload({ ...base, methods: [] }), /at least one/);
    assert.throws(() => encodeTokenPayload({ ...base, expiresAt: new Date(base.issuedAt.getTime() - 1) }), /before/);
    assert.throws(() => encodeTokenPayload({ ...base, userId: 'x'.repeat(256) }), /255 bytes/);
  });
});
