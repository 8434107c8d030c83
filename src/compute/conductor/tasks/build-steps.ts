/** Steps the build and reschedule tasks share: send an instance to its claimed host, or fail it. */
import { getLogger } from '../../../common/logging/logger.js';
import type { ClaimedSelection, WireRequestSpec } from '../../scheduler/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { BuildRequest } from '../rpc-api.js';
import type { BuildFault } from '../rpc-api.js';
import type { TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

export const SCHEDULE_EVENT = 'schedule_instances';

/**
 * Records the allocation, points the instance at the host and its zone (only while it is still
 * waiting to be scheduled, and on `placedOn` when given — null: on no host yet; Nova's
 * schedule_and_build_instances sets the zone whether or not one was asked, so a server booted
 * without one is listed under its host's) and casts the build there. An instance deleted or placed
 * by another conductor meanwhile gets this claim back.
 */
export async function dispatchBuild(deps: TaskDeps, build: BuildRequest, spec: WireRequestSpec, selection: ClaimedSelection, placedOn?: string | null): Promise<void> {
  const uuid = build.instanceUuid;
  const { host, node } = selection.destination;
  const placed = await deps.instances.update({
    uuid,
    expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SCHEDULING], ...(placedOn === undefined ? {} : { host: placedOn }) },
    changes: { host, node, availabilityZone: await deps.aggregates.zoneOfHost(host) },
  });
  if (!placed) {
    const other = await deps.instances.get(uuid);
    LOG.info(`${other === undefined ? 'Instance was deleted' : `Instance moved on (${other.vmState}/${other.taskState ?? 'none'} on ${other.host ?? 'no host'}: another conductor placed it?)`} while scheduling; releasing its claim`, { instance: uuid });
    // A deleted instance's allocations all go (a dead conductor's too); one placed meanwhile keeps its own.
    if (other === undefined) await deps.nodes.deleteAllocations(uuid);
    await deps.scheduler.releaseClaim(uuid, host);
    return;
  }
  // The only allocation of the instance: one a conductor that died recorded for it goes.
  await deps.nodes.deleteAllocations(uuid);
  await deps.nodes.recordAllocation(uuid, host, selection.resources);
  // Read after the allocation: a delete from now on finds it and gives it back.
  const instance = await deps.instances.get(uuid);
  if (!instance) {
    LOG.info('Instance was deleted while scheduling; releasing its claim', { instance: uuid });
    await releaseClaim(deps, uuid, host);
    return;
  }
  LOG.info(`Casting build to ${host}`, { instance: uuid });
  await deps.agents.cast(host, 'build_and_run_instance', { instance, build, node, spec, alternates: selection.alternates });
}

export async function releaseClaim(deps: TaskDeps, uuid: string, host?: string): Promise<void> {
  await deps.nodes.deleteAllocations(uuid, host);
  await deps.scheduler.releaseClaim(uuid, host);
}

/**
 * ERROR with a fault, as Nova's _set_vm_state_and_notify: only an instance still building (and on
 * `placedOn` when given — null: on no host, not placed by another conductor meanwhile).
 */
export async function failBuild(deps: TaskDeps, uuid: string, fault: BuildFault, placedOn?: string | null): Promise<void> {
  const failed = await deps.instances.update({
    uuid,
    expected: { vmState: [VmState.BUILDING], ...(placedOn === undefined ? {} : { host: placedOn }) },
    changes: { vmState: VmState.ERROR, taskState: null, host: null, node: null },
  });
  if (!failed) {
    LOG.info(`Build failed here (${fault.message}), but the instance has moved on: left as it is`, { instance: uuid });
    return;
  }
  LOG.error(`Build failed: ${fault.message}`, { instance: uuid });
  await deps.instances.addFault({ uuid, ...fault, host: deps.host });
}

/** The spec one instance of a request is built under. */
export function specForInstance(spec: WireRequestSpec, instanceUuid: string): WireRequestSpec {
  return { ...spec, instanceUuid, instanceUuids: [instanceUuid], numInstances: 1, retry: spec.retry ?? { numAttempts: 1, hosts: [] } };
}
