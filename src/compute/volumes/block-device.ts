/** Nova's block device mappings (objects/block_device.py) as compute keeps them: one per disk of an instance that is a volume. */
import type { VolumeConnection } from '../virt/instance-spec.js';

export interface BlockDeviceMapping {
  readonly id: number;
  /** Nova's bdm uuid (the 2.89 view's bdm_uuid). */
  readonly uuid: string | null;
  readonly instanceUuid: string;
  /** image, volume, snapshot, blank. */
  readonly sourceType: string;
  /** volume or local. */
  readonly destinationType: string;
  /** The guest device, `/dev/vdb`. */
  readonly deviceName: string | null;
  /** 0 for the disk the guest boots from; null for others. */
  readonly bootIndex: number | null;
  readonly imageId: string | null;
  /** The volume snapshot a volume is made from (source snapshot). */
  readonly snapshotId: string | null;
  /** Null until the volume exists (sources image, snapshot and blank make it on the compute host). */
  readonly volumeId: string | null;
  readonly volumeSize: number | null;
  readonly deleteOnTermination: boolean;
  /** The Cinder attachment (3.44 flow) that holds the volume for this instance. */
  readonly attachmentId: string | null;
  readonly tag: string | null;
  /** Cinder's connection_info for the instance's host; null until the host connected. */
  readonly connectionInfo: Readonly<Record<string, unknown>> | null;
  readonly createdAt: Date;
}

/** A volume as the agent and the driver see it: where it sits in the guest and how the host reaches it. */
export interface AgentVolume {
  readonly volumeId: string;
  readonly attachmentId: string | null;
  readonly mountpoint: string;
  readonly bootIndex: number | null;
  readonly deleteOnTermination: boolean;
  /** Null while the host has not connected yet (a reserved attach). */
  readonly connection: VolumeConnection | null;
}

/** Cinder's connection_info in the driver's terms; transports this host cannot use stay null. */
export function volumeConnectionOf(connectionInfo: Readonly<Record<string, unknown>> | null): VolumeConnection | null {
  if (connectionInfo === null) return null;
  const data = (connectionInfo['data'] ?? {}) as Record<string, unknown>;
  const shared = connectionInfo['multiattach'] === true ? { multiattach: true } : {};
  switch (connectionInfo['driver_volume_type']) {
    case 'file':
    case 'local':
      return typeof data['device_path'] === 'string' ? { driverVolumeType: 'file', path: data['device_path'], ...shared } : null;
    case 'nbd': {
      if (typeof data['host'] !== 'string' || typeof data['port'] !== 'number' || typeof data['export_name'] !== 'string') return null;
      const { psk_identity: identity, psk_key: key } = data;
      const psk = typeof identity === 'string' && typeof key === 'string' ? { psk: { identity, key } } : {};
      return { driverVolumeType: 'nbd', host: data['host'], port: data['port'], exportName: data['export_name'], ...psk, ...shared };
    }
    default:
      return null;
  }
}

/**
 * Nova's _volume_attach: the connection_info of a multiattach volume is marked so (the hypervisor
 * then lets other guests write it too); a move keeps the mark its previous connection had.
 */
export function markMultiattach(connectionInfo: Readonly<Record<string, unknown>>, multiattach: boolean): Readonly<Record<string, unknown>> {
  return multiattach ? { ...connectionInfo, multiattach: true } : connectionInfo;
}

/** A volume's mapping as the agent and the driver see the volume. */
export function agentVolumeOf(mapping: Pick<BlockDeviceMapping, 'volumeId' | 'attachmentId' | 'deviceName' | 'bootIndex' | 'deleteOnTermination' | 'connectionInfo'>): AgentVolume {
  return {
    volumeId: mapping.volumeId ?? '',
    attachmentId: mapping.attachmentId,
    mountpoint: mapping.deviceName ?? '',
    bootIndex: mapping.bootIndex,
    deleteOnTermination: mapping.deleteOnTermination,
    connection: volumeConnectionOf(mapping.connectionInfo),
  };
}

/** The mapping a volume-backed server boots from (Nova's is_volume_backed_instance: a volume at boot index 0), if any. */
export function rootVolume(mappings: readonly BlockDeviceMapping[]): BlockDeviceMapping | undefined {
  return mappings.find((mapping) => mapping.bootIndex === 0 && mapping.destinationType === 'volume' && mapping.volumeId !== null);
}

/** The next free virtio disk name after those in use (Nova's get_next_device_name): vda is the root. */
export function nextDeviceName(used: readonly (string | null)[]): string {
  const taken = new Set(used.filter((name): name is string => name !== null).map((name) => name.replace(/^\/dev\//, '')));
  for (let index = 1; index < 26; index += 1) {
    const name = `vd${String.fromCharCode(97 + index)}`;
    if (!taken.has(name)) return `/dev/${name}`;
  }
  throw new Error('No free disk device names left');
}
