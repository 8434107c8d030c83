/**
 * The one door to volume_transfers. Creating a transfer moves its volume to awaiting-transfer,
 * deleting it moves the volume back, and accepting it hands the volume (and its snapshots unless
 * asked not to) to the new project: each in one transaction, compare-and-set on the volume's
 * status, so a volume is offered once and accepted once.
 */
import type { Selectable } from 'kysely';
import { fromDbTimestamp, toDbTimestamp } from '../../common/db/timestamps.js';
import type { Transfer } from '../volumes/transfer.js';
import type { VolumeTransfersTable } from './tables.js';
import { VolumeTableStore } from './table-store.js';

function toTransfer(row: Selectable<VolumeTransfersTable>): Transfer {
  return {
    id: row.id,
    volumeId: row.volume_id,
    sourceProjectId: row.source_project_id,
    name: row.display_name,
    salt: row.salt,
    cryptHash: row.crypt_hash,
    noSnapshots: Boolean(row.no_snapshots),
    createdAt: fromDbTimestamp(row.created_at),
  };
}

/** The new owner of an accepted transfer's volume. */
export interface TransferRecipient {
  readonly projectId: string;
  readonly userId: string;
}

export class TransferStore extends VolumeTableStore {
  /** Records the offer when the volume is still available; false when it is not (nothing written). */
  async create(transfer: Transfer): Promise<boolean> {
    return this.transaction(async (trx) => {
      const held = await trx
        .updateTable('volume_volumes')
        .set({ status: 'awaiting-transfer', updated_at: toDbTimestamp(this.now()) })
        .where('id', '=', transfer.volumeId)
        .where('status', '=', 'available')
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) return false;
      await trx
        .insertInto('volume_transfers')
        .values({
          id: transfer.id,
          volume_id: transfer.volumeId,
          source_project_id: transfer.sourceProjectId,
          display_name: transfer.name,
          salt: transfer.salt,
          crypt_hash: transfer.cryptHash,
          no_snapshots: transfer.noSnapshots,
          created_at: toDbTimestamp(transfer.createdAt),
        })
        .execute();
      return true;
    });
  }

  async find(id: string): Promise<Transfer | undefined> {
    const row = await this.db.selectFrom('volume_transfers').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toTransfer(row);
  }

  /** Pending transfers of volumes the project owns (every project's when absent), newest first. */
  async list(projectId?: string): Promise<Transfer[]> {
    let query = this.db.selectFrom('volume_transfers').selectAll('volume_transfers');
    if (projectId !== undefined) {
      query = query.innerJoin('volume_volumes', 'volume_volumes.id', 'volume_transfers.volume_id').where('volume_volumes.project_id', '=', projectId);
    }
    const rows = await query.orderBy('volume_transfers.created_at', 'desc').orderBy('volume_transfers.id', 'desc').execute();
    return rows.map(toTransfer);
  }

  /**
   * Withdraws the offer; the volume is available again if it was still awaiting the transfer. The
   * volume's row first, as accept takes them, so the two wait on each other rather than deadlock.
   */
  async delete(transfer: Transfer): Promise<void> {
    await this.transaction(async (trx) => {
      await trx
        .updateTable('volume_volumes')
        .set({ status: 'available', updated_at: toDbTimestamp(this.now()) })
        .where('id', '=', transfer.volumeId)
        .where('status', '=', 'awaiting-transfer')
        .execute();
      await trx.deleteFrom('volume_transfers').where('id', '=', transfer.id).execute();
    });
  }

  /**
   * Gives the volume to `to` and ends the offer; false when the offer is gone or the volume no
   * longer awaits it (a concurrent accept or delete won; nothing written). Under the receiving
   * project's quota lock it runs in the lock's transaction, so its check and these writes commit together.
   */
  async accept(transfer: Transfer, to: TransferRecipient): Promise<boolean> {
    const now = toDbTimestamp(this.now());
    return this.transaction(async (trx) => {
      const moved = await trx
        .updateTable('volume_volumes')
        .set({ project_id: to.projectId, user_id: to.userId, status: 'available', updated_at: now })
        .where('id', '=', transfer.volumeId)
        .where('status', '=', 'awaiting-transfer')
        .where((eb) => eb.exists(eb.selectFrom('volume_transfers').select('volume_transfers.id').where('volume_transfers.id', '=', transfer.id)))
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return false;
      await trx.deleteFrom('volume_transfers').where('id', '=', transfer.id).execute();
      if (!transfer.noSnapshots) {
        await trx.updateTable('volume_snapshots').set({ project_id: to.projectId, user_id: to.userId, updated_at: now }).where('volume_id', '=', transfer.volumeId).execute();
      }
      return true;
    });
  }
}
