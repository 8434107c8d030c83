import type { InstanceSpec, VifSpec } from '../instance-spec.js';
import { DEFINITION_VERSION, MACHINE_TYPE, type DiskDefinition, type NicDefinition, type VmDefinition } from './argv/vm-definition.js';
import { writeConfigDrive } from './disk/config-drive.js';
import type { Accelerator } from './host/accelerator.js';
import { type InstanceDir, readDefinition } from './instance/instance-dir.js';
import { volumeDefinition } from './volumes.js';

/** The config drive's disk id in a definition. */
export const CONFIG_DRIVE_DISK_ID = 'config0';

/** The NIC of a port; its ids come from the port id, so they stay when other ports come and go. */
export function nicDefinition(vif: VifSpec): NicDefinition {
  const id = `n${vif.id.replace(/[^0-9A-Za-z]/g, '').slice(0, 16)}`;
  return { id, portId: vif.id, mac: vif.mac, devname: vif.devname, bridge: vif.bridge, mtu: vif.mtu };
}

/** The definition of a guest as the agent describes it: flavor, disks in its directory, volumes, NICs. */
export function instanceDefinition(instance: InstanceSpec, dir: InstanceDir, accelerator: Accelerator): VmDefinition {
  const { flavor } = instance;
  const { rootVolume } = instance.blockDevices;
  // A volume-backed guest boots from its volume as vda (serial: the volume id); else from its image overlay.
  const root: DiskDefinition = rootVolume === undefined ? { id: 'disk0', path: dir.rootDisk, format: 'qcow2', serial: null, readOnly: false } : volumeDefinition(rootVolume, dir.runtime).disk;
  const configDrive: DiskDefinition = { id: CONFIG_DRIVE_DISK_ID, path: dir.configDrive, format: 'raw', serial: null, readOnly: true };
  return {
    version: DEFINITION_VERSION,
    uuid: instance.uuid,
    name: instance.name,
    machine: MACHINE_TYPE,
    accelerator,
    vcpus: flavor.vcpus,
    memoryMb: flavor.memoryMb,
    localGb: (rootVolume === undefined ? flavor.rootGb : 0) + flavor.ephemeralGb + Math.ceil(flavor.swapMb / 1024),
    disks: instance.configDrive ? [root, configDrive] : [root],
    volumes: instance.blockDevices.volumes.map((volume) => volumeDefinition(volume, dir.runtime)),
    nics: instance.network.map(nicDefinition),
    display: 'vnc',
  };
}

/** The tap devices the guest's definitions on this host name (own, rescue, incoming): what unplugging it deletes. */
export async function definedTaps(dir: InstanceDir): Promise<string[]> {
  const definitions = await Promise.all([dir.definition, dir.rescueDefinition, dir.incomingDefinition].map(readDefinition));
  return definitions.flatMap((definition) => definition?.nics.map((nic) => nic.devname) ?? []);
}

/**
 * Writes the config drive the definition refers to, where the instance has one. Each host builds
 * its own from the spec (spawn, rebuild, migration's destination), as Nova does: it is never copied.
 */
export async function createConfigDrive(instance: InstanceSpec, dir: InstanceDir): Promise<void> {
  if (instance.configDrive) await writeConfigDrive(dir.configDrive, instance);
}
