/**
 * Cinder's transfer API (cinder/transfer/api.py): a project offers an available volume; whoever
 * presents the offer's id and auth key takes it, with its snapshots unless the offer said not to,
 * if their quota has room. The auth key is shown once, at creation, and kept only as a salted hash.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { TransferStore } from '../db/transfer-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import type { Transfer } from './transfer.js';
import { invalidSnapshot, invalidVolume, volumeNotFound } from './volume-errors.js';
import type { VolumeQuotas } from './volume-quotas.js';
import type { VolumeService } from './volume-service.js';

const LOG = getLogger('nimbus.volume.transfer');

/** Cinder's `volume_transfer_salt_length` and `volume_transfer_key_length` (hex characters). */
const SALT_LENGTH = 8;
const KEY_LENGTH = 16;

const transferNotFound = (id: string) => new NotFound(`Transfer ${id} could not be found.`);

function cryptHashOf(salt: string, authKey: string): string {
  return createHmac('sha256', salt).update(authKey).digest('hex');
}

function hexOf(length: number): string {
  return randomBytes(length / 2).toString('hex');
}

export interface TransferServiceDeps {
  readonly transfers: TransferStore;
  readonly store: VolumeStore;
  readonly volumes: VolumeService;
  readonly quotas: VolumeQuotas;
}

export class TransferService {
  constructor(private readonly deps: TransferServiceDeps) {}

  /** The offer and its auth key, shown this once. */
  async create(context: RequestContext, volumeId: string, name: string | null, noSnapshots: boolean): Promise<{ readonly transfer: Transfer; readonly authKey: string }> {
    const volume = await this.deps.volumes.get(context, volumeId);
    if (volume.status !== 'available') throw invalidVolume('status must be available');
    if (!noSnapshots) {
      for (const snapshot of await this.deps.store.listSnapshots({ volumeId }, [])) {
        if (snapshot.status !== 'available') throw invalidSnapshot(`snapshot: ${snapshot.id} status must be available`);
      }
    }
    const salt = hexOf(SALT_LENGTH);
    const authKey = hexOf(KEY_LENGTH);
    const transfer: Transfer = {
      id: randomUUID(),
      volumeId,
      sourceProjectId: volume.projectId,
      name,
      salt,
      cryptHash: cryptHashOf(salt, authKey),
      noSnapshots,
      createdAt: this.deps.transfers.now(),
    };
    if (!(await this.deps.transfers.create(transfer))) throw invalidVolume('status must be available');
    LOG.info(`Generated transfer record ${transfer.id} for volume ${volumeId}`);
    return { transfer, authKey };
  }

  /** The offer if the caller owns its volume (an admin sees all); 404 otherwise. */
  async get(context: RequestContext, id: string): Promise<Transfer> {
    const transfer = await this.deps.transfers.find(id);
    if (transfer === undefined) throw transferNotFound(id);
    if (context.isAdmin !== true) {
      const volume = await this.deps.store.findVolume(transfer.volumeId);
      if (volume?.projectId !== context.projectId) throw transferNotFound(id);
    }
    return transfer;
  }

  /** The caller's project's offers, or every project's for an admin asking all_tenants. */
  list(context: RequestContext, allTenants: boolean): Promise<Transfer[]> {
    return this.deps.transfers.list(allTenants && context.isAdmin === true ? undefined : (context.projectId ?? ''));
  }

  async delete(context: RequestContext, id: string): Promise<void> {
    const transfer = await this.get(context, id);
    await this.deps.transfers.delete(transfer);
    LOG.info(`Deleted transfer ${id} of volume ${transfer.volumeId}`);
  }

  /** Hands the volume to the caller's project: any project may accept an offer whose key it holds. */
  async accept(context: RequestContext, id: string, authKey: string): Promise<Transfer> {
    const transfer = await this.deps.transfers.find(id);
    if (transfer === undefined) throw transferNotFound(id);
    const expected = Buffer.from(transfer.cryptHash, 'hex');
    const presented = Buffer.from(cryptHashOf(transfer.salt, authKey), 'hex');
    if (!timingSafeEqual(expected, presented)) {
      LOG.warning(`Attempt to transfer ${id} with invalid auth key.`);
      throw new BadRequest(`Invalid auth key: Attempt to transfer ${id} with invalid auth key.`);
    }
    const volume = await this.deps.store.findVolume(transfer.volumeId);
    if (volume === undefined) throw volumeNotFound(transfer.volumeId);
    const recipient = { projectId: context.projectId ?? '', userId: context.userId ?? '' };
    // The recipient's check and the move are one step under its quota lock, as a create's are.
    await this.deps.quotas.exclusive(recipient.projectId, async () => {
      const snapshots = transfer.noSnapshots ? [] : await this.deps.store.listSnapshots({ volumeId: volume.id }, []);
      if (recipient.projectId !== volume.projectId) {
        await this.deps.quotas.checkTransfer(recipient.projectId, volume.volumeTypeId, {
          volumeGb: volume.size,
          snapshots: snapshots.length,
          snapshotGb: snapshots.reduce((total, snapshot) => total + snapshot.size, 0),
        });
      }
      if (!(await this.deps.transfers.accept(transfer, recipient))) throw transferNotFound(id);
    });
    LOG.info(`Volume ${volume.id} has been transferred from project ${volume.projectId} to ${recipient.projectId} (transfer ${id})`);
    return transfer;
  }
}
