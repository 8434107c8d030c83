/** The SQL of block device mappings (compute_block_device_mappings): the API's and the conductor's reads and writes. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { BlockDeviceMapping } from '../volumes/block-device.js';
import type { BlockDeviceMappingsTable, ComputeTables } from './tables.js';

export type NewBlockDeviceMapping = Omit<BlockDeviceMapping, 'id' | 'uuid' | 'createdAt'>;

/** What a compute host records of a mapping it prepared (Nova's bdm.save()): the volume it made and the connection. */
export interface BlockDeviceSave {
  readonly volumeId?: string;
  readonly volumeSize?: number;
  readonly attachmentId?: string | null;
  readonly connectionInfo?: Readonly<Record<string, unknown>> | null;
}

export interface BlockDeviceChanges {
  readonly attachmentId?: string | null;
  readonly connectionInfo?: Readonly<Record<string, unknown>> | null;
  readonly deviceName?: string;
  readonly deleteOnTermination?: boolean;
}

function toMapping(row: Selectable<BlockDeviceMappingsTable>): BlockDeviceMapping {
  return {
    id: Number(row.id),
    uuid: row.uuid,
    instanceUuid: row.instance_uuid,
    sourceType: row.source_type,
    destinationType: row.destination_type,
    deviceName: row.device_name,
    bootIndex: row.boot_index === null ? null : Number(row.boot_index),
    imageId: row.image_id,
    snapshotId: row.snapshot_id,
    volumeId: row.volume_id,
    volumeSize: row.volume_size === null ? null : Number(row.volume_size),
    deleteOnTermination: Boolean(row.delete_on_termination),
    attachmentId: row.attachment_id,
    tag: row.tag,
    connectionInfo: row.connection_info === null ? null : (JSON.parse(row.connection_info) as Record<string, unknown>),
    createdAt: fromDbTimestamp(row.created_at),
  };
}

export class BlockDeviceStore {
  readonly #db: Kysely<ComputeTables>;

  constructor(database: Database) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** An instance's mappings in the order they were made. */
  async ofInstance(instanceUuid: string): Promise<BlockDeviceMapping[]> {
    return this.ofInstances([instanceUuid]).then((byInstance) => byInstance.get(instanceUuid) ?? []);
  }

  async ofInstances(instanceUuids: readonly string[]): Promise<Map<string, BlockDeviceMapping[]>> {
    const byInstance = new Map<string, BlockDeviceMapping[]>();
    if (instanceUuids.length === 0) return byInstance;
    const rows = await this.#db.selectFrom('compute_block_device_mappings').selectAll().where('instance_uuid', 'in', instanceUuids).orderBy('id').execute();
    for (const row of rows) byInstance.set(row.instance_uuid, [...(byInstance.get(row.instance_uuid) ?? []), toMapping(row)]);
    return byInstance;
  }

  async findVolume(instanceUuid: string, volumeId: string): Promise<BlockDeviceMapping | undefined> {
    const row = await this.#db
      .selectFrom('compute_block_device_mappings')
      .selectAll()
      .where('instance_uuid', '=', instanceUuid)
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    return row === undefined ? undefined : toMapping(row);
  }

  /** Records a mapping under a new uuid, which it returns. */
  async insert(mapping: NewBlockDeviceMapping): Promise<string> {
    const uuid = randomUUID();
    await this.#db
      .insertInto('compute_block_device_mappings')
      .values({
        uuid,
        instance_uuid: mapping.instanceUuid,
        source_type: mapping.sourceType,
        destination_type: mapping.destinationType,
        device_name: mapping.deviceName,
        boot_index: mapping.bootIndex,
        image_id: mapping.imageId,
        snapshot_id: mapping.snapshotId,
        volume_id: mapping.volumeId,
        volume_size: mapping.volumeSize,
        delete_on_termination: mapping.deleteOnTermination,
        attachment_id: mapping.attachmentId,
        tag: mapping.tag,
        connection_info: mapping.connectionInfo === null ? null : JSON.stringify(mapping.connectionInfo),
        created_at: toDbTimestamp(new Date()),
      })
      .execute();
    return uuid;
  }

  async update(instanceUuid: string, volumeId: string, changes: BlockDeviceChanges): Promise<boolean> {
    const set: Updateable<BlockDeviceMappingsTable> = {};
    if (changes.attachmentId !== undefined) set.attachment_id = changes.attachmentId;
    if (changes.connectionInfo !== undefined) set.connection_info = changes.connectionInfo === null ? null : JSON.stringify(changes.connectionInfo);
    if (changes.deviceName !== undefined) set.device_name = changes.deviceName;
    if (changes.deleteOnTermination !== undefined) set.delete_on_termination = changes.deleteOnTermination;
    if (Object.keys(set).length === 0) return true;
    const result = await this.#db
      .updateTable('compute_block_device_mappings')
      .set(set)
      .where('instance_uuid', '=', instanceUuid)
      .where('volume_id', '=', volumeId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Saves a mapping by its id (one whose volume may not exist yet); false when it is gone. */
  async save(id: number, changes: BlockDeviceSave): Promise<boolean> {
    const set: Updateable<BlockDeviceMappingsTable> = {};
    if (changes.volumeId !== undefined) set.volume_id = changes.volumeId;
    if (changes.volumeSize !== undefined) set.volume_size = changes.volumeSize;
    if (changes.attachmentId !== undefined) set.attachment_id = changes.attachmentId;
    if (changes.connectionInfo !== undefined) set.connection_info = changes.connectionInfo === null ? null : JSON.stringify(changes.connectionInfo);
    if (Object.keys(set).length === 0) return true;
    const result = await this.#db.updateTable('compute_block_device_mappings').set(set).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(instanceUuid: string, volumeId: string): Promise<void> {
    await this.#db.deleteFrom('compute_block_device_mappings').where('instance_uuid', '=', instanceUuid).where('volume_id', '=', volumeId).execute();
  }

  async deleteAllOf(instanceUuid: string): Promise<void> {
    await this.#db.deleteFrom('compute_block_device_mappings').where('instance_uuid', '=', instanceUuid).execute();
  }
}
