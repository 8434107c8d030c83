/** The one door to volume_type_encryption (Cinder's volume_type_encryption_* db calls). */
import type { Selectable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { VolumeTypeEncryptionTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

export type ControlLocation = 'front-end' | 'back-end';

export interface TypeEncryption {
  readonly volumeTypeId: string;
  readonly encryptionId: string;
  readonly provider: string;
  readonly cipher: string | null;
  readonly keySize: number | null;
  readonly controlLocation: ControlLocation;
  readonly createdAt: Date;
  readonly updatedAt: Date | null;
}

/** What an update sets; absent fields stay. */
export type EncryptionChanges = Partial<Pick<TypeEncryption, 'provider' | 'cipher' | 'keySize' | 'controlLocation'>>;

function toEncryption(row: Selectable<VolumeTypeEncryptionTable>): TypeEncryption {
  return {
    volumeTypeId: row.volume_type_id,
    encryptionId: row.encryption_id,
    provider: row.provider,
    cipher: row.cipher,
    keySize: row.key_size === null ? null : Number(row.key_size),
    controlLocation: row.control_location as ControlLocation,
    createdAt: fromDbTimestamp(row.created_at),
    updatedAt: row.updated_at === null ? null : fromDbTimestamp(row.updated_at),
  };
}

export class TypeEncryptionStore extends VolumeTableStore {
  async find(typeId: string): Promise<TypeEncryption | undefined> {
    const row = await this.db.selectFrom('volume_type_encryption').selectAll().where('volume_type_id', '=', typeId).executeTakeFirst();
    return row === undefined ? undefined : toEncryption(row);
  }

  /** False when the type has an encryption already. */
  async create(encryption: TypeEncryption): Promise<boolean> {
    try {
      await this.db
        .insertInto('volume_type_encryption')
        .values({
          volume_type_id: encryption.volumeTypeId,
          encryption_id: encryption.encryptionId,
          provider: encryption.provider,
          cipher: encryption.cipher,
          key_size: encryption.keySize,
          control_location: encryption.controlLocation,
          created_at: toDbTimestamp(encryption.createdAt),
          updated_at: null,
        })
        .execute();
      return true;
    } catch (error) {
      if (this.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** False when the type has no encryption. */
  async update(typeId: string, changes: EncryptionChanges): Promise<boolean> {
    const result = await this.db
      .updateTable('volume_type_encryption')
      .set({
        updated_at: toDbTimestamp(this.now()),
        ...(changes.provider === undefined ? {} : { provider: changes.provider }),
        ...(changes.cipher === undefined ? {} : { cipher: changes.cipher }),
        ...(changes.keySize === undefined ? {} : { key_size: changes.keySize }),
        ...(changes.controlLocation === undefined ? {} : { control_location: changes.controlLocation }),
      })
      .where('volume_type_id', '=', typeId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** False when the type had no encryption. */
  async delete(typeId: string): Promise<boolean> {
    return (await this.db.deleteFrom('volume_type_encryption').where('volume_type_id', '=', typeId).executeTakeFirst()).numDeletedRows > 0n;
  }
}
