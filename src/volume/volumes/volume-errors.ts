/** Cinder's exceptions this service raises, as typed errors carrying Cinder's own words. */
import { BadRequest, NotFound, PayloadTooLarge } from '../../common/errors/errors.js';

export const volumeNotFound = (id: string) => new NotFound(`Volume ${id} could not be found.`);
export const snapshotNotFound = (id: string) => new NotFound(`Snapshot ${id} could not be found.`);
export const typeNotFound = (id: string) => new NotFound(`Volume type ${id} could not be found.`);
export const typeNotFoundByName = (name: string) => new NotFound(`Volume type with name ${name} could not be found.`);
export const backupNotFound = (id: string) => new NotFound(`Backup ${id} could not be found.`);
export const imageNotFound = (id: string) => new NotFound(`Image ${id} could not be found.`);

/** InvalidVolume (400). */
export const invalidVolume = (reason: string) => new BadRequest(`Invalid volume: ${reason}`);
/** InvalidSnapshot (400). */
export const invalidSnapshot = (reason: string) => new BadRequest(`Invalid snapshot: ${reason}`);
/** InvalidBackup (400). */
export const invalidBackup = (reason: string) => new BadRequest(`Invalid backup: ${reason}`);
/** InvalidVolumeType (400). */
export const invalidVolumeType = (reason: string) => new BadRequest(`Invalid volume type: ${reason}`);
/** InvalidInput (400). */
export const invalidInput = (reason: string) => new BadRequest(`Invalid input received: ${reason}`);
/** Cinder's assert_not_frozen: a volume or snapshot on a frozen backend is not changed. */
export const frozenBackend = () => invalidInput('Modification operations are not allowed on frozen storage backends.');

/** Cinder's QuotaError family: 413 overLimit. */
export class QuotaExceeded extends PayloadTooLarge {}

export const groupTypeNotFound = (id: string) => new NotFound(`Group type ${id} could not be found.`);
export const groupNotFound = (id: string) => new NotFound(`Group ${id} could not be found.`);
export const groupSnapshotNotFound = (id: string) => new NotFound(`GroupSnapshot ${id} could not be found.`);
/** InvalidGroup (400). */
export const invalidGroup = (reason: string) => new BadRequest(`Invalid Group: ${reason}`);
/** InvalidGroupSnapshot (400). */
export const invalidGroupSnapshot = (reason: string) => new BadRequest(`Invalid GroupSnapshot: ${reason}`);
