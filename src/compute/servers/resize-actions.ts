/**
 * Nova's compute API resize, migrate (cold), confirm_resize and revert_resize. Resize and migrate
 * check what can be checked here (state, lock, flavor, image, quota for an upsize, the requested
 * host), move the server to task resize_prep and hand it to the conductor, which schedules and
 * records the migration; confirm and revert act on the finished migration, whose status
 * compare-and-set lets exactly one of them (or of two confirms) go on.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import type { ImageRef } from '../../image/index.js';
import { flavorResources, type Flavor } from '../flavors/flavor.js';
import type { FlavorStore } from '../db/flavor-store.js';
import type { MigrationRow } from '../moves/migration.js';
import type { MigrationStore } from '../db/migration-store.js';
import { startConfirm, type ConfirmDeps } from '../moves/start-confirm.js';
import { moveRef } from '../moves/migration.js';
import { confirmResizeOnSource } from '../agent/rpc-client.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import { computeService } from '../scheduler/host-source.js';
import { singleInstanceSpec, type RequestSpec } from '../scheduler/request-spec.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, isVolumeBacked, type ActionSupport } from './action-support.js';
import { checkImageFitsFlavor, type ImageLookup } from './create-servers.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import { hasComputeNode } from './move-checks.js';
import { autoDiskConfigFor, diskConfigMetadata, type DiskConfig } from './disk-config.js';
import type { Server } from './server.js';

const LOG = getLogger('nimbus.compute.api');

/** Where Nova stashes the vm_state a reverted resize returns to. */
const OLD_VM_STATE = 'old_vm_state';

export interface ResizeActionsDeps {
  readonly flavors: FlavorStore;
  readonly quotas: QuotaManager;
  readonly images: ImageLookup;
  readonly migrations: MigrationStore;
  /** nova-compute services, to refuse moves off (or confirms on) a host that is down. */
  readonly services: Pick<ServiceRegistry, 'list'>;
}

interface StoredFlavors {
  readonly cur: Flavor;
  readonly old: Flavor | null;
  readonly new: Flavor | null;
}

function storedFlavors(server: Server): StoredFlavors {
  return JSON.parse(server.row.flavor) as StoredFlavors;
}

export class ResizeActions {
  constructor(
    private readonly support: ActionSupport,
    private readonly deps: ResizeActionsDeps,
  ) {}

  /** POST resize: a new flavor, anywhere the scheduler finds room (the same host only if allowed). */
  /** Nova sets the server's disk config to the one asked for, MANUAL when none is (`auto_disk_config or False`). */
  async resize(context: RequestContext, server: Server, flavorRef: string, diskConfig?: DiskConfig): Promise<void> {
    await this.#checkMovable(context, server, 'resize');
    const current = storedFlavors(server).cur;
    const flavor = await this.#newFlavor(context, flavorRef);
    if (flavor.flavorid === current.flavorid) throw new BadRequest('When resizing, instances must change flavor!');
    // A volume-backed server's root disk is its volume: a flavor's disk size does not apply to it.
    if (flavor.root_gb === 0 && current.root_gb !== 0 && !isVolumeBacked(server)) {
      throw new BadRequest('Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.');
    }
    await this.#checkUpsizeQuota(server, current, flavor);
    const image = await this.#image(context, server);
    if (image !== undefined) checkImageFitsFlavor(image, flavor);
    const autoDiskConfig = autoDiskConfigFor(diskConfig ?? 'MANUAL', image);
    await this.#start(context, server, { flavor, current, image, action: InstanceActionName.RESIZE });
    await this.support.deps.store.writeSystemMetadata(server.row.uuid, diskConfigMetadata(autoDiskConfig));
  }

  /** POST migrate (admin): the same flavor on another host, the one named from 2.56 if any. */
  async migrate(context: RequestContext, server: Server, host: string | undefined): Promise<void> {
    await this.#checkMovable(context, server, 'migrate');
    if (host !== undefined) await this.#checkTargetHost(server, host);
    const current = storedFlavors(server).cur;
    const image = await this.#image(context, server);
    await this.#start(context, server, { flavor: current, current, image, action: InstanceActionName.MIGRATE, ...(host === undefined ? {} : { host }) });
  }

  async confirmResize(context: RequestContext, server: Server): Promise<void> {
    await this.#checkResized(context, server, 'confirmResize');
    const migration = await this.#finishedMigration(server);
    // Before the migration moves on: a confirm that cannot reach the source could not be retried.
    await this.#checkServiceUp(migration.source_compute ?? '');
    if (!(await startConfirm(this.#confirmDeps(), context, migration))) throw new BadRequest('Instance has not been resized.');
  }

  async revertResize(context: RequestContext, server: Server): Promise<void> {
    await this.#checkResized(context, server, 'revertResize');
    const migration = await this.#finishedMigration(server);
    const flavors = storedFlavors(server);
    const oldFlavor = flavors.old ?? flavors.cur;
    // Reverting a downsize grows the server again.
    await this.#checkUpsizeQuota(server, flavors.cur, oldFlavor);
    const uuid = server.row.uuid;
    await this.support.transition(context, server, 'revertResize', { vmState: [VmState.RESIZED], taskState: [null] }, { task_state: TaskState.RESIZE_REVERTING });
    if (!(await this.deps.migrations.update(migration.id, { status: 'reverting' }, ['finished']))) {
      await this.support.set(server, { task_state: null });
      throw new Conflict(`Cannot 'revertResize' instance ${uuid}: its migration is being confirmed`);
    }
    await this.support.record(context, uuid, InstanceActionName.REVERT_RESIZE);
    const oldVmState = (await this.#oldVmState(uuid)) === VmState.STOPPED ? 'stopped' : 'active';
    await this.support.agents.cast(migration.dest_compute ?? hostOf(server), 'revert_resize', { instanceUuid: uuid, migration: moveRef(migration), oldFlavor, oldVmState });
  }

  /** Nova's _confirm_resize_on_deleting: a server deleted while VERIFY_RESIZE is confirmed first, so its source is cleaned up too. */
  async confirmOnDeleting(context: RequestContext, server: Server): Promise<void> {
    if (server.row.vm_state !== VmState.RESIZED) return;
    const migration = await this.deps.migrations.findMove(server.row.uuid, ['finished']);
    if (migration === undefined) {
      LOG.info('Instance may have been confirmed during delete', { instance: server.row.uuid });
      return;
    }
    LOG.info(`Found an unconfirmed migration during delete, id: ${migration.id}, status: ${migration.status}`, { instance: server.row.uuid });
    await startConfirm(this.#confirmDeps(), context, migration);
  }

  #confirmDeps(): ConfirmDeps {
    return { migrations: this.deps.migrations, actions: this.support.deps.actions, confirmOnSource: (row) => confirmResizeOnSource(this.support.agents, row) };
  }

  /** check_instance_lock, check_instance_state(ACTIVE, STOPPED; no task) and check_instance_host(check_is_up). */
  async #checkMovable(context: RequestContext, server: Server, action: string): Promise<void> {
    await this.support.guard(context, server, action, { vmState: [VmState.ACTIVE, VmState.STOPPED], taskState: [null] });
    await this.#checkServiceUp(hostOf(server));
  }

  async #checkServiceUp(host: string): Promise<void> {
    if ((await computeService(this.deps.services, host))?.up === false) throw new Conflict('Service is unavailable at this time.');
  }

  async #checkResized(context: RequestContext, server: Server, action: string): Promise<void> {
    await this.support.guard(context, server, action, { vmState: [VmState.RESIZED] });
  }

  async #finishedMigration(server: Server): Promise<MigrationRow> {
    const migration = await this.deps.migrations.findMove(server.row.uuid, ['finished']);
    if (migration === undefined) throw new BadRequest('Instance has not been resized.');
    return migration;
  }

  /** Nova's get_flavor_by_flavor_id for a resize: unknown or disabled is 400. */
  async #newFlavor(context: RequestContext, flavorRef: string): Promise<Flavor> {
    const id = flavorRef.split('/').at(-1) ?? flavorRef;
    try {
      const flavor = await this.deps.flavors.get({ ...(context.projectId === undefined ? {} : { projectId: context.projectId }), isAdmin: context.isAdmin ?? false }, id);
      if (!flavor.disabled) return flavor;
    } catch (error) {
      if (!(error instanceof NimbusError && error.status === 404)) throw error;
    }
    throw new BadRequest(`Flavor ${id} could not be found.`);
  }

  /** Nova's _check_quota_for_upsize: only the growth in cores and ram counts. */
  async #checkUpsizeQuota(server: Server, from: Flavor, to: Flavor): Promise<void> {
    const deltas = { cores: to.vcpus - from.vcpus, ram: to.memory_mb - from.memory_mb };
    if (deltas.cores <= 0 && deltas.ram <= 0) return;
    try {
      await this.deps.quotas.checkQuota(server.row.project_id, deltas);
    } catch (error) {
      LOG.info(`Quota exceeded for ${server.row.project_id}, tried to resize instance.`, { instance: server.row.uuid });
      throw error;
    }
  }

  /** The image the server was built from; one since deleted is not checked against (Nova reads its copy in system metadata). */
  async #image(context: RequestContext, server: Server): Promise<ImageRef | undefined> {
    if (isVolumeBacked(server)) return undefined;
    try {
      return await this.deps.images.getImageForCompute(context, server.row.image_ref);
    } catch (error) {
      if (error instanceof NimbusError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Nova's migrate host checks: not the server's own host (400), and a compute host that exists (400). */
  async #checkTargetHost(server: Server, host: string): Promise<void> {
    if (host === server.row.host) throw new BadRequest('Cannot migrate to the host where the server exists.');
    if (!(await hasComputeNode(this.support, host))) throw new BadRequest(`Compute host ${host} could not be found.`);
  }

  async #oldVmState(uuid: string): Promise<string | undefined> {
    return (await this.support.deps.store.systemMetadata(uuid))[OLD_VM_STATE];
  }

  async #start(context: RequestContext, server: Server, move: { flavor: Flavor; current: Flavor; image: ImageRef | undefined; action: InstanceActionName; host?: string }): Promise<void> {
    const { uuid } = server.row;
    const oldVmState = server.row.vm_state === VmState.STOPPED ? 'stopped' : 'active';
    await this.support.transition(context, server, move.action, { vmState: [VmState.ACTIVE, VmState.STOPPED], taskState: [null] }, { task_state: TaskState.RESIZE_PREP, progress: 0 });
    await this.#stashVmState(uuid, oldVmState);
    await this.support.record(context, uuid, move.action);
    await this.support.conductor.resizeInstance({
      instanceUuid: uuid,
      flavor: move.flavor,
      oldFlavor: move.current,
      oldVmState,
      cleanShutdown: true,
      spec: this.#spec(server, move.flavor, move.image, move.host),
    });
  }

  async #stashVmState(uuid: string, vmState: string): Promise<void> {
    await this.support.deps.store.writeSystemMetadata(uuid, { [OLD_VM_STATE]: vmState });
  }

  #spec(server: Server, flavor: Flavor, image: ImageRef | undefined, host: string | undefined): RequestSpec {
    const { row } = server;
    return {
      ...singleInstanceSpec(row.uuid, row.project_id, flavorResources(flavor), { id: row.image_ref, properties: image?.properties ?? {} }),
      ...(row.requested_availability_zone === null ? {} : { availabilityZone: row.requested_availability_zone }),
      ...(host === undefined ? {} : { requestedDestination: { host } }),
      // Its root disk is a volume: the destination needs no local disk for root_gb.
      ...(isVolumeBacked(server) ? { isBootFromVolume: true } : {}),
    };
  }
}
