import type { RequestContext } from '../../common/context/request-context.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { BadRequest, Forbidden, NotFound } from '../../common/errors/errors.js';
import type { ComputeAgentApi } from '../agent/rpc-api.js';
import type { ComputeTaskApi } from '../conductor/rpc-api.js';
import type { FlavorStore } from '../db/flavor-store.js';
import type { KeyPairManager } from '../keypairs/keypair-manager.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import { createServers, type AvailabilityZoneNames } from './create-servers.js';
import { hostStatuses, type HostStatus } from './host-status.js';
import { InstanceActionLog } from '../actions/instance-actions.js';
import type { CreatedServers, Server, ServerCreateRequest, ServerListQuery, ServerRow } from './server.js';
import { ActionSupport } from './action-support.js';
import { GuestActions } from './guest-actions.js';
import type { MigrationStore } from '../db/migration-store.js';
import type { ComputeStores } from '../db/compute-stores.js';
import { ResizeActions } from './resize-actions.js';
import { EvacuateActions } from './evacuate-actions.js';
import { LiveMigrationActions } from './live-migration-actions.js';
import { ServerActions, type DeleteHooks } from './server-actions.js';
import { SoftDeleteActions } from './soft-delete-actions.js';
import { serverNotFound, type ServerStore } from '../db/server-store.js';
import { ServerTags } from './server-tags.js';
import { ConsoleActions } from './console-actions.js';
import type { ConsoleAuth } from '../console/console-auth.js';
import { SnapshotActions } from './snapshot-actions.js';
import type { ServerImageApi } from './snapshot-image.js';
import { ServerSecurityGroups } from './server-security-groups.js';
import { ServerInterfaces } from './server-interfaces.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import { DEFAULT_ZONE } from '../admin/availability-zones.js';
import { VolumeAttachments } from '../volumes/volume-attachments.js';
import { createExternalEvents, type ExternalEventRequest, type ExternalEventsResult } from './external-events.js';
import type { NeutronApi } from '../network/neutron-api.js';
import { diskConfigMetadata, type DiskConfig } from './disk-config.js';
import { NetworkProxies } from '../network/network-proxies.js';

export interface ServersServiceDeps {
  readonly stores: ComputeStores;
  readonly flavors: FlavorStore;
  readonly images: ServerImageApi;
  readonly keypairs: KeyPairManager;
  readonly quotas: QuotaManager;
  readonly computeTaskApi: ComputeTaskApi;
  readonly computeAgentApi: ComputeAgentApi;
  /** Zones a create may name (the availability zone service answers). */
  readonly availabilityZones: AvailabilityZoneNames;
  /** The services table: host_status (2.16), the 2.74 requested host and evacuate's source check read it. */
  readonly serviceRegistry: ServiceRegistry;
  /** Console tokens: what a remote console's URL carries. */
  readonly consoleAuth: ConsoleAuth;
  /** The volume API servers attach through (absent: os-volume_attachments answers 503). */
  readonly volumes?: ComputeVolumeApi;
  /** The network API: requested networks are checked against it (absent: a cloud without networking). */
  readonly network?: NeutronApi;
  /** `[DEFAULT] reclaim_instance_interval`: above 0, a delete of a launched server is a soft delete. */
  readonly reclaimInstanceIntervalSeconds?: number;
  readonly now?: () => Date;
}

/** Server fields an update may change (description from 2.19; null clears it). */
export interface ServerUpdate {
  readonly name?: string;
  readonly description?: string | null;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  /** 2.90. */
  readonly hostname?: string;
  readonly diskConfig?: DiskConfig;
}

/**
 * Nova's compute API for servers (compute/api.py API), split by concern: create in
 * create-servers.ts, state-changing actions in server-actions.ts (and one class per further group
 * of actions, all on ActionSupport), reads in server-store.ts.
 * Every lookup goes through `get`, so another project's server is 404 to a non-admin.
 */
export class ServersService {
  readonly store: ServerStore;
  readonly actionLog: InstanceActionLog;
  /** What every group of actions shares (compare-and-set, lock check, action log, casts). */
  readonly actionSupport: ActionSupport;
  /** start, stop, reboot, lock, unlock, reset-state, delete, console. */
  readonly actions: ServerActions;
  /** DELETE /servers/{id} (a soft delete when reclaim_instance_interval says so), forceDelete, restore. */
  readonly deletes: SoftDeleteActions;
  readonly tags: ServerTags;
  /** createImage, shelve, shelveOffload, unshelve. */
  readonly snapshots: SnapshotActions;
  /** pause, unpause, suspend, resume, rescue, unrescue, rebuild. */
  readonly guest: GuestActions;
  /** Resize and cold migration records (os-migrations, servers/{id}/migrations). */
  readonly migrations: MigrationStore;
  /** resize, migrate, confirmResize, revertResize. */
  readonly resize: ResizeActions;
  /** os-migrateLive, force-complete and abort, servers/{id}/migrations. */
  readonly liveMigrations: LiveMigrationActions;
  /** evacuate. */
  readonly evacuations: EvacuateActions;
  /** remote-consoles and os-getVNCConsole. */
  readonly consoles: ConsoleActions;
  /** addSecurityGroup, removeSecurityGroup and the groups server views name (absent without a network API). */
  readonly securityGroups: ServerSecurityGroups | undefined;
  /** os-interface (absent without a network API). */
  readonly interfaces: ServerInterfaces | undefined;
  /** The deprecated network proxies (os-security-groups, os-floating-ips, os-networks…; absent without a network API). */
  readonly networkProxies: NetworkProxies | undefined;
  /** os-volume_attachments. */
  readonly volumeAttachments: VolumeAttachments;
  /** The image service as compute reads it (the 2.81 image cache checks its images here). */
  readonly images: ServerImageApi;
  readonly #deps: ServersServiceDeps;
  readonly #now: () => Date;
  /** The availability zone a compute host is in (its aggregates', else the default). */
  readonly #zoneOfHost = (host: string): Promise<string> => this.#deps.stores.aggregates.zoneOfHost(host);

  constructor(deps: ServersServiceDeps) {
    this.images = deps.images;
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.store = deps.stores.servers;
    this.actionLog = new InstanceActionLog(deps.stores.actions, this.#now);
    this.migrations = deps.stores.migrations;
    this.actionSupport = new ActionSupport({
      store: this.store,
      nodes: deps.stores.nodes,
      migrations: this.migrations,
      serverGroups: deps.stores.serverGroups,
      actions: this.actionLog,
      computeAgentApi: deps.computeAgentApi,
      computeTaskApi: deps.computeTaskApi,
      now: this.#now,
    });
    this.resize = new ResizeActions(this.actionSupport, {
      flavors: deps.flavors,
      quotas: deps.quotas,
      images: deps.images,
      migrations: this.migrations,
      services: deps.serviceRegistry,
    });
    this.snapshots = new SnapshotActions({
      support: this.actionSupport,
      images: deps.images,
      quotas: deps.quotas,
      availabilityZones: deps.availabilityZones,
      zoneOfHost: this.#zoneOfHost,
      blockDevices: deps.stores.blockDevices,
      ...(deps.volumes === undefined ? {} : { volumes: deps.volumes }),
    });
    this.tags = new ServerTags(this.store, this.#now);
    const deleteHooks: DeleteHooks = {
      before: (context, server) => this.resize.confirmOnDeleting(context, server),
      after: (context, server) => this.snapshots.deleteShelvedSnapshot(context, server),
    };
    this.actions = new ServerActions(this.actionSupport, deleteHooks);
    this.deletes = new SoftDeleteActions(this.actionSupport, this.actions, deleteHooks, deps.reclaimInstanceIntervalSeconds ?? 0);
    this.guest = new GuestActions(this.actionSupport, { images: deps.images, keypairs: deps.keypairs, quotas: deps.quotas, blockDevices: deps.stores.blockDevices });
    this.liveMigrations = new LiveMigrationActions(this.actionSupport);
    this.evacuations = new EvacuateActions(this.actionSupport, deps.serviceRegistry);
    this.consoles = new ConsoleActions(this.actionSupport, deps.consoleAuth);
    this.securityGroups = deps.network === undefined ? undefined : new ServerSecurityGroups(deps.network);
    this.interfaces = deps.network === undefined ? undefined : new ServerInterfaces(deps.network, this.actionSupport);
    this.networkProxies = deps.network === undefined ? undefined : new NetworkProxies(deps.network);
    this.volumeAttachments = new VolumeAttachments({
      support: this.actionSupport,
      blockDevices: deps.stores.blockDevices,
      ...(deps.volumes === undefined ? {} : { volumes: deps.volumes }),
    });
  }

  /** os-server-external-events: each event cast to its server's host. */
  externalEvents(events: readonly ExternalEventRequest[]): Promise<ExternalEventsResult> {
    return createExternalEvents(this.store, this.#deps.computeAgentApi, events);
  }

  create(context: RequestContext, request: ServerCreateRequest): Promise<CreatedServers> {
    return createServers({ ...this.#deps, zoneOfHost: this.#zoneOfHost, store: this.store, nodes: this.#deps.stores.nodes, serverGroups: this.#deps.stores.serverGroups, actions: this.actionLog, blockDevices: this.#deps.stores.blockDevices, now: this.#now }, context, request);
  }

  /** A live server the caller may see: its project's, or any for an admin (`readDeleted`: deleted ones too). */
  async get(context: RequestContext, uuid: string, readDeleted = false): Promise<Server> {
    const server = await this.store.get(uuid, readDeleted);
    if (!(context.isAdmin ?? false) && server.row.project_id !== context.projectId) throw serverNotFound(uuid);
    return server;
  }

  list(query: ServerListQuery): Promise<Server[]> {
    return this.store.list(query);
  }

  /** The same page as `list`, rows only: GET /servers shows each server's id, name and links. */
  listRows(query: ServerListQuery): Promise<ServerRow[]> {
    return this.store.listRows(query);
  }

  /** The host_status of each server, by uuid. */
  hostStatuses(servers: readonly Server[]): Promise<Map<string, HostStatus>> {
    return hostStatuses(this.#deps.serviceRegistry, servers);
  }

  /**
   * Nova's get_instance_availability_zone: a server on a host is in its host's zone (the host's
   * aggregates', else the default), whatever it was booted with; one read for the whole page.
   */
  async hostZones(servers: readonly Server[]): Promise<Map<string, string>> {
    const placed = servers.filter((server) => server.row.host !== null);
    if (placed.length === 0) return new Map();
    const byHost = await this.#deps.stores.aggregates.zoneByHost();
    return new Map(placed.map((server) => [server.row.uuid, byHost.get(server.row.host ?? '') ?? DEFAULT_ZONE]));
  }

  async update(context: RequestContext, uuid: string, update: ServerUpdate): Promise<Server> {
    await this.get(context, uuid);
    const changes = {
      ...(update.name === undefined ? {} : { display_name: update.name }),
      ...(update.description === undefined ? {} : { display_description: update.description }),
      ...(update.accessIPv4 === undefined ? {} : { access_ip_v4: update.accessIPv4 }),
      ...(update.accessIPv6 === undefined ? {} : { access_ip_v6: update.accessIPv6 }),
      ...(update.hostname === undefined ? {} : { hostname: update.hostname }),
    };
    if (Object.keys(changes).length > 0) {
      await this.store.update(uuid, changes, this.#now());
    }
    if (update.diskConfig !== undefined) await this.store.writeSystemMetadata(uuid, diskConfigMetadata(update.diskConfig === 'AUTO'));
    return this.store.get(uuid);
  }

  /** Sets (`replace`: the whole set) metadata within the project's metadata_items quota. */
  async setMetadata(context: RequestContext, uuid: string, values: Readonly<Record<string, string>>, replace: boolean): Promise<Record<string, string>> {
    const server = await this.get(context, uuid);
    const merged = replace ? values : { ...server.metadata, ...values };
    const limit = (await this.#deps.quotas.limits(server.row.project_id)).metadata_items;
    if (limit >= 0 && Object.keys(merged).length > limit) throw new Forbidden(`Quota exceeded for metadata_items: Maximum number of metadata items exceeds ${limit}`);
    await this.store.writeMetadata(uuid, values, replace);
    return replace ? { ...values } : this.store.metadataOf(uuid);
  }

  async metadataItem(context: RequestContext, uuid: string, key: string): Promise<string> {
    const value = (await this.get(context, uuid)).metadata[key];
    if (value === undefined) throw new NotFound('Metadata item was not found');
    return value;
  }

  async deleteMetadataItem(context: RequestContext, uuid: string, key: string): Promise<void> {
    await this.get(context, uuid);
    if (!(await this.store.deleteMetadataKey(uuid, key))) throw new NotFound('Metadata item was not found');
  }

  /** Nova's os-getConsoleOutput length: -1 (or none) is everything, otherwise the last n lines. */
  async consoleOutput(context: RequestContext, uuid: string, length: number | undefined): Promise<string> {
    const server = await this.get(context, uuid);
    if (length !== undefined && length < -1) throw new BadRequest(`Invalid length ${length}`);
    return this.actions.consoleOutput(server, length === undefined || length === -1 ? undefined : length);
  }
}
