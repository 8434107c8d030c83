import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Turns passwords into stored hashes and checks them; never keeps or logs the clear text. */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  /** False for a wrong password and for a stored value this hasher cannot read. */
  verify(plain: string, stored: string): Promise<boolean>;
}

/** scrypt's cost: N = 2^logN iterations over 128·r·N bytes of memory, p times in parallel. */
export interface ScryptParameters {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/**
 * 2^15 × 8 → 32 MiB and ~75 ms per hash on this 2-core machine, against ~190 ms for bcrypt
 * with 12 rounds: less CPU for us, but every guess costs an attacker 32 MiB of memory
 * bandwidth, which is what makes scrypt slower than bcrypt-12 on GPUs and ASICs.
 */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds for parameters read back from storage, so a corrupted row cannot ask for gigabytes. */
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16], keyBytes: [16, 64] } as const;

/**
 * scrypt as passlib writes it (and so Keystone with `password_hash_algorithm = scrypt`):
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, salt and hash in base64 without padding. Parameters
 * travel with each hash, so raising them later leaves existing hashes verifiable. Hashing runs
 * on libuv's thread pool, off the event loop.
 */
export class ScryptPasswordHasher implements PasswordHasher {
  readonly #parameters: ScryptParameters;

  constructor(parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS) {
    if (!withinLimits(parameters)) throw new RangeError(`scrypt parameters out of range: ${JSON.stringify(parameters)}`);
    this.#parameters = parameters;
  }

  async hash(plain: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(plain, salt, KEY_BYTES, this.#parameters);
    const { logN, r, p } = this.#parameters;
    return `$scrypt$ln=${logN},r=${r},p=${p}$${unpadded(salt)}$${unpadded(key)}`;
  }

  async verify(plain: string, stored: string): Promise<boolean> {
    const parsed = parseStored(stored);
    if (parsed === undefined) return false;
    const key = await derive(plain, parsed.salt, parsed.key.length, parsed.parameters);
    return timingSafeEqual(key, parsed.key);
  }

  /** True when the stored hash uses other parameters than this hasher's: rehash it at the next login. */
  needsRehash(stored: string): boolean {
    const parsed = parseStored(stored);
    const { logN, r, p } = this.#parameters;
    return parsed === undefined || parsed.parameters.logN !== logN || parsed.parameters.r !== r || parsed.parameters.p !== p;
  }
}

interface StoredHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const STORED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseStored(stored: string): StoredHash | undefined {
  const match = STORED.exec(stored);
  if (match === null) return undefined;
  const [, logN, r, p, salt, key] = match;
  const parameters = { logN: Number(logN), r: Number(r), p: Number(p) };
  const parsed = { parameters, salt: Buffer.from(salt ?? '', 'base64'), key: Buffer.from(key ?? '', 'base64') };
  const [minKey, maxKey] = LIMITS.keyBytes;
  if (!withinLimits(parameters) || parsed.key.length < minKey || parsed.key.length > maxKey) return undefined;
  return parsed;
}

function withinLimits(parameters: ScryptParameters): boolean {
  return (['logN', 'r', 'p'] as const).every((name) => {
    const value = parameters[name];
    const [min, max] = LIMITS[name];
    return Number.isInteger(value) && value >= min && value <= max;
  });
}

function derive(plain: string, salt: Buffer, keyBytes: number, { logN, r, p }: ScryptParameters): Promise<Buffer> {
  const N = 2 ** logN;
  // Node refuses more than 32 MiB by default; scrypt needs 128·N·r bytes (plus p blocks).
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 128 * r * p };
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyBytes, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

function unpadded(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
