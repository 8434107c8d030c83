import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { MigrationStore } from '../db/migration-store.js';
import { MigrationStatus, MigrationType } from '../moves/migration.js';
import type { ExpectedState } from '../db/instance-state-compare-and-set.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, type ActionSupport } from './action-support.js';
import { generatePassword } from './create-servers.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { computeService } from '../scheduler/host-source.js';
import type { Server } from './server.js';

/** What evacuate asks for, already read per microversion. */
export interface EvacuateOptions {
  readonly host: string | null;
  /** Claim on `host` without the scheduler's filters. */
  readonly force: boolean;
  /** Given by the caller, or null to have one generated (none on shared storage before 2.14). */
  readonly adminPassword: string | null;
  /** Before 2.14 the caller says whether the disks are on shared storage; from 2.14 null. */
  readonly onSharedStorage: boolean | null;
}

const EVACUABLE: ExpectedState = { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] };

/**
 * Nova's compute API evacuate: only for a server whose host's compute service is down (or forced
 * down), rebuilt on another host — the one named, or the scheduler's. Not lock-checked, as in Nova.
 * Answers the admin password the rebuilt server gets (null when its disks are reused).
 */
export class EvacuateActions {
  readonly #migrations: MigrationStore;

  constructor(
    private readonly support: ActionSupport,
    private readonly services: Pick<ServiceRegistry, 'list'>,
  ) {
    this.#migrations = support.deps.migrations;
  }

  async evacuate(context: RequestContext, server: Server, options: EvacuateOptions): Promise<string | null> {
    const { uuid } = server.row;
    if (options.host !== null && (await computeService(this.services, options.host)) === undefined) {
      throw new NotFound(`Compute host ${options.host} not found.`);
    }
    if (options.host !== null && options.host === server.row.host) throw new BadRequest("The target host can't be the same one.");
    await this.support.requireState(server, 'evacuate', EVACUABLE);
    const source = hostOf(server);
    if ((await computeService(this.services, source))?.up === true) throw new BadRequest(`Compute service of ${source} is still in use.`);
    const { store, now } = this.support.deps;
    if (!(await store.casState(uuid, EVACUABLE, { task_state: TaskState.REBUILDING }, now()))) {
      await this.support.refuse('evacuate', uuid, server, EVACUABLE);
    }
    await this.support.record(context, uuid, InstanceActionName.EVACUATE);
    const migration = await this.#migrations.create({
      instanceUuid: uuid,
      type: MigrationType.EVACUATION,
      status: MigrationStatus.ACCEPTED,
      sourceCompute: source,
      sourceNode: server.row.node,
      destCompute: options.host,
      userId: context.userId ?? null,
      projectId: context.projectId ?? null,
    });
    const adminPassword = options.adminPassword ?? (options.onSharedStorage === true ? null : generatePassword());
    await this.support.conductor.evacuateInstance({
      instanceUuid: uuid,
      migrationId: migration.id,
      host: options.host,
      force: options.force,
      adminPassword,
      onSharedStorage: options.onSharedStorage,
      availabilityZone: server.row.requested_availability_zone,
    });
    return adminPassword;
  }
}
