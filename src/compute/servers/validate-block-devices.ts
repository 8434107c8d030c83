/**
 * Nova's compute API _validate_bdm and _get_bdm_image_metadata for a server create: the boot
 * sequence, each mapping's image, volume or snapshot looked up as the caller, sizes filled in and
 * device names given, all before anything is written. Every refusal is Nova's 400.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NimbusError, ServiceUnavailable } from '../../common/errors/errors.js';
import type { ImageRef } from '../../image/index.js';
import type { Flavor } from '../flavors/flavor.js';
import { nextDeviceName } from '../volumes/block-device.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import type { RequestedBlockDevice } from './block-device-request.js';
import type { ImageLookup } from './create-servers.js';
import { isTrueWord } from './oslo-bool.js';

const GIB = 1024 ** 3;

/** The root disk of a volume-backed server. */
export const ROOT_DEVICE_NAME = '/dev/vda';

/** A requested volume with its size known and its device name chosen. */
export interface ValidBlockDevice extends RequestedBlockDevice {
  readonly volumeSize: number;
  readonly deviceName: string;
}

export interface ValidBlockDevices {
  readonly devices: readonly ValidBlockDevice[];
  /** Whether the guest boots from a volume (the server has no image of its own). */
  readonly volumeBacked: boolean;
  /** The image the root volume is made from, when it is (its properties and minimums apply). */
  readonly rootImage?: ImageRef;
}

export interface ValidateBlockDevicesDeps {
  readonly images: ImageLookup;
  readonly volumes?: ComputeVolumeApi;
}

export const invalidBootSequence = () => new BadRequest('Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');

/** Looks up what the mapping names as the caller; anything but a 5xx from the other service is `refusal`. */
async function lookup<T>(work: () => Promise<T>, refusal: () => NimbusError): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NimbusError && error.status < 500) throw refusal();
    throw error;
  }
}

export async function validateBlockDevices(
  deps: ValidateBlockDevicesDeps,
  context: RequestContext,
  request: { readonly imageRef: string; readonly blockDevices?: readonly RequestedBlockDevice[]; readonly maxCount: number },
  flavor: Flavor,
): Promise<ValidBlockDevices> {
  const requested = request.blockDevices ?? [];
  checkBootSequence(requested, request.imageRef !== '');
  if (requested.length === 0) return { devices: [], volumeBacked: false };
  const volumes = deps.volumes;
  if (volumes === undefined) throw new ServiceUnavailable('The volume service is not available to compute on this node.');
  if (request.imageRef === '') await requireBootableRoot(volumes, context, requested);
  const used: string[] = [ROOT_DEVICE_NAME];
  const devices: ValidBlockDevice[] = [];
  let rootImage: ImageRef | undefined;
  for (const device of requested) {
    const uuid = device.uuid ?? '';
    let size = device.volumeSize;
    switch (device.sourceType) {
      case 'image': {
        const image = await lookup(() => deps.images.getImageForCompute(context, uuid), () => new BadRequest(`Block Device Mapping is Invalid: failed to get image ${uuid}.`));
        if (size === null) throw new BadRequest("Block Device Mapping is Invalid: Images with destination_type 'volume' need to have a non-zero size specified");
        if (image.status !== 'active') throw new BadRequest(`Image ${uuid} is not active.`);
        if (image.min_disk > size) {
          throw new BadRequest(`Volume is smaller than the minimum size specified in image metadata. Volume size is ${size * GIB} bytes, minimum size is ${image.min_disk * GIB} bytes.`);
        }
        if (device.bootIndex === 0) rootImage = image;
        break;
      }
      case 'volume': {
        const volume = await lookup(() => volumes.get(context, uuid), () => new BadRequest(`Block Device Mapping is Invalid: failed to get volume ${uuid}.`));
        if (volume.status !== 'available') throw new BadRequest(`Invalid volume: volume '${uuid}' status must be 'available'. Currently in '${volume.status}'`);
        if (request.maxCount > 1) throw new BadRequest(`Invalid volume: volume '${uuid}' cannot be attached to more than one of the servers created`);
        size = volume.size;
        break;
      }
      case 'snapshot': {
        const snapshot = await lookup(() => volumes.getSnapshot(context, uuid), () => new BadRequest(`Block Device Mapping is Invalid: failed to get snapshot ${uuid}.`));
        size ??= snapshot.size;
        break;
      }
      case 'blank':
        if (size === null) throw new BadRequest("Block Device Mapping is Invalid: Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size");
        break;
    }
    const deviceName = device.bootIndex === 0 ? ROOT_DEVICE_NAME : device.deviceName !== null && !used.includes(device.deviceName) ? device.deviceName : nextDeviceName(used);
    used.push(deviceName);
    devices.push({ ...device, volumeSize: size, deviceName });
  }
  if (rootImage !== undefined && rootImage.min_ram > flavor.memory_mb) throw new BadRequest("Flavor's memory is too small for requested image.");
  const volumeBacked = devices.some((device) => device.bootIndex === 0);
  return { devices, volumeBacked, ...(rootImage === undefined ? {} : { rootImage }) };
}

/**
 * Nova's get_bdm_image_metadata, first of a volume-backed create's checks: the volume the guest
 * boots from (or the one a boot snapshot was taken of) must be bootable in Cinder.
 */
async function requireBootableRoot(volumes: ComputeVolumeApi, context: RequestContext, devices: readonly RequestedBlockDevice[]): Promise<void> {
  const root = devices.find((device) => device.bootIndex === 0);
  if (root?.sourceType !== 'volume' && root?.sourceType !== 'snapshot') return;
  const uuid = root.uuid ?? '';
  const volumeId =
    root.sourceType === 'volume'
      ? uuid
      : (await lookup(() => volumes.getSnapshot(context, uuid), () => new BadRequest(`Block Device Mapping is Invalid: failed to get snapshot ${uuid}.`))).volume_id;
  const volume = await lookup(() => volumes.get(context, volumeId), () => new BadRequest(`Block Device Mapping is Invalid: failed to get volume ${volumeId}.`));
  if (!isTrueWord(volume.bootable)) throw new BadRequest(`Block Device ${volumeId} is not bootable.`);
}

/** Nova's boot index rule: the disks a guest boots from are numbered 0, 1, … without gaps; an image is disk 0 unless a volume is. */
function checkBootSequence(devices: readonly RequestedBlockDevice[], imageSpecified: boolean): void {
  const indexes = devices.flatMap((device) => (device.bootIndex === null ? [] : [device.bootIndex]));
  if (imageSpecified && !indexes.includes(0)) indexes.push(0);
  indexes.sort((a, b) => a - b);
  if (indexes.length === 0 || indexes.some((index, position) => index !== position)) throw invalidBootSequence();
}
