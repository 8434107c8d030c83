/** The driver's view of an instance, built from the agent's record of it. */
import type { AgentInstance } from '../conductor/rpc-api.js';
import type { BlockDeviceInfo, ImageMeta, InstanceRef, InstanceSpec } from '../virt/instance-spec.js';
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
    blockDevices: blockDeviceInfo(instance),
  };
}

/** The volumes the host has a connection to, as the driver attaches them: the one with boot index 0 is the root disk. */
function blockDeviceInfo(instance: AgentInstance): BlockDeviceInfo {
  const connected = instance.volumes.flatMap((volume) =>
    volume.connection === null ? [] : [{ bootIndex: volume.bootIndex, attachment: { volumeId: volume.volumeId, mountpoint: volume.mountpoint, connection: volume.connection } }],
  );
  const root = connected.find((volume) => volume.bootIndex === 0);
  return {
    rootDeviceName: instance.rootDeviceName ?? '/dev/vda',
    ...(root === undefined ? {} : { rootVolume: root.attachment }),
    volumes: connected.filter((volume) => volume !== root).map((volume) => volume.attachment),
  };
}

/** Nova's is_volume_backed_instance on the host: no image of its own, or a root volume (boot index 0). */
export function bootsFromVolume(instance: AgentInstance): boolean {
  return instance.imageRef === '' || instance.volumes.some((volume) => volume.bootIndex === 0);
}

/** An image known by its id alone (a guest that exists already, or one whose root volume holds the image). */
export function knownImage(id: string): ImageMeta {
  return { id, name: '', diskFormat: 'raw', containerFormat: 'bare', minDiskGb: 0, minRamMb: 0, properties: {} };
}
