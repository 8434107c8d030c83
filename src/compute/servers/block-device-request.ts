/**
 * The block devices a server create asks for (Nova's block_device.py BlockDeviceDict.from_api and
 * from_legacy_mapping): `block_device_mapping_v2` and the legacy `block_device_mapping`, as one
 * list of requested mappings. Only volumes are kept: the image disk of an image-backed server is
 * the server's imageRef, and ephemeral or swap disks are refused (400).
 */
import { BadRequest } from '../../common/errors/errors.js';

export type BlockDeviceSource = 'image' | 'volume' | 'snapshot' | 'blank';

/** One volume the server is to have: an existing one, or one the compute host makes from an image, a snapshot or nothing. */
export interface RequestedBlockDevice {
  readonly sourceType: BlockDeviceSource;
  /** The image, volume or snapshot id; null for blank. */
  readonly uuid: string | null;
  /** 0 for the disk the guest boots from; null for a disk it does not boot from. */
  readonly bootIndex: number | null;
  /** GiB; required for image and blank sources, else the volume's or snapshot's size. */
  readonly volumeSize: number | null;
  readonly deleteOnTermination: boolean;
  readonly deviceName: string | null;
  readonly tag: string | null;
}

/** An item of block_device_mapping_v2 as the schema lets it through. */
export interface BlockDeviceV2Item {
  readonly source_type?: string;
  readonly destination_type?: string;
  readonly uuid?: string;
  readonly boot_index?: number | string | null;
  readonly volume_size?: number | string;
  /** Already a boolean: the API layer reads Nova's boolean words. */
  readonly delete_on_termination?: boolean;
  readonly device_name?: string;
  readonly no_device?: unknown;
  readonly guest_format?: string;
  readonly tag?: string;
}

/** An item of the legacy block_device_mapping. */
export interface LegacyBlockDeviceItem {
  readonly volume_id?: string;
  readonly snapshot_id?: string;
  readonly volume_size?: number | string;
  readonly device_name?: string;
  readonly delete_on_termination?: boolean;
  readonly no_device?: unknown;
}

const invalidFormat = (details: string) => new BadRequest(`Block Device Mapping is Invalid: ${details}`);

function sizeOf(value: number | string | undefined): number | null {
  if (value === undefined) return null;
  const size = Number(value);
  return size === 0 ? null : size;
}

function bootIndexOf(value: number | string | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  const index = Number(value);
  return index < 0 ? null : index;
}

/** Nova's from_api for one item; the image-to-local mapping that repeats imageRef gives null. */
function fromV2(item: BlockDeviceV2Item, imageSpecified: boolean): RequestedBlockDevice | null {
  const source = item.source_type as BlockDeviceSource | undefined;
  if (source === undefined) throw invalidFormat('Some required fields are missing');
  if (source === 'blank' && item.uuid !== undefined) throw invalidFormat('Invalid device UUID.');
  if (source !== 'blank' && item.uuid === undefined) throw invalidFormat('Missing device UUID.');
  const destination = item.destination_type ?? (source === 'volume' || source === 'snapshot' ? 'volume' : 'local');
  const bootIndex = bootIndexOf(item.boot_index);
  if (source === 'image' && destination === 'local') {
    if (!(imageSpecified && bootIndex === 0)) throw invalidFormat('Mapping image to local is not supported.');
    return null;
  }
  if (destination === 'local') throw invalidFormat('ephemeral and swap disks (destination_type local) are not supported by this cloud.');
  return {
    sourceType: source,
    uuid: item.uuid ?? null,
    bootIndex,
    volumeSize: sizeOf(item.volume_size),
    deleteOnTermination: item.delete_on_termination ?? false,
    deviceName: item.device_name ?? null,
    tag: item.tag ?? null,
  };
}

/** Nova's from_legacy_mapping: without an image the first volume boots; with one, every volume is a data disk. */
function fromLegacy(items: readonly LegacyBlockDeviceItem[], imageSpecified: boolean): RequestedBlockDevice[] {
  const devices = items
    .filter((item) => item.no_device === undefined || item.no_device === null || item.no_device === false)
    .map((item): RequestedBlockDevice => {
      const [sourceType, uuid] =
        item.snapshot_id !== undefined ? (['snapshot', item.snapshot_id] as const) : item.volume_id !== undefined ? (['volume', item.volume_id] as const) : [];
      if (sourceType === undefined) throw invalidFormat('Unrecognized legacy format.');
      return {
        sourceType,
        uuid,
        bootIndex: null,
        volumeSize: sizeOf(item.volume_size),
        deleteOnTermination: item.delete_on_termination ?? false,
        deviceName: item.device_name ?? null,
        tag: null,
      };
    });
  if (imageSpecified || devices.length === 0) return devices;
  return devices.map((device, index) => (index === 0 ? { ...device, bootIndex: 0 } : device));
}

/** The volumes a create asks for, from whichever syntax it used (both at once is Nova's 400). */
export function requestedBlockDevices(
  v2: readonly BlockDeviceV2Item[] | undefined,
  legacy: readonly LegacyBlockDeviceItem[] | undefined,
  imageSpecified: boolean,
): RequestedBlockDevice[] {
  if (v2 !== undefined && legacy !== undefined) throw new BadRequest('Using different block_device_mapping syntaxes is not allowed.');
  if (legacy !== undefined) return fromLegacy(legacy, imageSpecified);
  return (v2 ?? [])
    .filter((item) => item.no_device === undefined || item.no_device === null || item.no_device === false)
    .flatMap((item) => fromV2(item, imageSpecified) ?? []);
}

/** An item of an image's `block_device_mapping` property (bdm_v2): the v2 fields with the source's id by its own name. */
interface ImageBlockDeviceItem extends Omit<BlockDeviceV2Item, 'uuid'> {
  readonly snapshot_id?: string | null;
  readonly volume_id?: string | null;
  readonly image_id?: string | null;
}

/**
 * Nova's _get_image_defined_bdms for an image whose `block_device_mapping` is in the v2 format
 * (`bdm_v2`), as a volume-backed server's snapshot image has it. Legacy image mappings (no
 * bdm_v2) are not read: no image made here has them.
 */
export function imageDefinedBlockDevices(properties: Readonly<Record<string, string>>): RequestedBlockDevice[] {
  const mapping = properties['block_device_mapping'];
  if (mapping === undefined || !['true', '1', 'yes', 'on'].includes((properties['bdm_v2'] ?? '').toLowerCase())) return [];
  let items: unknown;
  try {
    items = JSON.parse(mapping);
  } catch {
    throw invalidFormat("the image's block_device_mapping is not JSON.");
  }
  if (!Array.isArray(items)) throw invalidFormat("the image's block_device_mapping is not a list.");
  return (items as ImageBlockDeviceItem[])
    .filter((item) => item.no_device === undefined || item.no_device === null || item.no_device === false)
    .flatMap(({ snapshot_id: snapshotId, volume_id: volumeId, image_id: imageId, ...item }) => {
      const uuid = snapshotId ?? volumeId ?? imageId ?? undefined;
      return fromV2({ ...item, ...(uuid === undefined ? {} : { uuid }) }, false) ?? [];
    });
}

/**
 * Nova's _check_and_transform_bdm merge: the request's mappings override the image's of the same
 * device name; when the image brings the root disk, the request's image-to-volume root is dropped.
 */
export function withImageDefined(requested: readonly RequestedBlockDevice[], fromImage: readonly RequestedBlockDevice[]): RequestedBlockDevice[] {
  if (fromImage.length === 0) return [...requested];
  const own = rootBlockDevice(fromImage) === undefined ? requested : requested.filter((device) => !(device.bootIndex === 0 && device.sourceType === 'image'));
  const names = new Set(own.flatMap((device) => (device.deviceName === null ? [] : [device.deviceName])));
  return [...own, ...fromImage.filter((device) => device.deviceName === null || !names.has(device.deviceName))];
}

/** The mapping the guest boots from, if the server is volume-backed. */
export function rootBlockDevice(devices: readonly RequestedBlockDevice[]): RequestedBlockDevice | undefined {
  return devices.find((device) => device.bootIndex === 0);
}
