import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { KeyPairRow, KeyPairStore } from '../db/keypair-store.js';
import type { CreatedKeyPair, KeyPair, KeyPairType } from './keypair.js';
import { generateRsaKeyPair, parseOpenSshPublicKey, sshFingerprint } from './ssh-keys.js';
import { generateX509KeyPair, x509Fingerprint } from './x509-keys.js';

/** Whose key pair: the owner, and the project whose key_pairs quota counts it. */
export interface KeyPairOwner {
  readonly userId: string;
  readonly projectId: string;
}

/** The key_pairs limit of a project (-1: unlimited); the quota manager answers it. */
export type KeyPairLimit = (projectId: string) => Promise<number>;

function keyPairNotFound(name: string, userId: string): NotFound {
  return new NotFound(`Keypair ${name} not found for user ${userId}`);
}

/** Key pairs per user (Nova's compute/api.py KeypairAPI): generate or import, list, show, delete. */
export class KeyPairManager {
  constructor(
    private readonly store: KeyPairStore,
    private readonly limitFor: KeyPairLimit,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** By name; a page after `marker` (a key pair name, 400 when the user has none of it) of at most `limit`. */
  async list(userId: string, page: { readonly limit?: number; readonly marker?: string } = {}): Promise<KeyPair[]> {
    return (await this.store.list(userId, page)).map(toKeyPair);
  }

  async get(userId: string, name: string): Promise<KeyPair> {
    const row = await this.store.get(userId, name);
    if (row === undefined) throw keyPairNotFound(name, userId);
    return toKeyPair(row);
  }

  /**
   * Imports `publicKey` (an OpenSSH line, or a PEM certificate for x509; 400 when it is not one),
   * or generates a pair when none is given (RSA for ssh, a WinRM client certificate for x509).
   */
  async create(owner: KeyPairOwner, name: string, publicKey?: string, type: KeyPairType = 'ssh'): Promise<CreatedKeyPair> {
    await this.#checkQuota(owner);
    const material = publicKey === undefined ? await generate(type, owner.userId) : imported(type, publicKey);
    const row = {
      user_id: owner.userId,
      name,
      type,
      public_key: material.publicKey,
      fingerprint: material.fingerprint,
      created_at: toDbTimestamp(this.now()),
      updated_at: null,
    };
    await this.store.insert(row);
    const created = await this.get(owner.userId, name);
    return material.privateKey === undefined ? created : { ...created, private_key: material.privateKey };
  }

  async delete(userId: string, name: string): Promise<void> {
    if (!(await this.store.delete(userId, name))) throw keyPairNotFound(name, userId);
  }

  /** Key pairs count per user against the project's key_pairs limit, as Nova's count_by_user. */
  async #checkQuota(owner: KeyPairOwner): Promise<void> {
    const limit = await this.limitFor(owner.projectId);
    if (limit < 0) return;
    if ((await this.store.countOf(owner.userId)) + 1 > limit) throw new Forbidden('Quota exceeded, too many key pairs.');
  }
}

interface KeyMaterial {
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly privateKey?: string;
}

function generate(type: KeyPairType, userId: string): KeyMaterial | Promise<KeyMaterial> {
  return type === 'x509' ? generateX509KeyPair(userId) : generateRsaKeyPair();
}

/** Nova's _generate_fingerprint, worded as Nova's InvalidKeypair. */
function imported(type: KeyPairType, publicKey: string): KeyMaterial {
  if (type === 'x509') {
    const fingerprint = x509Fingerprint(publicKey);
    if (fingerprint === undefined) throw new BadRequest('Keypair data is invalid: failed to generate X509 fingerprint.');
    return { publicKey, fingerprint };
  }
  const blob = parseOpenSshPublicKey(publicKey);
  if (blob === undefined) throw new BadRequest('Keypair data is invalid: failed to generate fingerprint');
  return { publicKey, fingerprint: sshFingerprint(blob) };
}

function toKeyPair(row: KeyPairRow): KeyPair {
  return {
    id: Number(row.id),
    user_id: row.user_id,
    name: row.name,
    type: row.type === 'x509' ? 'x509' : 'ssh',
    public_key: row.public_key,
    fingerprint: row.fingerprint,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
