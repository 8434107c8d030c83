/**
 * Nova's _sync_power_states: the hypervisor is the authority on power state. Instances with a
 * task under way are skipped (the task will set it); an ACTIVE guest found shut down is STOPPED.
 */
import { getLogger } from '../../common/logging/logger.js';
import type { ConductorClient } from '../conductor/rpc-client.js';
import { VmState } from '../state/vm-states.js';
import type { ComputeDriver } from '../virt/driver.js';
import { InstanceNotFound } from '../virt/errors.js';
import { PowerState, powerStateName, type PowerState as PowerStateValue } from '../virt/power-state.js';
import { guestRef } from './guest-spec.js';

const LOG = getLogger('nimbus.compute.manager');

export async function syncPowerStates(host: string, driver: ComputeDriver, conductor: ConductorClient): Promise<void> {
  for (const instance of await conductor.instancesOnHost(host)) {
    if (instance.taskState !== null) continue;
    let actual: PowerStateValue;
    try {
      actual = (await driver.getInfo(guestRef(instance))).powerState;
    } catch (error) {
      if (!(error instanceof InstanceNotFound)) throw error;
      actual = PowerState.NOSTATE;
    }
    if (actual === instance.powerState) continue;
    const stopped = instance.vmState === VmState.ACTIVE && (actual === PowerState.SHUTDOWN || actual === PowerState.CRASHED);
    LOG.info(`Power state in the database differs from the hypervisor's (${powerStateName(actual)}); syncing`, { instance: instance.uuid });
    await conductor.instanceUpdate({
      uuid: instance.uuid,
      expected: { taskState: [null] },
      changes: stopped ? { powerState: actual, vmState: VmState.STOPPED } : { powerState: actual },
    });
  }
}
