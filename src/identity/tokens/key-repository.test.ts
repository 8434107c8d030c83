import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fernetDecrypt, fernetEncrypt, parseFernetKey } from './fernet.js';
import { FernetKeyRepository } from './key-repository.js';

async function withRepository(fn: (repo: FernetKeyRepository, dir: string) => Promise<void>): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), 'nimbus-keys-'));
  try {
    const dir = join(parent, 'state', 'fernet-keys');
    await fn(new FernetKeyRepository(dir), dir);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort((a, b) => Number(a) - Number(b));
}

async function keyText(dir: string, name: string): Promise<string> {
  return readFile(join(dir, name), 'utf8');
}

describe('FernetKeyRepository', () => {
  test('setup creates a private directory with a staged and a primary key, once', () =>
    withRepository(async (repo, dir) => {
      const keys = await repo.setup();
      assert.deepEqual(await files(dir), ['0', '1']);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      for (const name of ['0', '1']) assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600);
      assert.deepEqual(keys.primary, parseFernetKey(await keyText(dir, '1')));
      assert.deepEqual(keys.decryptionKeys, [keys.primary, parseFernetKey(await keyText(dir, '0'))]);
      const before = await keyText(dir, '1');
      await new FernetKeyRepository(dir).setup();
      assert.equal(await keyText(dir, '1'), before, 'a second setup keeps existing keys');
    }));

  test('rotate promotes the staged key, stages a new one and prunes the oldest beyond the maximum', () =>
    withRepository(async (repo, dir) => {
      await repo.setup();
      const staged = await keyText(dir, '0');
      await repo.rotate();
      assert.deepEqual(await files(dir), ['0', '1', '2']);
      assert.equal(await keyText(dir, '2'), staged, 'the staged key became the primary');
      assert.notEqual(await keyText(dir, '0'), staged);
      await repo.rotate();
      assert.deepEqual(await files(dir), ['0', '2', '3'], 'key 1 pruned: at most 3 keys');
      await repo.rotate(4);
      assert.deepEqual(await files(dir), ['0', '2', '3', '4']);
      await repo.rotate(2);
      assert.deepEqual(await files(dir), ['0', '5']);
      await assert.rejects(repo.rotate(1), RangeError);
      assert.deepEqual(repo.keys.decryptionKeys.length, 2);
    }));

  test('the primary is the highest index and decryption keys run newest first, staged last', () =>
    withRepository(async (repo, dir) => {
      await repo.setup();
      await repo.rotate(5);
      await repo.rotate(5);
      const keys = repo.keys;
      const order = ['3', '2', '1', '0'];
      assert.deepEqual(keys.decryptionKeys, await Promise.all(order.map(async (name) => parseFernetKey(await keyText(dir, name)))));
      assert.equal(keys.primary, keys.decryptionKeys[0]);
    }));

  test('the staged key never encrypts, but decrypts what another node made after its own rotation', () =>
    withRepository(async (repo, dir) => {
      await repo.setup();
      const staged = parseFernetKey(await keyText(dir, '0'));
      assert.notDeepEqual(repo.keys.primary, staged);
      const fromRotatedNode = fernetEncrypt(staged, Buffer.from('x'), new Date());
      assert.deepEqual(fernetDecrypt(repo.keys.decryptionKeys, fromRotatedNode), Buffer.from('x'));
    }));

  test('reload sees a rotation made by another process; generations change at every load', () =>
    withRepository(async (repo, dir) => {
      const first = await repo.setup();
      await new FernetKeyRepository(dir).rotate();
      assert.equal(repo.keys, first, 'keys are read once, not per use');
      const reloaded = await repo.reload();
      assert.deepEqual(reloaded.primary, parseFernetKey(await keyText(dir, '2')));
      assert.ok(reloaded.generation > first.generation);
    }));

  test('watch reloads after another process rotates', () =>
    withRepository(async (repo, dir) => {
      const first = await repo.setup();
      const stop = repo.watch(5);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await new FernetKeyRepository(dir).rotate();
        // A check may land mid-rotation; what matters is that the finished rotation is seen.
        const rotatedPrimary = parseFernetKey(await keyText(dir, '2'));
        const deadline = Date.now() + 5000;
        while (repo.keys === first || !repo.keys.primary.encryptionKey.equals(rotatedPrimary.encryptionKey)) {
          assert.ok(Date.now() < deadline, 'never reloaded the finished rotation');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.deepEqual(repo.keys.primary, rotatedPrimary);
      } finally {
        stop();
      }
    }));

  test('a repository that lost its staged key mid-rotation gets a new one; broken keys are named', () =>
    withRepository(async (repo, dir) => {
      await repo.setup();
      await rm(join(dir, '0'));
      await writeFile(join(dir, '0.tmp'), 'leftover');
      await repo.setup();
      assert.deepEqual((await readdir(dir)).sort(), ['0', '1']);
      await writeFile(join(dir, '7'), 'not a key');
      await assert.rejects(repo.reload(), /fernet-keys\/7: A Fernet key must be 32 bytes/);
    }));

  test('keys are unavailable before setup', () => {
    assert.throws(() => new FernetKeyRepository('/nonexistent').keys, /setup\(\)/);
  });
});
