import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fernetDecrypt, fernetEncrypt, generateFernetKey, InvalidFernetToken, parseFernetKey } from './fernet.js';

const issuedAt = new Date('2026-11-23T10:00:00.500Z');

describe('Fernet', () => {
  test('a token decrypts to its plaintext and has the spec layout', () => {
    const key = parseFernetKey(generateFernetKey());
    const plaintext = Buffer.from('hello, keystone');
    const token = fernetEncrypt(key, plaintext, issuedAt);
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
    const raw = Buffer.from(token, 'base64url');
    assert.equal(raw[0], 0x80);
    assert.equal(raw.readBigUInt64BE(1), BigInt(Math.floor(issuedAt.getTime() / 1000)));
    assert.equal(raw.length, 1 + 8 + 16 + 16 + 32);
    assert.deepEqual(fernetDecrypt([key], token), plaintext);
  });

  test('keys are written as Keystone writes them and read with or without padding', () => {
    const text = generateFernetKey();
    assert.equal(text.length, 44);
    assert.ok(text.endsWith('='));
    const key = parseFernetKey(`${text}\n`);
    assert.deepEqual(parseFernetKey(text.replace(/=$/, '')), key);
    assert.throws(() => parseFernetKey('too-short'), /32 bytes/);
    assert.throws(() => parseFernetKey('!'.repeat(44)), /32 bytes/);
  });

  test('decryption tries every key and succeeds with the one that signed', () => {
    const [a, b, c] = [0, 1, 2].map(() => parseFernetKey(generateFernetKey()));
    assert.ok(a && b && c);
    const token = fernetEncrypt(b, Buffer.from('x'), issuedAt);
    assert.deepEqual(fernetDecrypt([a, b, c], token), Buffer.from('x'));
    assert.throws(() => fernetDecrypt([a, c], token), InvalidFernetToken);
    assert.throws(() => fernetDecrypt([], token), InvalidFernetToken);
  });

  test('flipping any bit of any byte is rejected', () => {
    const key = parseFernetKey(generateFernetKey());
    const raw = Buffer.from(fernetEncrypt(key, Buffer.from('payload bytes'), issuedAt), 'base64url');
    for (let byte = 0; byte < raw.length; byte += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const tampered = Buffer.from(raw);
        tampered[byte] = (tampered[byte] ?? 0) ^ (1 << bit);
        assert.throws(() => fernetDecrypt([key], tampered.toString('base64url')), InvalidFernetToken, `byte ${byte} bit ${bit}`);
      }
    }
  });

  test('any change to the text is rejected, including spare bits of the last character', () => {
    const key = parseFernetKey(generateFernetKey());
    const token = fernetEncrypt(key, Buffer.from('payload'), issuedAt);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i += 1) {
      for (const char of alphabet) {
        if (char === token[i]) continue;
        const changed = token.slice(0, i) + char + token.slice(i + 1);
        assert.throws(() => fernetDecrypt([key], changed), InvalidFernetToken);
      }
    }
  });

  test('garbage is rejected with a typed error', () => {
    const key = parseFernetKey(generateFernetKey());
    for (const garbage of ['', 'abc', 'not a token!', 'gAAAAA', 'A'.repeat(200), Buffer.alloc(89).toString('base64url')]) {
      assert.throws(() => fernetDecrypt([key], garbage), InvalidFernetToken, garbage);
    }
  });
});
