/**
 * Nova's _destroy_evacuated_instances: at agent start, guests this host still runs although their
 * instance was evacuated while the host was down are destroyed here, and only here — the
 * instance record belongs to its new host. Finished evacuations are then marked completed.
 * Answers the evacuated instances, which start-up recovery must leave to their new host.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import { MigrationStatus, MigrationType } from '../moves/migration.js';
import type { ComputeDriver } from '../virt/driver.js';
import type { InstanceSpec } from '../virt/instance-spec.js';
import { guestSpec } from './guest-spec.js';

const LOG = getLogger('nimbus.compute.manager');

/** Evacuations started, under way or done: in each the instance lives (or will live) elsewhere. */
const EVACUATED = [MigrationStatus.ACCEPTED, MigrationStatus.PRE_MIGRATING, MigrationStatus.DONE];

export async function destroyEvacuatedInstances(host: string, driver: ComputeDriver, conductor: ConductorClient): Promise<ReadonlySet<string>> {
  const touching = await conductor.migrationList({ host, type: MigrationType.EVACUATION, statuses: EVACUATED });
  const evacuations = touching.filter((migration) => migration.source_compute === host);
  if (evacuations.length === 0) return new Set();
  const local = new Set(await driver.listInstances());
  for (const migration of evacuations) {
    const uuid = migration.instance_uuid;
    if (local.has(uuid)) {
      LOG.info('Destroying instance as it has been evacuated from this host but still exists in the hypervisor', { instance: uuid });
      const instance = await conductor.instanceGet(uuid);
      // Its disks go too, unless the new host took them over on shared instance storage (the driver knows).
      await driver.destroy(instance === null ? deletedGuest(uuid) : guestSpec(instance), { destroyDisks: true });
      local.delete(uuid);
    }
    if (migration.status === MigrationStatus.DONE) {
      await conductor.migrationUpdate({ id: migration.id, changes: { status: MigrationStatus.COMPLETED }, expectedStatuses: [MigrationStatus.DONE] });
    }
  }
  return new Set(evacuations.map((migration) => migration.instance_uuid));
}

/** What destroy needs of a guest whose instance was deleted meanwhile: its identity. */
function deletedGuest(uuid: string): InstanceSpec {
  return {
    uuid,
    name: `instance-${uuid.slice(0, 8)}`,
    hostname: '',
    displayName: '',
    projectId: '',
    launchIndex: 0,
    availabilityZone: '',
    flavor: { id: '', name: '', vcpus: 0, memoryMb: 0, rootGb: 0, ephemeralGb: 0, swapMb: 0, extraSpecs: {} },
    image: { id: '', name: '', diskFormat: 'raw', containerFormat: 'bare', minDiskGb: 0, minRamMb: 0, properties: {} },
    userData: null,
    keyName: null,
    keyData: null,
    configDrive: false,
    metadata: {},
    network: [],
    blockDevices: { rootDeviceName: '/dev/vda', volumes: [] },
  };
}
