import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The Fernet token format (github.com/fernet/spec), as Python's `cryptography` writes it and
 * Keystone uses it: version 0x80 ‖ 64-bit big-endian timestamp (seconds) ‖ 128-bit IV ‖
 * AES-128-CBC ciphertext (PKCS7) ‖ HMAC-SHA256 over everything before it. Keystone then strips
 * the base64url '=' padding so tokens fit in headers and URLs unescaped; so does this module.
 */

const VERSION = 0x80;
const HEADER_BYTES = 1 + 8 + 16;
const HMAC_BYTES = 32;
const BLOCK_BYTES = 16;
const KEY_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A Fernet key: 32 bytes, the first half signs (HMAC-SHA256), the second encrypts (AES-128). */
export interface FernetKey {
  readonly signingKey: Buffer;
  readonly encryptionKey: Buffer;
}

/** The token is not a Fernet token made with any of the keys: garbled, tampered or from a pruned key. */
export class InvalidFernetToken extends Error {
  constructor(reason: string) {
    super(`Invalid Fernet token: ${reason}`);
    this.name = 'InvalidFernetToken';
  }
}

/** A new key in the file format Keystone's repository uses: base64url of 32 random bytes, padded. */
export function generateFernetKey(): string {
  return randomBytes(KEY_BYTES).toString('base64url') + '=';
}

/** Reads a key as written in a key file (padding and surrounding whitespace optional). */
export function parseFernetKey(text: string): FernetKey {
  const trimmed = text.trim().replace(/=+$/, '');
  const raw = BASE64URL.test(trimmed) ? Buffer.from(trimmed, 'base64url') : Buffer.alloc(0);
  if (raw.length !== KEY_BYTES) throw new Error('A Fernet key must be 32 bytes, base64url-encoded');
  return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16) };
}

/** Encrypts and signs `plaintext` with `key`; the token carries `issuedAt` in whole seconds. */
export function fernetEncrypt(key: FernetKey, plaintext: Uint8Array, issuedAt: Date): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key.encryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(VERSION, 0);
  header.writeBigUInt64BE(BigInt(Math.floor(issuedAt.getTime() / 1000)), 1);
  iv.copy(header, 9);
  const signed = Buffer.concat([header, ciphertext]);
  const mac = createHmac('sha256', key.signingKey).update(signed).digest();
  return Buffer.concat([signed, mac]).toString('base64url');
}

/**
 * Verifies and decrypts a token with the first key whose signature matches (the primary comes
 * first, so current tokens cost one HMAC). Throws InvalidFernetToken otherwise.
 */
export function fernetDecrypt(keys: readonly FernetKey[], token: string): Buffer {
  const raw = decodeToken(token);
  const signed = raw.subarray(0, raw.length - HMAC_BYTES);
  const mac = raw.subarray(raw.length - HMAC_BYTES);
  for (const key of keys) {
    const expected = createHmac('sha256', key.signingKey).update(signed).digest();
    if (!timingSafeEqual(expected, mac)) continue;
    const decipher = createDecipheriv('aes-128-cbc', key.encryptionKey, signed.subarray(9, HEADER_BYTES));
    try {
      return Buffer.concat([decipher.update(signed.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      // Only reachable with a valid signature over bad padding, i.e. a key misused elsewhere.
      throw new InvalidFernetToken('bad padding');
    }
  }
  throw new InvalidFernetToken('no key verifies its signature');
}

function decodeToken(token: string): Buffer {
  const trimmed = token.replace(/=+$/, '');
  if (!BASE64URL.test(trimmed)) throw new InvalidFernetToken('not base64url');
  const raw = Buffer.from(trimmed, 'base64url');
  // Non-canonical spellings (spare low bits set in the last character) would decode to the
  // same bytes; rejecting them means any change to the text is a different, invalid token.
  if (raw.toString('base64url') !== trimmed) throw new InvalidFernetToken('not canonical base64url');
  const ciphertextBytes = raw.length - HEADER_BYTES - HMAC_BYTES;
  if (ciphertextBytes < BLOCK_BYTES || ciphertextBytes % BLOCK_BYTES !== 0) throw new InvalidFernetToken('bad length');
  if (raw[0] !== VERSION) throw new InvalidFernetToken('unknown version');
  return raw;
}
