import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { ComputeTables, KeyPairsTable } from '../db/tables.js';
import type { CreatedKeyPair, KeyPair } from './keypair.js';
import { generateRsaKeyPair, parseOpenSshPublicKey, sshFingerprint } from './ssh-keys.js';

type Db = Kysely<ComputeTables>;

/** Whose key pair: the owner, and the project whose key_pairs quota counts it. */
export interface KeyPairOwner {
  readonly userId: string;
  readonly projectId: string;
}

/** The key_pairs limit of a project (-1: unlimited); the quota manager answers it. */
export type KeyPairLimit = (projectId: string) => Promise<number>;

export function keyPairNotFound(name: string, userId: string): NotFound {
  return new NotFound(`Keypair ${name} not found for user ${userId}`);
}

/** Key pairs per user (Nova's compute/api.py KeypairAPI): generate or import, list, show, delete. */
export class KeyPairManager {
  readonly #db: Db;

  constructor(
    private readonly database: Database,
    private readonly limitFor: KeyPairLimit,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  async list(userId: string): Promise<KeyPair[]> {
    const rows = await this.#db.selectFrom('compute_key_pairs').selectAll().where('user_id', '=', userId).orderBy('name').execute();
    return rows.map(toKeyPair);
  }

  async get(userId: string, name: string): Promise<KeyPair> {
    const row = await this.#db.selectFrom('compute_key_pairs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw keyPairNotFound(name, userId);
    return toKeyPair(row);
  }

  /** Imports `publicKey` (an OpenSSH line; 400 when it is not one), or generates an RSA pair when none is given. */
  async create(owner: KeyPairOwner, name: string, publicKey?: string): Promise<CreatedKeyPair> {
    let material: { publicKey: string; fingerprint: string; privateKey?: string };
    if (publicKey === undefined) {
      material = generateRsaKeyPair();
    } else {
      const blob = parseOpenSshPublicKey(publicKey);
      if (blob === undefined) throw new BadRequest('Keypair data is invalid: failed to generate fingerprint');
      material = { publicKey, fingerprint: sshFingerprint(blob) };
    }
    await this.#checkQuota(owner);
    const row = {
      user_id: owner.userId,
      name,
      type: 'ssh',
      public_key: material.publicKey,
      fingerprint: material.fingerprint,
      created_at: toDbTimestamp(this.now()),
      updated_at: null,
    };
    try {
      await this.#db.insertInto('compute_key_pairs').values(row).execute();
    } catch (error) {
      if (this.database.isUniqueViolation(error)) throw new Conflict(`Key pair '${name}' already exists.`);
      throw error;
    }
    const created = await this.get(owner.userId, name);
    return material.privateKey === undefined ? created : { ...created, private_key: material.privateKey };
  }

  async delete(userId: string, name: string): Promise<void> {
    const result = await this.#db.deleteFrom('compute_key_pairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw keyPairNotFound(name, userId);
  }

  /** Key pairs count per user against the project's key_pairs limit, as Nova's count_by_user. */
  async #checkQuota(owner: KeyPairOwner): Promise<void> {
    const limit = await this.limitFor(owner.projectId);
    if (limit < 0) return;
    const { count } = await this.#db
      .selectFrom('compute_key_pairs')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('user_id', '=', owner.userId)
      .executeTakeFirstOrThrow();
    if (Number(count) + 1 > limit) throw new Forbidden('Quota exceeded, too many key pairs.');
  }
}

function toKeyPair(row: Selectable<KeyPairsTable>): KeyPair {
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
