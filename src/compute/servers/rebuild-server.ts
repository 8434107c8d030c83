import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NimbusError } from '../../common/errors/errors.js';
import type { ImageRef } from '../../image/index.js';
import type { KeyPairManager } from '../keypairs/keypair-manager.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import type { ExpectedState, InstanceChanges } from '../db/instance-state-compare-and-set.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, isVolumeBacked, type ActionSupport } from './action-support.js';
import { checkImageFitsFlavor, checkMetadataQuota, checkUserData, findKey, generatePassword, type ImageLookup } from './create-servers.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import type { BlockDeviceStore } from '../db/bdm-store.js';
import { rootVolume } from '../volumes/block-device.js';
import type { Server } from './server.js';
import { autoDiskConfigFor, diskConfigMetadata, type DiskConfig } from './disk-config.js';
import { TRUSTED_CERTS_KEY } from '../db/server-store.js';

/** The system metadata key holding a server's 2.63 trusted image certificate ids (JSON). */

const REBUILD_FROM: ExpectedState = { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] };

export interface RebuildDeps {
  readonly images: ImageLookup;
  /** Whether a server is volume-backed (rescue and rebuild treat one apart). */
  readonly blockDevices: BlockDeviceStore;
  readonly keypairs: KeyPairManager;
  readonly quotas: QuotaManager;
}

/** What a rebuild asks for, after the schema of its microversion; absent fields stay as they are. */
export interface RebuildRequest {
  readonly imageRef: string;
  readonly adminPass?: string;
  readonly diskConfig?: DiskConfig;
  readonly name?: string;
  /** Replaces the whole metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly preserveEphemeral: boolean;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  /** 2.19; null clears it. */
  readonly description?: string | null;
  /** 2.54; null removes the key pair. */
  readonly keyName?: string | null;
  /** 2.57; null removes the user data. */
  readonly userData?: string | null;
  /** 2.63; null unsets them. */
  readonly trustedImageCertificates?: readonly string[] | null;
  /** 2.90. */
  readonly hostname?: string;
  /** 2.93: a volume-backed server's root volume may be reimaged with a new image. */
  readonly reimageBootVolume?: boolean;
}

/**
 * Nova's compute API rebuild: lock and state first (ACTIVE, SHUTOFF or ERROR, no task), then the
 * image and the rest checked as a create checks them (no quota: the flavor stays), then one
 * compare-and-set writes the task state rebuilding together with the new image and attributes.
 * The agent on the same host destroys and respawns the guest; id, host and addresses stay.
 */
export async function rebuildServer(support: ActionSupport, deps: RebuildDeps, context: RequestContext, server: Server, request: RebuildRequest): Promise<string> {
  const { uuid, project_id: projectId } = server.row;
  await support.guard(context, server, 'rebuild', REBUILD_FROM);
  const host = hostOf(server);
  const image = await findRebuildImage(deps, context, request.imageRef);
  const reimageBootVolume = await checkVolumeBacked(deps, server, image.id, request.reimageBootVolume ?? false);
  if (request.metadata !== undefined) await checkMetadataQuota(deps, projectId, request.metadata);
  if (image.status !== 'active') throw new BadRequest(`Image ${image.id} is not active.`);
  checkImageFitsFlavor(image, server.row);
  const autoDiskConfig = autoDiskConfigFor(request.diskConfig, image);
  if (request.userData !== undefined && request.userData !== null) checkUserData(request.userData);
  const keyData = request.keyName === undefined || request.keyName === null ? null : await findKey(deps, context.userId ?? '', request.keyName);
  const adminPass = request.adminPass ?? generatePassword();

  await support.transition(context, server, 'rebuild', REBUILD_FROM, rebuildChanges(request, image.id, keyData));
  const { store } = support.deps;
  if (request.metadata !== undefined) await store.writeMetadata(uuid, request.metadata, true);
  if (request.trustedImageCertificates !== undefined) await writeTrustedCerts(support, uuid, request.trustedImageCertificates);
  await store.writeSystemMetadata(uuid, diskConfigMetadata(autoDiskConfig));
  await support.record(context, uuid, InstanceActionName.REBUILD);
  await support.agents.cast(host, 'rebuild_instance', { instanceUuid: uuid, imageRef: image.id, adminPassword: adminPass, preserveEphemeral: request.preserveEphemeral, ...(reimageBootVolume ? { reimageBootVolume } : {}) });
  return adminPass;
}

/**
 * A volume-backed server keeps its root volume's image before 2.93: a different image is Nova's
 * 400. From 2.93 Nova's compute reimages the root volume through Cinder's os-reimage (volume API
 * 3.68), whatever the image. True when the rebuild reimages the root volume.
 */
async function checkVolumeBacked(deps: RebuildDeps, server: Server, imageId: string, reimageBootVolume: boolean): Promise<boolean> {
  // Nova's is_volume_backed_instance: no image of its own, or a root disk that is a volume.
  if (!isVolumeBacked(server) && rootVolume(await deps.blockDevices.ofInstance(server.row.uuid)) === undefined) return false;
  if (reimageBootVolume) return true;
  if (imageId !== server.row.image_ref) throw new BadRequest(`Image ${imageId} is unacceptable: Unable to rebuild with a different image for a volume-backed server.`);
  return false;
}

/** Nova's rebuild answers an image it cannot find with its own words. */
async function findRebuildImage(deps: RebuildDeps, context: RequestContext, imageRef: string): Promise<ImageRef> {
  try {
    return await deps.images.getImageForCompute(context, imageRef);
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw new BadRequest('Cannot find image for rebuild');
    throw error;
  }
}

/** The columns the rebuild changes (Nova's instance.update(kwargs) before the save). */
function rebuildChanges(request: RebuildRequest, imageId: string, keyData: string | null): InstanceChanges {
  return {
    task_state: TaskState.REBUILDING,
    image_ref: imageId,
    progress: 0,
    ...(request.name === undefined ? {} : { display_name: request.name }),
    ...(request.description === undefined ? {} : { display_description: request.description }),
    ...(request.accessIPv4 === undefined ? {} : { access_ip_v4: request.accessIPv4 }),
    ...(request.accessIPv6 === undefined ? {} : { access_ip_v6: request.accessIPv6 }),
    ...(request.keyName === undefined ? {} : { key_name: request.keyName, key_data: keyData }),
    ...(request.userData === undefined ? {} : { user_data: request.userData }),
    ...(request.hostname === undefined ? {} : { hostname: request.hostname }),
  };
}

async function writeTrustedCerts(support: ActionSupport, uuid: string, certificates: readonly string[] | null): Promise<void> {
  await support.deps.store.writeSystemMetadata(uuid, { [TRUSTED_CERTS_KEY]: certificates === null ? null : JSON.stringify(certificates) });
}
