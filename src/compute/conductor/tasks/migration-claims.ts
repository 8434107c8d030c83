/**
 * The destination claim of a moving instance (live migration, evacuation): taken under the
 * migration while the source keeps the instance's claim; move-resources.ts settles the two.
 */
import { BadRequest } from '../../../common/errors/errors.js';
import type { MigrationRow } from '../../moves/migration.js';
import { NoValidHost } from '../../scheduler/no-valid-host.js';
import { singleInstanceSpec, type RequestSpec } from '../../scheduler/request-spec.js';
import type { ClaimedSelection } from '../../scheduler/rpc-api.js';
import type { AgentInstance } from '../rpc-api.js';
import type { TaskDeps } from './task.js';

/** Where the caller wants the instance: a host (forced past the filters, or only checked by them) or none. */
export interface RequestedHost {
  readonly host: string | null;
  /** Nova's force: claim on the host without running the filters. */
  readonly force: boolean;
  /** The zone of the server's RequestSpec (null: any): the AvailabilityZoneFilter keeps the move in it. */
  readonly availabilityZone: string | null;
}

/** The spec a move of `instance` is scheduled under: its flavor and zone, never back onto its own host. */
function moveSpec(instance: AgentInstance, { host, availabilityZone }: RequestedHost): RequestSpec {
  const { vcpus, memoryMb, rootGb, ephemeralGb, swapMb, extraSpecs } = instance.flavor;
  return {
    ...singleInstanceSpec(instance.uuid, instance.projectId, { vcpus, memoryMb, rootGb, ephemeralGb, swapMb, extraSpecs }, { id: instance.imageRef, properties: {} }),
    // Nova's ignore_hosts: the source is never a destination.
    retry: { numAttempts: 1, hosts: instance.host === null ? [] : [instance.host] },
    ...(host === null ? {} : { requestedDestination: { host } }),
    ...(availabilityZone === null ? {} : { availabilityZone }),
    // A volume-backed instance's root disk is a volume: the destination needs no local disk for root_gb.
    ...(instance.volumes.some((volume) => volume.bootIndex === 0) ? { isBootFromVolume: true } : {}),
  };
}

/**
 * Claims the destination for `migration` and records the allocation under the migration's uuid.
 * The scheduler's NoValidHost is the caller's to answer (the live migration and the evacuation
 * answer it differently); a forced host that cannot take the instance is a 400.
 */
export async function claimDestination(deps: TaskDeps, instance: AgentInstance, migration: MigrationRow, wanted: RequestedHost): Promise<ClaimedSelection> {
  const spec = moveSpec(instance, wanted);
  let selection: ClaimedSelection | undefined;
  if (wanted.host !== null && wanted.force) {
    const result = await deps.scheduler.claimOnHost(instance.uuid, migration.uuid, spec, wanted.host);
    if ('refused' in result) throw new BadRequest(`Migration pre-check error: ${result.refused}`);
    selection = result.selection;
  } else {
    [selection] = await deps.scheduler.selectDestinations(spec, { migrationId: migration.uuid });
  }
  if (selection === undefined) throw new NoValidHost('');
  await deps.nodes.recordAllocation(migration.uuid, selection.destination.host, selection.resources);
  return selection;
}
