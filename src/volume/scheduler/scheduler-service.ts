/**
 * The volume scheduler worker (cinder-scheduler): keeps the backends' reported state, places new
 * volumes and extensions on a backend (filters, weighers, then the backend's volume service), and
 * records what volume services report back. Deciding and consuming happen in one synchronous step,
 * so two placements never both take the last free space.
 */
import { RpcServer, type Transport } from '../../common/bus/index.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry, StopHeartbeat } from '../../common/service/service-registry.js';
import type { FrozenBackendStore } from '../db/frozen-backend-store.js';
import type { MessageStore } from '../db/message-store.js';
import type { VolumeStore } from '../db/volume-store.js';
import type { VolumeManagerRpcClient } from '../manager/rpc-client.js';
import { VOLUME_BINARY } from '../manager/volume-manager.js';
import { backendHostOf, type Volume } from '../volumes/volume.js';
import { BackendStateCache, type BackendState } from './backend-state.js';
import { DEFAULT_FILTERS, resolveFilters, type BackendFilter } from './filters/index.js';
import type { VolumeRequestSpec } from './request-spec.js';
import { VOLUME_SCHEDULER_API_VERSION, VOLUME_SCHEDULER_TOPIC, type ScheduleCreateArgs, type ScheduleExtendArgs, type PoolReport, type ScheduleRetypeArgs, type SchedulerVerbs } from './rpc-api.js';
import { NoValidBackend, selectBackend } from './select-backend.js';
import { DEFAULT_WEIGHERS, resolveWeighers, type ConfiguredWeigher } from './weighers/index.js';

const LOG = getLogger('nimbus.volume.scheduler');

export const SCHEDULER_BINARY = 'cinder-scheduler';

export interface VolumeSchedulerOptions {
  readonly transport: Transport;
  readonly store: VolumeStore;
  /** Where failures are told to the user (Cinder's message API), and whose expired messages it reaps. */
  readonly messages: Pick<MessageStore, 'record' | 'deleteExpired'>;
  readonly managers: VolumeManagerRpcClient;
  /** Also where it reads which volume services an administrator disabled. */
  readonly registry: Pick<ServiceRegistry, 'register' | 'startHeartbeat' | 'list'>;
  /** The backends an administrator froze: nothing is placed on them either. */
  readonly frozenBackends: Pick<FrozenBackendStore, 'frozenBackends'>;
  /** How often expired user messages are deleted, the first time at start ([DEFAULT] message_reap_interval, a day). */
  readonly messageReapIntervalMs?: number;
  readonly host: string;
  readonly reportIntervalMs?: number;
  /** A backend whose last report is older is not placed on ([DEFAULT] service_down_time). */
  readonly downTimeMs?: number;
  readonly filters?: readonly string[];
  readonly weighers?: readonly string[];
}

type Handlers = { readonly [K in keyof SchedulerVerbs]: (args: SchedulerVerbs[K]) => unknown };

export class VolumeSchedulerService {
  readonly cache: BackendStateCache;
  readonly #options: VolumeSchedulerOptions;
  readonly #filters: readonly BackendFilter[];
  readonly #weighers: readonly ConfiguredWeigher[];
  readonly #server: RpcServer;
  #stopHeartbeat: StopHeartbeat | undefined;
  #reaper: NodeJS.Timeout | undefined;
  #reaping: Promise<void> = Promise.resolve();

  constructor(options: VolumeSchedulerOptions) {
    this.#options = options;
    this.cache = new BackendStateCache(options.downTimeMs === undefined ? {} : { downTimeMs: options.downTimeMs });
    this.#filters = resolveFilters(options.filters ?? DEFAULT_FILTERS);
    this.#weighers = resolveWeighers(options.weighers ?? DEFAULT_WEIGHERS);
    const { store, messages } = options;
    const handlers: Handlers = {
      create_volume: (args) => this.scheduleCreate(args),
      extend_volume: (args) => this.scheduleExtend(args),
      retype_volume: (args) => this.scheduleRetype(args),
      update_service_capabilities: ({ report }) => this.cache.update(report),
      get_pools: () => this.openPools(),
      get_backend_report: ({ backendHost }) => this.cache.pools().find((pool) => backendHostOf(pool.name) === backendHost) ?? null,
      volume_update: async ({ volumeId, update }) => {
        const { launchedAt, message, ...rest } = update;
        // The message first: whoever sees the volume's new status finds it.
        if (message !== undefined) await messages.record({ ...message, resourceType: 'VOLUME', resourceUuid: volumeId });
        await store.updateVolume(volumeId, { ...rest, ...(launchedAt === undefined ? {} : { launchedAt: new Date(launchedAt) }) });
      },
      volume_deleted: ({ volumeId }) => store.deleteVolume(volumeId),
      snapshot_update: async ({ snapshotId, status, progress, message }) => {
        if (message !== undefined) await messages.record({ ...message, resourceType: 'VOLUME_SNAPSHOT', resourceUuid: snapshotId });
        await store.updateSnapshot(snapshotId, progress === undefined ? { status } : { status, progress });
        await store.settleGroupSnapshotOf(snapshotId);
      },
      snapshot_deleted: ({ snapshotId }) => store.deleteSnapshot(snapshotId),
      record_message: ({ event }) => messages.record(event),
    };
    this.#server = new RpcServer(options.transport, { topic: VOLUME_SCHEDULER_TOPIC, server: options.host, version: VOLUME_SCHEDULER_API_VERSION }, handlers);
  }

  async start(): Promise<void> {
    const { registry, host } = this.#options;
    await this.#server.start();
    const service = await registry.register({ binary: SCHEDULER_BINARY, host, topic: VOLUME_SCHEDULER_TOPIC });
    this.#stopHeartbeat = registry.startHeartbeat(service.id, this.#options.reportIntervalMs ?? 10_000);
    // A scheduler starting knows no backend: ask every volume service for its report now.
    await this.#options.managers.publishServiceCapabilities();
    this.#reapMessages();
    this.#reaper = setInterval(() => this.#reapMessages(), this.#options.messageReapIntervalMs ?? 86_400_000);
    this.#reaper.unref();
    LOG.info('Volume scheduler started');
  }

  async stop(): Promise<void> {
    clearInterval(this.#reaper);
    await this.#server.stop();
    await this.#stopHeartbeat?.();
    await this.#reaping;
  }

  /** Cinder's _clean_expired_messages: one run at a time, a failure logged and tried again next time. */
  #reapMessages(): void {
    this.#reaping = this.#reaping.then(async () => {
      try {
        const deleted = await this.#options.messages.deleteExpired();
        if (deleted > 0) LOG.info(`Deleted ${deleted} expired user messages`);
      } catch (error) {
        LOG.error(`Failed to delete expired user messages: ${messageOf(error)}`);
      }
    });
  }

  /**
   * Picks a backend and consumes the space at once; NoValidBackend as is. Disabled and frozen
   * backends are left out (Cinder's HostManager reads only services neither disabled nor frozen);
   * they are read first, so choosing and consuming stay one synchronous step.
   */
  async place(spec: VolumeRequestSpec): Promise<BackendState> {
    const closed = await this.#closedBackends();
    const live = this.cache.live();
    const open = live.filter((state) => !closed.has(state.backendHost));
    if (spec.onlyBackend !== undefined && closed.has(backendHostOf(spec.onlyBackend))) throw new NoValidBackend(`Backend ${spec.onlyBackend} is disabled or frozen.`);
    if (open.length === 0 && live.length > 0) throw new NoValidBackend('Every volume backend that is up is disabled or frozen.');
    const chosen = selectBackend(open, spec, this.#filters, this.#weighers);
    this.cache.consume(chosen.name, spec.sizeGb);
    return chosen;
  }

  /**
   * Cinder's get_pools: the pools of the live backends whose volume service is neither disabled
   * nor frozen (HostManager._update_backend_state_map reads only those services).
   */
  async openPools(): Promise<PoolReport[]> {
    const closed = await this.#closedBackends();
    return this.cache.pools().filter((pool) => !closed.has(backendHostOf(pool.name)));
  }

  /** The `host@backend` of the volume services disabled or frozen. */
  async #closedBackends(): Promise<Set<string>> {
    const closed = await this.#options.frozenBackends.frozenBackends();
    for (const service of await this.#options.registry.list({ binary: VOLUME_BINARY })) if (service.disabled) closed.add(service.host);
    return closed;
  }

  async scheduleCreate({ spec, source }: ScheduleCreateArgs): Promise<void> {
    const { store, managers, messages } = this.#options;
    let chosen: BackendState;
    try {
      chosen = await this.place(spec);
    } catch (error) {
      if (!(error instanceof NoValidBackend)) throw error;
      LOG.error(`Failed to schedule volume ${spec.volumeId}: ${error.message}`);
      await messages.record({ action: 'SCHEDULE_ALLOCATE_VOLUME', detail: 'NO_BACKEND_AVAILABLE', resourceType: 'VOLUME', resourceUuid: spec.volumeId });
      await store.updateVolume(spec.volumeId, { status: 'error', errorReason: error.message }, ['creating']);
      return;
    }
    if (!(await store.updateVolume(spec.volumeId, { host: chosen.name }, ['creating']))) {
      LOG.info(`Volume ${spec.volumeId} is no longer creating; not sent to ${chosen.name}`);
      return;
    }
    LOG.info(`Volume ${spec.volumeId} (${spec.sizeGb}GB) placed on ${chosen.name}`);
    await managers.createVolume(chosen.backendHost, { id: spec.volumeId, sizeGb: spec.sizeGb }, source);
  }

  /** An extend needs room for the growth on the volume's own backend (Cinder schedules it too). */
  async scheduleExtend({ spec, newSizeGb, instanceUuids = [] }: ScheduleExtendArgs): Promise<void> {
    const { store, managers, messages } = this.#options;
    const volume = await this.#placeOnOwnBackend(spec, async (id, error) => {
      LOG.error(`Volume ${id} cannot grow to ${newSizeGb}GB: ${messageOf(error)}`);
      await messages.record({ action: 'EXTEND_VOLUME', detail: 'NO_BACKEND_AVAILABLE', resourceType: 'VOLUME', resourceUuid: id });
      await store.updateVolume(id, { status: instanceUuids.length > 0 ? 'in-use' : 'available', errorReason: error.message }, ['extending']);
    });
    if (volume === undefined) return;
    await managers.extendVolume(backendHostOf(volume.host), { id: volume.id, sizeGb: volume.size }, newSizeGb, instanceUuids);
  }

  /**
   * A retype keeps the volume where it is when its backend passes the new type's filters (the
   * file backend keeps nothing per type, so there is nothing to change on it); a backend that
   * does not fit leaves the old type and a reason. Moving to another backend (Cinder's on-demand
   * migration) is not offered: both policies end there.
   */
  async scheduleRetype({ spec, newTypeId, previousStatus, migrationPolicy }: ScheduleRetypeArgs): Promise<void> {
    const { store } = this.#options;
    const volume = await this.#placeOnOwnBackend(spec, async (id, error) => {
      LOG.error(`Volume ${id} cannot be retyped on its backend (migration policy ${migrationPolicy}, no migration offered): ${messageOf(error)}`);
      await store.updateVolume(id, { status: previousStatus, errorReason: error.message }, ['retyping']);
    });
    if (volume === undefined) return;
    await store.updateVolume(volume.id, { status: previousStatus, volumeTypeId: newTypeId }, ['retyping']);
    LOG.info(`Volume ${volume.id} retyped to ${newTypeId} on ${volume.host}`);
  }

  /**
   * Claims `spec` again on the backend the volume already lives on (an extend's growth, a
   * retype's new filters). The volume when its backend passes; undefined when the volume is gone
   * or unplaced, or when the backend refuses, after `refused` has recorded why.
   */
  async #placeOnOwnBackend(spec: VolumeRequestSpec, refused: (volumeId: string, error: NoValidBackend) => Promise<void>): Promise<(Volume & { readonly host: string }) | undefined> {
    const volume = await this.#options.store.findVolume(spec.volumeId);
    if (volume === undefined || volume.host === null) return undefined;
    try {
      await this.place({ ...spec, onlyBackend: volume.host });
    } catch (error) {
      if (!(error instanceof NoValidBackend)) throw error;
      await refused(volume.id, error);
      return undefined;
    }
    return { ...volume, host: volume.host };
  }
}
