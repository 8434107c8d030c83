/**
 * The compute agent's handlers (Nova's ComputeManager), one method per verb. The API has already
 * moved the instance into the verb's task state; each method checks it is still there, drives
 * the hypervisor and finishes the transition through the conductor — or reverts the task state
 * and records a fault. Operations on one instance run one at a time.
 */
import type { ConductorClient } from '../conductor/conductor-client.js';
import type { AgentInstance, InstanceUpdate } from '../conductor/wire.js';
import { HARD_REBOOT_STATES, SOFT_REBOOT_STATES, TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import type { ComputeDriver } from '../virt/driver.js';
import { PowerState } from '../virt/power-state.js';
import { getLogger } from '../../common/logging/logger.js';
import { guestRef, guestSpec } from './guest-spec.js';
import type { ImageAccess } from './image-access.js';
import { InstanceLocks } from './instance-locks.js';
import type { AgentHandlers, BuildAndRunInstanceArgs, ConsoleOutputArgs, InstanceArgs, RebootInstanceArgs, StopInstanceArgs } from './messages.js';

const LOG = getLogger('nimbus.compute.manager');

export const BUILD_EVENT = 'compute__do_build_and_run_instance';

export interface ComputeManagerDeps {
  readonly host: string;
  readonly driver: ComputeDriver;
  readonly conductor: ConductorClient;
  readonly images: ImageAccess;
  /** Reports the host's resources now, after a guest appeared or went away. */
  readonly reportResources: () => Promise<void>;
  /** `[DEFAULT] shutdown_timeout`: seconds a clean stop waits for the guest (Nova: 60). */
  readonly shutdownTimeoutSeconds?: number;
}

/** What a finished action writes, and anything to do once it is written. */
interface ActionOutcome {
  readonly changes: InstanceUpdate;
  readonly after?: () => Promise<void>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ComputeManager {
  readonly #locks = new InstanceLocks();

  constructor(private readonly deps: ComputeManagerDeps) {}

  handlers(): AgentHandlers {
    return {
      build_and_run_instance: (args) => this.buildAndRunInstance(args),
      start_instance: (args) => this.startInstance(args),
      stop_instance: (args) => this.stopInstance(args),
      reboot_instance: (args) => this.rebootInstance(args),
      terminate_instance: (args) => this.terminateInstance(args),
      get_console_output: (args) => this.getConsoleOutput(args),
    };
  }

  buildAndRunInstance(args: BuildAndRunInstanceArgs): Promise<void> {
    return this.#locks.run(args.instance.uuid, () => this.#build(args));
  }

  startInstance({ instanceUuid }: InstanceArgs): Promise<void> {
    return this.#action(instanceUuid, 'compute_start_instance', [TaskState.POWERING_ON], async (instance) => {
      await this.deps.driver.powerOn(guestSpec(instance));
      return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
    });
  }

  stopInstance({ instanceUuid, clean }: StopInstanceArgs): Promise<void> {
    return this.#action(instanceUuid, 'compute_stop_instance', [TaskState.POWERING_OFF], async (instance) => {
      const timeoutSeconds = clean ? (this.deps.shutdownTimeoutSeconds ?? 60) : 0;
      await this.deps.driver.powerOff(guestRef(instance), { timeoutSeconds, retryIntervalSeconds: 10 });
      return { changes: { vmState: VmState.STOPPED, powerState: PowerState.SHUTDOWN } };
    });
  }

  rebootInstance({ instanceUuid, rebootType }: RebootInstanceArgs): Promise<void> {
    const states = rebootType === 'HARD' ? HARD_REBOOT_STATES : SOFT_REBOOT_STATES;
    return this.#action(instanceUuid, 'compute_reboot_instance', states, async (instance) => {
      await this.deps.driver.reboot(guestSpec(instance), rebootType === 'HARD' ? 'hard' : 'soft');
      return { changes: { vmState: VmState.ACTIVE, powerState: PowerState.RUNNING } };
    });
  }

  terminateInstance({ instanceUuid }: InstanceArgs): Promise<void> {
    return this.#action(instanceUuid, 'compute_terminate_instance', [TaskState.DELETING], async (instance) => {
      await this.deps.driver.destroy(guestSpec(instance), { destroyDisks: true });
      return {
        changes: { vmState: VmState.DELETED, powerState: PowerState.NOSTATE, terminatedAt: new Date().toISOString(), deleted: true },
        after: async () => {
          await this.deps.conductor.releaseResources(instanceUuid);
          await this.deps.reportResources();
        },
      };
    });
  }

  async getConsoleOutput({ instanceUuid, length }: ConsoleOutputArgs): Promise<string> {
    const instance = await this.deps.conductor.instanceGet(instanceUuid);
    if (!instance) throw new Error(`Instance ${instanceUuid} could not be found.`);
    const output = await this.deps.driver.getConsoleOutput(guestRef(instance));
    if (length === undefined) return output;
    const lines = output.replace(/\n$/, '').split('\n');
    return lines.length <= length ? output : `${lines.slice(lines.length - length).join('\n')}\n`;
  }

  async #build({ instance, build, node, spec, alternates }: BuildAndRunInstanceArgs): Promise<void> {
    const { conductor, driver, host } = this.deps;
    const uuid = instance.uuid;
    const spawning = await conductor.instanceUpdate({
      uuid,
      expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SCHEDULING] },
      changes: { taskState: TaskState.SPAWNING },
    });
    if (!spawning) {
      LOG.info('Instance is no longer waiting to be built here; giving its resources back', { instance: uuid });
      await conductor.releaseResources(uuid);
      return;
    }
    await conductor.actionEventStart({ uuid, event: BUILD_EVENT, host });
    const started = Date.now();
    try {
      const image = await this.deps.images.getImageMeta(build.imageRef);
      await driver.spawn(guestSpec(instance, image), { powerOn: true, adminPassword: build.adminPassword ?? null, reuseDisks: false });
    } catch (error) {
      LOG.error(`Failed to build instance on ${host}: ${messageOf(error)}`, { instance: uuid });
      await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Error', traceback: messageOf(error) });
      const requeued = await conductor.instanceUpdate({
        uuid,
        expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SPAWNING] },
        changes: { taskState: TaskState.SCHEDULING, host: null, node: null },
      });
      if (requeued) await conductor.reschedule({ build, spec, failedHost: host, alternates, fault: { code: 500, message: messageOf(error) } });
      else await conductor.releaseResources(uuid);
      return;
    }
    LOG.info(`Took ${((Date.now() - started) / 1000).toFixed(2)} seconds to spawn the instance on the hypervisor.`, { instance: uuid });
    const active = await conductor.instanceUpdate({
      uuid,
      expected: { vmState: [VmState.BUILDING], taskState: [TaskState.SPAWNING] },
      changes: { vmState: VmState.ACTIVE, taskState: null, powerState: PowerState.RUNNING, host, node, launchedAt: new Date().toISOString() },
    });
    if (!active) {
      await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Error', traceback: 'Instance changed state while spawning' });
      // A delete in progress finishes the job through terminate_instance; a vanished row is ours to clean up.
      if ((await conductor.instanceGet(uuid)) === null) {
        await driver.destroy(guestSpec(instance), { destroyDisks: true });
        await conductor.releaseResources(uuid);
      }
      return;
    }
    await conductor.actionEventFinish({ uuid, event: BUILD_EVENT, host, result: 'Success' });
  }

  /** Runs a verb on an instance still in one of `taskStates`, finishing or reverting its task state. */
  #action(
    uuid: string,
    event: string,
    taskStates: readonly TaskState[],
    work: (instance: AgentInstance) => Promise<ActionOutcome>,
  ): Promise<void> {
    return this.#locks.run(uuid, async () => {
      const { conductor, host } = this.deps;
      const instance = await conductor.instanceGet(uuid);
      if (!instance || !(taskStates as readonly (string | null)[]).includes(instance.taskState)) {
        LOG.info(`Ignoring ${event}: instance is in task state ${instance?.taskState ?? 'gone'}`, { instance: uuid });
        return;
      }
      const expected = { taskState: taskStates };
      await conductor.actionEventStart({ uuid, event, host });
      let outcome: ActionOutcome;
      try {
        outcome = await work(instance);
      } catch (error) {
        LOG.error(`${event} failed: ${messageOf(error)}`, { instance: uuid, error });
        await conductor.instanceUpdate({ uuid, expected, changes: { taskState: null } });
        await conductor.instanceFaultCreate({ uuid, code: 500, message: messageOf(error), host });
        await conductor.actionEventFinish({ uuid, event, host, result: 'Error', traceback: messageOf(error) });
        return;
      }
      await conductor.instanceUpdate({ uuid, expected, changes: { ...outcome.changes, taskState: null } });
      await conductor.actionEventFinish({ uuid, event, host, result: 'Success' });
      await outcome.after?.();
    });
  }
}
