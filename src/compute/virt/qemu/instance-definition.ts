import type { InstanceSpec } from '../instance-spec.js';
import { DEFINITION_VERSION, MACHINE_TYPE, type VmDefinition } from './argv/vm-definition.js';
import type { Accelerator } from './host/accelerator.js';
import type { InstanceDir } from './instance/instance-dir.js';
import { volumeDefinition } from './volumes.js';

/** The definition of a guest as the agent describes it: flavor, root disk in its directory, volumes. */
export function instanceDefinition(instance: InstanceSpec, dir: InstanceDir, accelerator: Accelerator): VmDefinition {
  const { flavor } = instance;
  return {
    version: DEFINITION_VERSION,
    uuid: instance.uuid,
    name: instance.name,
    machine: MACHINE_TYPE,
    accelerator,
    vcpus: flavor.vcpus,
    memoryMb: flavor.memoryMb,
    localGb: flavor.rootGb + flavor.ephemeralGb + Math.ceil(flavor.swapMb / 1024),
    disks: [{ id: 'disk0', path: dir.rootDisk, format: 'qcow2', serial: null, readOnly: false }],
    volumes: instance.blockDevices.volumes.map(volumeDefinition),
  };
}
