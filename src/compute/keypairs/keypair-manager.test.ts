import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { DIALECTS, unavailable } from '../../../test/support/databases.js';
import { withComputeDb } from '../db/testing/compute-db.js';
import { KeyPairManager } from './keypair-manager.js';
import { parseOpenSshPublicKey, sshFingerprint } from './ssh-keys.js';
import { KeyPairStore } from '../db/keypair-store.js';

const ALICE = { userId: 'alice', projectId: 'p' };
const BOB = { userId: 'bob', projectId: 'p' };
// ssh-keygen -t ed25519 -C test; fingerprint from `ssh-keygen -l -E md5`.
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc test';

describe('ssh keys', () => {
  test('parse, reject and fingerprint OpenSSH public keys', () => {
    const blob = parseOpenSshPublicKey(ED25519);
    assert.ok(blob);
    assert.match(sshFingerprint(blob), /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.equal(parseOpenSshPublicKey('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIHa8WJ1PVJSfBJ/qkA7BGUmd1yEp7+h/A6E0glWrT8Lc'), undefined, 'type word must match the blob');
    assert.equal(parseOpenSshPublicKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHa8'), undefined, 'truncated blob');
    assert.equal(parseOpenSshPublicKey('not a key'), undefined);
    assert.equal(parseOpenSshPublicKey(''), undefined);
  });
});

for (const dialect of DIALECTS) {
  describe(`key pair manager on ${dialect}`, { skip: await unavailable(dialect) }, () => {
    test('generate: RSA OpenSSH public key, PKCS#1 private key returned once, MD5 fingerprint', () =>
      withComputeDb(dialect, async (db) => {
        const keypairs = new KeyPairManager(new KeyPairStore(db), () => Promise.resolve(100));
        const created = await keypairs.create(ALICE, 'k1');
        assert.match(created.public_key, /^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
        assert.match(created.private_key ?? '', /^-----BEGIN RSA PRIVATE KEY-----\n/);
        const fromPrivate = createPublicKey(createPrivateKey(created.private_key ?? '')).export({ format: 'jwk' });
        const blob = parseOpenSshPublicKey(created.public_key);
        assert.ok(blob);
        assert.equal(created.fingerprint, sshFingerprint(blob));
        assert.ok(blob.includes(Buffer.from(fromPrivate.n ?? '', 'base64url')), 'the public key is the private key\'s');
        const { private_key: privateKey, ...stored } = created;
        assert.ok(privateKey);
        assert.equal(typeof stored.id, 'number');
        assert.deepEqual(await keypairs.get('alice', 'k1'), stored, 'the private key is not kept');
      }));

    test('import, per-user names, duplicates 409, bad keys 400, delete, quota 403', () =>
      withComputeDb(dialect, async (db) => {
        const keypairs = new KeyPairManager(new KeyPairStore(db), () => Promise.resolve(2));
        const imported = await keypairs.create(ALICE, 'mine', ED25519);
        assert.equal(imported.public_key, ED25519);
        assert.equal(imported.private_key, undefined);
        await keypairs.create(BOB, 'mine', ED25519);
        await assert.rejects(keypairs.create(ALICE, 'mine', ED25519), { status: 409, message: "Key pair 'mine' already exists." });
        await assert.rejects(keypairs.create(ALICE, 'bad', 'ssh-rsa nope'), { status: 400, message: 'Keypair data is invalid: failed to generate fingerprint' });
        await keypairs.create(ALICE, 'second', ED25519);
        await assert.rejects(keypairs.create(ALICE, 'third', ED25519), { status: 403, message: 'Quota exceeded, too many key pairs.' });
        assert.deepEqual((await keypairs.list('alice')).map((k) => k.name), ['mine', 'second']);
        await keypairs.delete('alice', 'mine');
        await assert.rejects(keypairs.delete('alice', 'mine'), { status: 404, message: 'Keypair mine not found for user alice' });
        await assert.rejects(keypairs.get('alice', 'mine'), { status: 404 });
        assert.equal((await keypairs.get('bob', 'mine')).user_id, 'bob');
      }));
  });
}
