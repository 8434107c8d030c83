/** The driver's view of an instance, built from the agent's record of it. */
import type { AgentInstance } from '../conductor/rpc-api.js';
import type { ImageMeta, InstanceRef, InstanceSpec, VolumeAttachment } from '../virt/instance-spec.js';
import { vifSpecs } from '../network/network-info.js';

export function guestRef(instance: AgentInstance): InstanceRef {
  return { uuid: instance.uuid, name: instance.name };
}

/**
 * `image` is needed to create a guest; operations on a guest that exists already boot from its
 * own disk, so they get the image's id alone and do not depend on the image still existing.
 */
export function guestSpec(instance: AgentInstance, image: ImageMeta = knownImage(instance.imageRef)): InstanceSpec {
  return {
    ...guestRef(instance),
    hostname: instance.hostname,
    displayName: instance.displayName,
    projectId: instance.projectId,
    launchIndex: instance.launchIndex,
    availabilityZone: instance.availabilityZone,
    flavor: instance.flavor,
    image,
    userData: instance.userData,
    keyName: instance.keyName,
    keyData: instance.keyData,
    configDrive: instance.configDrive,
    metadata: instance.metadata,
    network: vifSpecs(instance.networkInfo),
    blockDevices: { rootDeviceName: instance.rootDeviceName ?? '/dev/vda', volumes: attachedVolumes(instance) },
  };
}

/** The volumes the host has a connection to, as the driver attaches them. */
export function attachedVolumes(instance: AgentInstance): VolumeAttachment[] {
  return instance.volumes.flatMap((volume) => (volume.connection === null ? [] : [{ volumeId: volume.volumeId, mountpoint: volume.mountpoint, connection: volume.connection }]));
}

function knownImage(id: string): ImageMeta {
  return { id, name: '', diskFormat: 'raw', containerFormat: 'bare', minDiskGb: 0, minRamMb: 0, properties: {} };
}
