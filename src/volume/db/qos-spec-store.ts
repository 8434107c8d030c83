/** The one door to volume_qos_specs and volume_qos_associations (Cinder's qos_specs_* db calls). */
import type { Selectable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { QosConsumer, QosSpecs } from '../volumes/qos-specs.js';
import type { VolumeQosSpecsTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

function toQosSpecs(row: Selectable<VolumeQosSpecsTable>): QosSpecs {
  return {
    id: row.id,
    name: row.name,
    consumer: row.consumer as QosConsumer,
    specs: JSON.parse(row.specs) as Record<string, string>,
    createdAt: fromDbTimestamp(row.created_at),
  };
}

/** A volume type a QoS specs is associated with (Cinder's association view). */
export interface QosAssociation {
  readonly association_type: 'volume_type';
  readonly id: string;
  readonly name: string;
}

export class QosSpecStore extends VolumeTableStore {
  /** False when the name is taken. */
  async create(qos: QosSpecs): Promise<boolean> {
    try {
      await this.db
        .insertInto('volume_qos_specs')
        .values({ id: qos.id, name: qos.name, consumer: qos.consumer, specs: JSON.stringify(qos.specs), created_at: toDbTimestamp(qos.createdAt), updated_at: null })
        .execute();
      return true;
    } catch (error) {
      if (this.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async find(id: string): Promise<QosSpecs | undefined> {
    const row = await this.db.selectFrom('volume_qos_specs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toQosSpecs(row);
  }

  async list(): Promise<QosSpecs[]> {
    return (await this.db.selectFrom('volume_qos_specs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toQosSpecs);
  }

  /**
   * Sets `set` and removes `remove` from the specs (and changes the consumer when given), in one
   * transaction; the keys of `remove` it did not hold, or undefined when the specs are gone.
   */
  async change(id: string, change: { readonly set?: Readonly<Record<string, string>>; readonly remove?: readonly string[]; readonly consumer?: QosConsumer }): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('volume_qos_specs').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const specs = { ...(JSON.parse(row.specs) as Record<string, string>), ...change.set };
      const missing = (change.remove ?? []).filter((key) => !(key in specs));
      if (missing.length > 0) return missing;
      for (const key of change.remove ?? []) delete specs[key];
      await trx
        .updateTable('volume_qos_specs')
        .set({ specs: JSON.stringify(specs), updated_at: toDbTimestamp(this.now()), ...(change.consumer === undefined ? {} : { consumer: change.consumer }) })
        .where('id', '=', id)
        .execute();
      return [];
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('volume_qos_associations').where('qos_specs_id', '=', id).execute();
      await trx.deleteFrom('volume_qos_specs').where('id', '=', id).execute();
    });
  }

  async associations(id: string): Promise<QosAssociation[]> {
    const rows = await this.db
      .selectFrom('volume_qos_associations')
      .innerJoin('volume_types', 'volume_types.id', 'volume_qos_associations.volume_type_id')
      .select(['volume_types.id as id', 'volume_types.name as name'])
      .where('volume_qos_associations.qos_specs_id', '=', id)
      .orderBy('volume_types.name')
      .execute();
    return rows.map((row) => ({ association_type: 'volume_type', id: row.id, name: row.name }));
  }

  /** The QoS specs id of a volume type, null when it has none. */
  async qosOfType(typeId: string): Promise<string | null> {
    const row = await this.db.selectFrom('volume_qos_associations').select('qos_specs_id').where('volume_type_id', '=', typeId).executeTakeFirst();
    return row?.qos_specs_id ?? null;
  }

  /** Associates the type unless it has other specs: then the id of those, nothing changed. */
  async associate(id: string, typeId: string): Promise<string | undefined> {
    try {
      await this.db.insertInto('volume_qos_associations').values({ volume_type_id: typeId, qos_specs_id: id, created_at: toDbTimestamp(this.now()) }).execute();
      return undefined;
    } catch (error) {
      if (!this.isUniqueViolation(error)) throw error;
      const current = await this.qosOfType(typeId);
      return current === id ? undefined : (current ?? undefined);
    }
  }

  /** Ends the association of one type (`typeId`), or of every type. */
  async disassociate(id: string, typeId?: string): Promise<void> {
    let query = this.db.deleteFrom('volume_qos_associations').where('qos_specs_id', '=', id);
    if (typeId !== undefined) query = query.where('volume_type_id', '=', typeId);
    await query.execute();
  }
}
