import { parseNetworkInfo } from '../network/network-info.js';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { ActionStore, NewInstanceAction } from './action-store.js';
import { compareAndSetInstanceState, type ExpectedState, type InstanceChanges } from './instance-state-compare-and-set.js';
import { readSystemMetadata, writeSystemMetadata, type SystemMetadataChanges } from './system-metadata.js';
import type { ComputeTables, InstancesTable } from './tables.js';
import type { Flavor } from '../flavors/flavor.js';
import { VmState } from '../state/vm-states.js';
import type { Server, ServerFault, ServerListQuery, ServerRow, ServerSortKey, TagFilters } from '../servers/server.js';

type Db = Kysely<ComputeTables>;
type InstanceRow = ServerRow;

/** The system metadata key holding a server's 2.63 trusted image certificate ids (JSON). */
export const TRUSTED_CERTS_KEY = 'trusted_image_certificates';
/** The system metadata key of a server's OS-DCF:diskConfig, `True` for AUTO (Nova's instances.auto_disk_config column). */
export const AUTO_DISK_CONFIG_KEY = 'auto_disk_config';

/** API sort keys to columns (instance_type_id is the flavor here). */
const SORT_COLUMNS: Readonly<Record<ServerSortKey, keyof InstancesTable>> = {
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  availability_zone: 'availability_zone',
  config_drive: 'config_drive',
  created_at: 'created_at',
  display_description: 'display_description',
  display_name: 'display_name',
  host: 'host',
  hostname: 'hostname',
  image_ref: 'image_ref',
  instance_type_id: 'flavor_id',
  kernel_id: 'kernel_id',
  key_name: 'key_name',
  launch_index: 'launch_index',
  launched_at: 'launched_at',
  locked: 'locked',
  locked_by: 'locked_by',
  node: 'node',
  power_state: 'power_state',
  progress: 'progress',
  project_id: 'project_id',
  ramdisk_id: 'ramdisk_id',
  root_device_name: 'root_device_name',
  task_state: 'task_state',
  terminated_at: 'terminated_at',
  updated_at: 'updated_at',
  user_id: 'user_id',
  uuid: 'uuid',
  vm_state: 'vm_state',
};

/** The columns of a ServerRow: a list of 100 servers reads no public keys. */
const SERVER_COLUMNS = [
  'uuid', 'project_id', 'user_id', 'display_name', 'display_description', 'hostname', 'image_ref', 'flavor_id', 'flavor', 'vcpus', 'memory_mb',
  'root_gb', 'ephemeral_gb', 'vm_state', 'task_state', 'power_state', 'host', 'node', 'availability_zone', 'requested_availability_zone',
  'reservation_id', 'launch_index', 'root_device_name', 'kernel_id', 'ramdisk_id', 'launched_at', 'terminated_at', 'locked', 'locked_by',
  'locked_reason', 'key_name', 'user_data', 'config_drive', 'access_ip_v4', 'access_ip_v6', 'progress', 'deleted', 'created_at', 'updated_at',
] as const satisfies readonly (keyof ServerRow)[];

/** One server of a create, with what is written beside its row in the same transaction. */
export interface NewServer {
  readonly row: Insertable<InstancesTable>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly systemMetadata: Readonly<Record<string, string>>;
  /** The server group it joins. */
  readonly groupId?: number;
  readonly action: NewInstanceAction;
}

export function serverNotFound(id: string): NotFound {
  return new NotFound(`Instance ${id} could not be found.`);
}

/** Reads of instances with their metadata and faults (Nova's instance_get / instance_get_all_by_filters_sort). */
export class ServerStore {
  readonly #db: Db;

  constructor(
    private readonly database: Database,
    private readonly actions: ActionStore,
  ) {
    this.#db = database.kysely.withTables<ComputeTables>();
  }

  /** Writes the servers of one create, each with its metadata, tags, system metadata, group membership and action, in one transaction. */
  async create(servers: readonly NewServer[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      for (const server of servers) {
        const uuid = server.row.uuid;
        await trx.insertInto('compute_instances').values(server.row).execute();
        const metadata = Object.entries(server.metadata).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
        if (metadata.length > 0) await trx.insertInto('compute_instance_metadata').values(metadata).execute();
        const tags = server.tags.map((tag) => ({ instance_uuid: uuid, tag }));
        if (tags.length > 0) await trx.insertInto('compute_instance_tags').values(tags).execute();
        const system = Object.entries(server.systemMetadata).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
        if (system.length > 0) await trx.insertInto('compute_instance_system_metadata').values(system).execute();
        if (server.groupId !== undefined) await trx.insertInto('compute_server_group_members').values({ group_id: server.groupId, instance_uuid: uuid }).execute();
        await this.actions.insert(server.action, trx);
      }
    });
  }

  /** Takes back the rows of a create refused after writing (Nova's quota recheck). */
  async removeCreated(uuids: readonly string[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('compute_instance_metadata').where('instance_uuid', 'in', uuids).execute();
      await trx.deleteFrom('compute_server_group_members').where('instance_uuid', 'in', uuids).execute();
      await trx.deleteFrom('compute_instance_actions').where('instance_uuid', 'in', uuids).execute();
      await trx.deleteFrom('compute_instances').where('uuid', 'in', uuids).execute();
    });
  }

  /** Plain column changes (name, description, access IPs), stamped `now`. */
  async update(uuid: string, changes: InstanceChanges, now: Date): Promise<void> {
    await this.#db.updateTable('compute_instances').set({ ...changes, updated_at: toDbTimestamp(now) }).where('uuid', '=', uuid).execute();
  }

  /** A state transition, applied only if the server is still in `expected` (see compareAndSetInstanceState). */
  casState(uuid: string, expected: ExpectedState, changes: InstanceChanges, now: Date = new Date()): Promise<boolean> {
    return compareAndSetInstanceState(this.database, uuid, expected, changes, now);
  }

  systemMetadata(uuid: string): Promise<Record<string, string>> {
    return readSystemMetadata(this.#db, uuid);
  }

  writeSystemMetadata(uuid: string, changes: SystemMetadataChanges): Promise<void> {
    return writeSystemMetadata(this.#db, uuid, changes);
  }

  async addTag(uuid: string, tag: string): Promise<void> {
    await this.#db.insertInto('compute_instance_tags').values({ instance_uuid: uuid, tag }).execute();
  }

  async replaceTags(uuid: string, tags: readonly string[]): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('compute_instance_tags').where('instance_uuid', '=', uuid).execute();
      if (tags.length > 0) await trx.insertInto('compute_instance_tags').values(tags.map((tag) => ({ instance_uuid: uuid, tag }))).execute();
    });
  }

  /** False when the server had no such tag. */
  async removeTag(uuid: string, tag: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('compute_instance_tags').where('instance_uuid', '=', uuid).where('tag', '=', tag).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** A live server (or, with `readDeleted`, a deleted one too, as Nova's read_deleted='yes'); unknown ones are 404. */
  async get(uuid: string, readDeleted = false): Promise<Server> {
    let select = this.#db.selectFrom('compute_instances').select(SERVER_COLUMNS).where('uuid', '=', uuid);
    if (!readDeleted) select = select.where('deleted', '=', false);
    const row = await select.executeTakeFirst();
    if (row === undefined) throw serverNotFound(uuid);
    return (await this.withDetails([row]))[0] as Server;
  }

  /** The host of each live server named (null: none yet), in one query; unknown ones are absent. */
  async hostsOf(uuids: readonly string[]): Promise<Map<string, string | null>> {
    if (uuids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('compute_instances').select(['uuid', 'host']).where('uuid', 'in', uuids).where('deleted', '=', false).execute();
    return new Map(rows.map((row) => [row.uuid, row.host]));
  }

  async list(query: ServerListQuery): Promise<Server[]> {
    return this.withDetails(await this.listRows(query));
  }

  /** The page of rows `list` shows, without what the views show beside them (a brief list names and links each). */
  async listRows(query: ServerListQuery): Promise<InstanceRow[]> {
    let select = this.#db.selectFrom('compute_instances').select(SERVER_COLUMNS);
    // Nova's instance_get_all_by_filters: deleted=true takes in the SOFT_DELETED (unless soft_deleted=false), a live list leaves them out (unless soft_deleted=true).
    const deleted = query.deleted ?? (query.changesSince === undefined && query.changesBefore === undefined ? false : undefined);
    if (deleted === true) {
      select = query.softDeleted === false ? select.where('deleted', '=', true) : select.where((eb) => eb.or([eb('deleted', '=', true), eb('vm_state', '=', VmState.SOFT_DELETED)]));
    } else if (deleted === false) {
      select = select.where('deleted', '=', false);
      if (query.softDeleted !== true) select = select.where('vm_state', '!=', VmState.SOFT_DELETED);
    }
    if (query.changesSince !== undefined) select = select.where('updated_at', '>=', query.changesSince);
    if (query.changesBefore !== undefined) select = select.where('updated_at', '<=', query.changesBefore);
    if (query.projectId !== undefined) select = select.where('project_id', '=', query.projectId);
    if (query.vmStates !== undefined) {
      if (query.vmStates.length === 0) return [];
      select = select.where('vm_state', 'in', query.vmStates);
    }
    if (query.taskStates !== undefined && query.taskStates.length > 0) select = select.where('task_state', 'in', query.taskStates);
    if (query.imageRef !== undefined) select = select.where('image_ref', '=', query.imageRef);
    if (query.flavorId !== undefined) select = select.where('flavor_id', '=', query.flavorId);
    if (query.host !== undefined) select = select.where('host', '=', query.host);
    if (query.locked !== undefined) select = select.where('locked', '=', query.locked);
    for (const { key, dir } of query.sort) select = select.orderBy(SORT_COLUMNS[key], dir);
    select = select.orderBy('uuid', 'asc');
    // Without filters applied below, or a marker, the page is a plain LIMIT (pollers ask for one row of thousands).
    const filteredHere =
      Object.keys(query.exact ?? {}).length > 0 || Object.keys(query.regex ?? {}).length > 0 || query.tagFilters !== undefined || query.addresses !== undefined;
    if (!filteredHere && query.marker === undefined) select = select.limit(query.limit);
    let rows = await select.execute();
    rows = rows.filter((row) => matchesColumns(row, query));
    if (query.tagFilters !== undefined) rows = await this.#withTags(rows, query.tagFilters);
    if (query.marker !== undefined) {
      const at = rows.findIndex((row) => row.uuid === query.marker);
      if (at < 0) throw new BadRequest(`marker [${query.marker}] not found`);
      rows = rows.slice(at + 1);
    }
    // Nova's _ip_filter runs on the instances after the marker and before the limit.
    if (query.addresses !== undefined) rows = await this.#withAddresses(rows, query.addresses);
    return rows.slice(0, query.limit);
  }

  /** The rows with a fixed IPv4 address matching `ip` or an IPv6 one matching `ip6` in their network info. */
  async #withAddresses(rows: readonly InstanceRow[], filters: NonNullable<ServerListQuery['addresses']>): Promise<InstanceRow[]> {
    if (rows.length === 0) return [];
    const caches = await this.#db
      .selectFrom('compute_instance_info_caches')
      .select(['instance_uuid', 'network_info'])
      .where('instance_uuid', 'in', rows.map((row) => row.uuid))
      .execute();
    const networkInfoOf = new Map(caches.map((cache) => [cache.instance_uuid, parseNetworkInfo(cache.network_info)]));
    // Python's re.match: anchored at the start only (a sticky regex tried at 0).
    const patterns = { 4: filters.ip === undefined ? undefined : pythonRegex(filters.ip, 'y'), 6: filters.ip6 === undefined ? undefined : pythonRegex(filters.ip6, 'y') };
    const matches = (address: string, version: 4 | 6): boolean => {
      const pattern = patterns[version];
      if (pattern === undefined) return false;
      pattern.lastIndex = 0;
      return pattern.test(address);
    };
    return rows.filter((row) => (networkInfoOf.get(row.uuid) ?? []).some((vif) => vif.fixedIps.some(({ address, version }) => address !== '' && matches(address, version))));
  }

  /** The rows whose tags pass Nova's four tag filters. */
  async #withTags(rows: readonly InstanceRow[], filters: TagFilters): Promise<InstanceRow[]> {
    const tagsOf = await this.#tagsOf(rows.map((row) => row.uuid));
    return rows.filter((row) => {
      const tags = new Set(tagsOf.get(row.uuid) ?? []);
      const has = (tag: string) => tags.has(tag);
      if (filters.tags !== undefined && !filters.tags.every(has)) return false;
      if (filters.tagsAny !== undefined && !filters.tagsAny.some(has)) return false;
      if (filters.notTags !== undefined && filters.notTags.every(has)) return false;
      if (filters.notTagsAny !== undefined && filters.notTagsAny.some(has)) return false;
      return true;
    });
  }

  async #tagsOf(uuids: readonly string[]): Promise<Map<string, string[]>> {
    const tagsOf = new Map<string, string[]>();
    if (uuids.length === 0) return tagsOf;
    const rows = await this.#db.selectFrom('compute_instance_tags').select(['instance_uuid', 'tag']).where('instance_uuid', 'in', uuids).orderBy('tag').execute();
    for (const { instance_uuid: uuid, tag } of rows) tagsOf.set(uuid, [...(tagsOf.get(uuid) ?? []), tag]);
    return tagsOf;
  }

  async metadataOf(uuid: string): Promise<Record<string, string>> {
    const rows = await this.#db.selectFrom('compute_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', uuid).orderBy('key').execute();
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }

  /** Replaces (`replace`) or merges the server's metadata; returns the result. */
  async writeMetadata(uuid: string, values: Readonly<Record<string, string>>, replace: boolean): Promise<Record<string, string>> {
    await this.#db.transaction().execute(async (trx) => {
      let removal = trx.deleteFrom('compute_instance_metadata').where('instance_uuid', '=', uuid);
      if (!replace) {
        const keys = Object.keys(values);
        if (keys.length === 0) return;
        removal = removal.where('key', 'in', keys);
      }
      await removal.execute();
      const rows = Object.entries(values).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
      if (rows.length > 0) await trx.insertInto('compute_instance_metadata').values(rows).execute();
    });
    await this.touch(uuid);
    return this.metadataOf(uuid);
  }

  /** False when the key was not there. */
  async deleteMetadataKey(uuid: string, key: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('compute_instance_metadata').where('instance_uuid', '=', uuid).where('key', '=', key).executeTakeFirst();
    await this.touch(uuid);
    return result.numDeletedRows > 0n;
  }

  async touch(uuid: string, now: Date = new Date()): Promise<void> {
    await this.#db.updateTable('compute_instances').set({ updated_at: toDbTimestamp(now) }).where('uuid', '=', uuid).execute();
  }

  /**
   * What each server has at most one of beside its row (its info cache, the two system metadata
   * keys the views show), in one read: joined, they cost less than a read of each by an `in` list.
   */
  #oneToOneOf(uuids: readonly string[]) {
    return this.#db
      .selectFrom('compute_instances as instance')
      .leftJoin('compute_instance_info_caches as cache', 'cache.instance_uuid', 'instance.uuid')
      .leftJoin('compute_instance_system_metadata as disk', (join) => join.onRef('disk.instance_uuid', '=', 'instance.uuid').on('disk.key', '=', AUTO_DISK_CONFIG_KEY))
      .leftJoin('compute_instance_system_metadata as certs', (join) => join.onRef('certs.instance_uuid', '=', 'instance.uuid').on('certs.key', '=', TRUSTED_CERTS_KEY))
      .select(['instance.uuid', 'cache.network_info', 'disk.value as auto_disk_config', 'certs.value as trusted_certs'])
      .where('instance.uuid', 'in', uuids)
      .execute();
  }

  /** Rows plus what the views show beside them, in a few queries for the whole page. */
  async withDetails(rows: readonly InstanceRow[]): Promise<Server[]> {
    if (rows.length === 0) return [];
    const uuids = rows.map((row) => row.uuid);
    const [metadata, faults, tagsOf, groups, volumes, oneToOne] = await Promise.all([
      this.#db.selectFrom('compute_instance_metadata').select(['instance_uuid', 'key', 'value']).where('instance_uuid', 'in', uuids).orderBy('key').execute(),
      this.#db.selectFrom('compute_instance_faults').selectAll().where('instance_uuid', 'in', uuids).orderBy('id', 'desc').execute(),
      this.#tagsOf(uuids),
      this.#db
        .selectFrom('compute_server_group_members')
        .innerJoin('compute_server_groups', 'compute_server_groups.id', 'compute_server_group_members.group_id')
        .select(['compute_server_group_members.instance_uuid', 'compute_server_groups.uuid'])
        .where('compute_server_group_members.instance_uuid', 'in', uuids)
        .execute(),
      this.#db
        .selectFrom('compute_block_device_mappings')
        .select(['instance_uuid', 'volume_id', 'delete_on_termination', 'boot_index', 'destination_type'])
        .where('instance_uuid', 'in', uuids)
        .where('volume_id', 'is not', null)
        .orderBy('id')
        .execute(),
      this.#oneToOneOf(uuids),
    ]);
    const oneToOneOf = new Map(oneToOne.map((item) => [item.uuid, item]));
    const metadataOf = new Map<string, Record<string, string>>();
    for (const item of metadata) {
      const entry = metadataOf.get(item.instance_uuid) ?? {};
      entry[item.key] = item.value;
      metadataOf.set(item.instance_uuid, entry);
    }
    const faultOf = new Map<string, ServerFault>();
    for (const fault of faults) {
      if (faultOf.has(fault.instance_uuid)) continue;
      faultOf.set(fault.instance_uuid, { code: fault.code, message: fault.message, details: fault.details, created_at: fault.created_at });
    }
    const groupOf = new Map(groups.map((group) => [group.instance_uuid, group.uuid]));
    const volumesOf = new Map<string, { id: string; deleteOnTermination: boolean; root: boolean }[]>();
    for (const bdm of volumes) {
      // An attached volume has no boot index (null, which Number() would make 0).
      const root = bdm.boot_index !== null && Number(bdm.boot_index) === 0 && bdm.destination_type === 'volume';
      const volume = { id: bdm.volume_id ?? '', deleteOnTermination: Boolean(bdm.delete_on_termination), root };
      volumesOf.set(bdm.instance_uuid, [...(volumesOf.get(bdm.instance_uuid) ?? []), volume]);
    }
    return rows.map((row) => {
      const fault = faultOf.get(row.uuid);
      const group = groupOf.get(row.uuid);
      const oneToOne = oneToOneOf.get(row.uuid);
      const certs = oneToOne?.trusted_certs ?? null;
      // The optional fault is spread last: keys added after a spread are slow to add (V8), 100 servers a page.
      return {
        row,
        metadata: metadataOf.get(row.uuid) ?? {},
        flavor: (JSON.parse(row.flavor) as { cur: Flavor }).cur,
        tags: tagsOf.get(row.uuid) ?? [],
        serverGroups: group === undefined ? [] : [group],
        volumes: volumesOf.get(row.uuid) ?? [],
        trustedImageCertificates: certs === null ? null : (JSON.parse(certs) as string[]),
        autoDiskConfig: oneToOne?.auto_disk_config === 'True',
        networkInfo: parseNetworkInfo(oneToOne?.network_info ?? undefined),
        ...(fault === undefined ? {} : { fault }),
      };
    });
  }
}

/** The admin's column filters: exact values, and Python-style regex search (a NULL never matches). */
function matchesColumns(row: InstanceRow, query: ServerListQuery): boolean {
  for (const [column, values] of Object.entries(query.exact ?? {}) as [keyof InstanceRow, readonly string[]][]) {
    const value = row[column];
    if (value === null || !values.includes(String(value))) return false;
  }
  for (const [column, pattern] of Object.entries(query.regex ?? {}) as [keyof InstanceRow, string][]) {
    const value = row[column];
    if (value === null || !pythonRegex(pattern).test(String(value))) return false;
  }
  return true;
}

/** A Python pattern Nova filters with; an invalid one matches as literal text. */
function pythonRegex(pattern: string, flags = ''): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
  }
}
