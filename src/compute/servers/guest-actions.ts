import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NimbusError } from '../../common/errors/errors.js';
import type { AgentCastVerb } from '../agent/rpc-api.js';
import type { ExpectedState } from '../db/instance-state-compare-and-set.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, isVolumeBacked, type ActionSupport } from './action-support.js';
import { generatePassword } from './create-servers.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { rebuildServer, type RebuildDeps, type RebuildRequest } from './rebuild-server.js';
import type { ImageRef } from '../../image/index.js';
import { rootVolume } from '../volumes/block-device.js';
import type { Server } from './server.js';

/** A guest-state action with no arguments: where it may start, the task it sets, what it casts. */
interface SimpleAction {
  readonly name: string;
  readonly from: readonly VmState[];
  readonly task: TaskState;
  readonly record: InstanceActionName;
  readonly verb: Extract<AgentCastVerb, 'pause_instance' | 'unpause_instance' | 'suspend_instance' | 'resume_instance' | 'unrescue_instance'>;
}

/** Nova's @check_instance_state for each (task_state must be None for all of them). */
const PAUSE: SimpleAction = { name: 'pause', from: [VmState.ACTIVE], task: TaskState.PAUSING, record: InstanceActionName.PAUSE, verb: 'pause_instance' };
const UNPAUSE: SimpleAction = { name: 'unpause', from: [VmState.PAUSED], task: TaskState.UNPAUSING, record: InstanceActionName.UNPAUSE, verb: 'unpause_instance' };
const SUSPEND: SimpleAction = { name: 'suspend', from: [VmState.ACTIVE], task: TaskState.SUSPENDING, record: InstanceActionName.SUSPEND, verb: 'suspend_instance' };
const RESUME: SimpleAction = { name: 'resume', from: [VmState.SUSPENDED], task: TaskState.RESUMING, record: InstanceActionName.RESUME, verb: 'resume_instance' };
const UNRESCUE: SimpleAction = { name: 'unrescue', from: [VmState.RESCUED], task: TaskState.UNRESCUING, record: InstanceActionName.UNRESCUE, verb: 'unrescue_instance' };
const RESCUE_FROM: ExpectedState = { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] };

export interface RescueRequest {
  readonly adminPass?: string;
  readonly rescueImageRef?: string;
  /** 2.87: a volume-backed server may be rescued, with a rescue image that says its rescue bus and device. */
  readonly allowVolumeBacked?: boolean;
}

/**
 * Nova's compute API pause, unpause, suspend, resume, rescue, unrescue and rebuild: the lock
 * check, the state guard and the task state in one compare-and-set (409 naming the state), the
 * instance action, then a cast to the agent on the server's host, which finishes the transition.
 */
export class GuestActions {
  constructor(
    private readonly support: ActionSupport,
    private readonly deps: RebuildDeps,
  ) {}

  pause(context: RequestContext, server: Server): Promise<void> {
    return this.#simple(context, server, PAUSE);
  }

  unpause(context: RequestContext, server: Server): Promise<void> {
    return this.#simple(context, server, UNPAUSE);
  }

  suspend(context: RequestContext, server: Server): Promise<void> {
    return this.#simple(context, server, SUSPEND);
  }

  resume(context: RequestContext, server: Server): Promise<void> {
    return this.#simple(context, server, RESUME);
  }

  unrescue(context: RequestContext, server: Server): Promise<void> {
    return this.#simple(context, server, UNRESCUE);
  }

  /** Rescue with the given image (the instance's own by default); returns the rescue system's admin password. */
  async rescue(context: RequestContext, server: Server, request: RescueRequest): Promise<string> {
    const uuid = server.row.uuid;
    await this.support.guard(context, server, 'rescue', RESCUE_FROM);
    const host = hostOf(server);
    const requested = request.rescueImageRef === undefined ? undefined : await this.#rescueImage(context, request.rescueImageRef, true);
    if (isVolumeBacked(server) || rootVolume(await this.deps.blockDevices.ofInstance(uuid)) !== undefined) {
      const image = requested ?? (server.row.image_ref === '' ? undefined : await this.#rescueImage(context, server.row.image_ref, false));
      // Nova's allow_bfv_rescue: 2.87 and a stable-device rescue image (every driver here has COMPUTE_RESCUE_BFV).
      const stableDevice = image !== undefined && 'hw_rescue_bus' in image.properties && 'hw_rescue_device' in image.properties;
      if (request.allowVolumeBacked !== true || !stableDevice) throw new BadRequest(`Instance ${uuid} cannot be rescued: Cannot rescue a volume-backed instance`);
    }
    const password = request.adminPass ?? generatePassword();
    await this.support.transition(context, server, 'rescue', RESCUE_FROM, { task_state: TaskState.RESCUING });
    await this.support.record(context, uuid, InstanceActionName.RESCUE);
    await this.support.agents.cast(host, 'rescue_instance', { instanceUuid: uuid, rescuePassword: password, rescueImageRef: request.rescueImageRef ?? null });
    return password;
  }

  /** Rebuild from an image (rebuild-server.ts); returns the new admin password. */
  rebuild(context: RequestContext, server: Server, request: RebuildRequest): Promise<string> {
    return rebuildServer(this.support, this.deps, context, server, request);
  }

  async #simple(context: RequestContext, server: Server, action: SimpleAction): Promise<void> {
    const expected: ExpectedState = { vmState: action.from, taskState: [null] };
    await this.support.guard(context, server, action.name, expected);
    const host = hostOf(server);
    await this.support.transition(context, server, action.name, expected, { task_state: action.task });
    await this.support.record(context, server.row.uuid, action.record);
    await this.support.agents.cast(host, action.verb, { instanceUuid: server.row.uuid });
  }

  /**
   * The rescue image's record. Nova's UnsupportedRescueImage: a requested image the caller cannot
   * see is 400, not 404; the server's own image, gone, leaves nothing to read properties from.
   */
  async #rescueImage(context: RequestContext, imageRef: string, requested: boolean): Promise<ImageRef | undefined> {
    try {
      return await this.deps.images.getImageForCompute(context, imageRef);
    } catch (error) {
      if (!(error instanceof NimbusError && error.status === 404)) throw error;
      if (requested) throw new BadRequest(`Requested rescue image '${imageRef}' is not supported`);
      return undefined;
    }
  }
}
