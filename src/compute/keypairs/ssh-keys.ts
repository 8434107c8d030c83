import { createHash, generateKeyPairSync } from 'node:crypto';

/** Fields after the type name in each public key format (RFC 4253 §6.6, RFC 5656, RFC 8709). */
const KEY_FIELDS: Readonly<Record<string, number>> = {
  'ssh-rsa': 2,
  'ssh-dss': 4,
  'ssh-ed25519': 1,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'sk-ssh-ed25519@openssh.com': 2,
  'sk-ecdsa-sha2-nistp256@openssh.com': 3,
};

/** Reads `count` length-prefixed strings from `blob` at `offset`; undefined when it does not hold exactly them. */
function readStrings(blob: Buffer, count: number): Buffer[] | undefined {
  const strings: Buffer[] = [];
  let offset = 0;
  for (let index = 0; index < count; index++) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    offset += 4;
    if (offset + length > blob.length) return undefined;
    strings.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  return offset === blob.length ? strings : undefined;
}

/**
 * The key blob of an OpenSSH public key line (`ssh-rsa AAAA… comment`), or undefined when the
 * line is not a well-formed key of a known type: the type word must match the type inside the
 * blob and the blob must hold exactly that type's fields.
 */
export function parseOpenSshPublicKey(line: string): Buffer | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (type === undefined || data === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const fields = KEY_FIELDS[type];
  if (fields === undefined) return undefined;
  const blob = Buffer.from(data, 'base64');
  const strings = readStrings(blob, fields + 1);
  if (strings === undefined || strings[0]?.toString('latin1') !== type) return undefined;
  return blob;
}

/** Nova's fingerprint of an SSH key: the MD5 of its blob, as colon-separated hex pairs. */
export function sshFingerprint(blob: Buffer): string {
  const hex = createHash('md5').update(blob).digest('hex');
  return hex.match(/../g)?.join(':') ?? '';
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An unsigned big-endian integer as an SSH mpint: a leading zero byte when the high bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  const first = unsigned[0] ?? 0;
  return sshString(first & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

export interface GeneratedKeyPair {
  /** OpenSSH public key line, commented `Generated-by-Nova` as Nova's are (scripts grep for it). */
  readonly publicKey: string;
  /** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the form paramiko writes for Nova. */
  readonly privateKey: string;
  readonly fingerprint: string;
}

/** A new 2048-bit RSA key pair, as Nova generates at microversions before 2.92. */
export function generateRsaKeyPair(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.n === undefined || jwk.e === undefined) throw new Error('RSA public key without modulus or exponent');
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(Buffer.from(jwk.e, 'base64url')),
    sshMpint(Buffer.from(jwk.n, 'base64url')),
  ]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: sshFingerprint(blob),
  };
}
