/**
 * Nova's conductor unshelve_instance: a SHELVED instance still has its guest, so its own host
 * powers it on; a SHELVED_OFFLOADED one is scheduled again (select_destinations claims, the AZ
 * asked for is in the spec), placed on the host chosen and spawned there from its shelve
 * snapshot. No valid host: back to SHELVED_OFFLOADED with a fault and no claim left.
 */
import { messageOf, NimbusError } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { ClaimedSelection } from '../../scheduler/rpc-api.js';
import { fromWireSpec } from '../../scheduler/rpc-api.js';
import { TaskState } from '../../state/task-states.js';
import { VmState } from '../../state/vm-states.js';
import type { UnshelveServerArgs } from '../rpc-api.js';
import { releaseClaim, SCHEDULE_EVENT, specForInstance } from './build-steps.js';
import type { ConductorTask, TaskDeps } from './task.js';

const LOG = getLogger('nimbus.compute.conductor');

export class UnshelveInstanceTask implements ConductorTask {
  /** Claimed but not yet handed to the host: what a rollback must give back. */
  #claimed: ClaimedSelection | undefined;
  #scheduling = false;

  constructor(
    private readonly deps: TaskDeps,
    private readonly args: UnshelveServerArgs,
  ) {}

  async execute(): Promise<void> {
    const { deps } = this;
    const uuid = this.args.instanceUuid;
    const instance = await deps.instances.get(uuid);
    if (instance === undefined || instance.taskState !== TaskState.UNSHELVING) {
      LOG.info(`Not unshelving: instance is in task state ${instance?.taskState ?? 'gone'}`, { instance: uuid });
      return;
    }
    const imageId = (await deps.instances.systemMetadata(uuid))['shelved_image_id'] ?? null;
    if (instance.vmState === VmState.SHELVED && instance.host !== null) {
      await deps.agents.cast(instance.host, 'unshelve_instance', { instanceUuid: uuid, imageId, node: instance.node });
      return;
    }
    if (instance.vmState !== VmState.SHELVED_OFFLOADED) throw new Error(`Unshelve attempted but vm_state ${instance.vmState} is not SHELVED or SHELVED_OFFLOADED`);
    this.#scheduling = true;
    await deps.actions.eventStart({ uuid, event: SCHEDULE_EVENT, host: deps.host });
    const [selection] = await deps.scheduler.selectDestinations(fromWireSpec(specForInstance(this.args.spec, uuid)));
    if (selection === undefined) throw new Error('The scheduler returned no destination');
    this.#claimed = selection;
    const { host, node } = selection.destination;
    LOG.info(`Scheduler selected host: ${host}, node: ${node}`, { instance: uuid });
    await deps.nodes.recordAllocation(uuid, host, selection.resources);
    const placed = await deps.instances.update({
      uuid,
      expected: { vmState: [VmState.SHELVED_OFFLOADED], taskState: [TaskState.UNSHELVING] },
      // Nova's unshelve_instance: the zone of the host it was scheduled to.
      changes: { host, node, availabilityZone: await deps.aggregates.zoneOfHost(host) },
    });
    if (!placed) throw new Error('Instance changed state while it was scheduled');
    await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Success' });
    await deps.agents.cast(host, 'unshelve_instance', { instanceUuid: uuid, imageId, node });
    this.#claimed = undefined;
  }

  async rollback(error: unknown): Promise<void> {
    const { deps } = this;
    const uuid = this.args.instanceUuid;
    const message = messageOf(error);
    LOG.warning(`Unshelve failed: ${message}`, { instance: uuid });
    if (this.#claimed !== undefined) await releaseClaim(deps, uuid, this.#claimed.destination.host);
    const reverted = await deps.instances.update({
      uuid,
      expected: { taskState: [TaskState.UNSHELVING] },
      changes: { taskState: null, ...(this.#scheduling ? { host: null, node: null, availabilityZone: null } : {}) },
    });
    if (!reverted) return;
    await deps.instances.addFault({ uuid, code: error instanceof NimbusError ? error.status : 500, message, host: deps.host });
    if (this.#scheduling) await deps.actions.eventFinish({ uuid, event: SCHEDULE_EVENT, host: deps.host, result: 'Error', traceback: message });
  }
}
