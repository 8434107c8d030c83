import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SCRYPT_PARAMETERS, ScryptPasswordHasher } from './password-hasher.js';

/** Cheap parameters keep the tests quick; the default cost is measured once below. */
const fast = new ScryptPasswordHasher({ logN: 10, r: 8, p: 1 });

describe('ScryptPasswordHasher', () => {
  test('a hash is self-describing, salted, and verifies only its password', async () => {
    const stored = await fast.hash('correct horse');
    assert.match(stored, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(await fast.hash('correct horse'), stored, 'a fresh salt each time');
    assert.equal(await fast.verify('correct horse', stored), true);
    assert.equal(await fast.verify('correct horsE', stored), false);
    assert.equal(await fast.verify('', stored), false);
    assert.ok(!stored.includes('correct'));
  });

  test('hashes written with other parameters still verify, and ask to be rehashed', async () => {
    const old = await new ScryptPasswordHasher({ logN: 11, r: 4, p: 2 }).hash('pw');
    assert.equal(await fast.verify('pw', old), true);
    assert.equal(fast.needsRehash(old), true);
    assert.equal(fast.needsRehash(await fast.hash('pw')), false);
  });

  test("verifies passlib's scrypt hashes (Keystone's password_hash_algorithm = scrypt)", async () => {
    const fromPasslib = '$scrypt$ln=15,r=8,p=1$ntO6FwJAqHWutVaqFUKodQ$lhFglTWXIhDoogeiTEB1otnbTrpwpU9o42dS4udtNwg';
    assert.equal(await fast.verify('correct horse ü', fromPasslib), true);
    assert.equal(await fast.verify('correct horse u', fromPasslib), false);
  });

  test('unreadable or out-of-bounds stored values never verify', async () => {
    const good = await fast.hash('pw');
    for (const stored of [
      '',
      'pw',
      '$2b$12$abcdefghijklmnopqrstuuJ3Tz3bGd0q5a0TWfA9NwQ2Q7pV6bFy2',
      good.replace('ln=10', 'ln=30'),
      good.replace('ln=10', 'ln=ab'),
      good.slice(0, -30),
    ]) {
      assert.equal(await fast.verify('pw', stored), false, stored);
      assert.equal(fast.needsRehash(stored), true);
    }
    assert.throws(() => new ScryptPasswordHasher({ logN: 4, r: 8, p: 1 }), RangeError);
  });

  test('the default cost is reported, and hashing leaves the event loop free', async (t) => {
    const hasher = new ScryptPasswordHasher();
    const stored = await hasher.hash('pw');
    assert.ok(stored.startsWith(`$scrypt$ln=${DEFAULT_SCRYPT_PARAMETERS.logN},r=8,p=1$`));
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 1);
    const started = process.hrtime.bigint();
    assert.equal(await hasher.verify('pw', stored), true);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(ticker);
    t.diagnostic(`scrypt ln=${DEFAULT_SCRYPT_PARAMETERS.logN} r=8 p=1 verify: ${ms.toFixed(1)} ms`);
    assert.ok(ticks > 0, 'timers ran while scrypt worked');
  });
});
