import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../common/db/database.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import type { ComputeTables, InstancesTable } from '../db/tables.js';
import type { Server, ServerFault, ServerListQuery, ServerSortKey } from './server.js';

type Db = Kysely<ComputeTables>;
type InstanceRow = Selectable<InstancesTable>;

/** API sort keys to columns (instance_type_id is the flavor here). */
const SORT_COLUMNS: Readonly<Record<ServerSortKey, keyof InstancesTable>> = {
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  availability_zone: 'availability_zone',
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

export function serverNotFound(id: string): NotFound {
  return new NotFound(`Instance ${id} could not be found.`);
}

/** Reads of instances with their metadata and faults (Nova's instance_get / instance_get_all_by_filters_sort). */
export class ServerStore {
  readonly db: Db;

  constructor(readonly database: Database) {
    this.db = database.kysely.withTables<ComputeTables>();
  }

  /** A live server; deleted and unknown ones are 404. */
  async get(uuid: string): Promise<Server> {
    const row = await this.db.selectFrom('compute_instances').selectAll().where('uuid', '=', uuid).where('deleted', '=', false).executeTakeFirst();
    if (row === undefined) throw serverNotFound(uuid);
    return (await this.withDetails([row]))[0] as Server;
  }

  async list(query: ServerListQuery): Promise<Server[]> {
    let select = this.db.selectFrom('compute_instances').selectAll();
    if (query.changesSince === undefined) select = select.where('deleted', '=', false);
    else select = select.where('updated_at', '>=', query.changesSince);
    if (query.projectId !== undefined) select = select.where('project_id', '=', query.projectId);
    if (query.vmStates !== undefined) {
      if (query.vmStates.length === 0) return [];
      select = select.where('vm_state', 'in', query.vmStates);
    }
    if (query.taskStates !== undefined && query.taskStates.length > 0) select = select.where('task_state', 'in', query.taskStates);
    if (query.imageRef !== undefined) select = select.where('image_ref', '=', query.imageRef);
    if (query.flavorId !== undefined) select = select.where('flavor_id', '=', query.flavorId);
    if (query.host !== undefined) select = select.where('host', '=', query.host);
    for (const { key, dir } of query.sort) select = select.orderBy(SORT_COLUMNS[key], dir);
    select = select.orderBy('uuid', 'asc');
    // Without a name pattern or marker the page is a plain LIMIT (pollers ask for one row of thousands).
    if (query.name === undefined && query.marker === undefined) select = select.limit(query.limit);
    let rows = await select.execute();
    if (query.name !== undefined) {
      const pattern = nameRegex(query.name);
      rows = rows.filter((row) => pattern.test(row.display_name));
    }
    if (query.marker !== undefined) {
      const at = rows.findIndex((row) => row.uuid === query.marker);
      if (at < 0) throw new BadRequest(`marker [${query.marker}] not found`);
      rows = rows.slice(at + 1);
    }
    return this.withDetails(rows.slice(0, query.limit));
  }

  async metadataOf(uuid: string): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('compute_instance_metadata').select(['key', 'value']).where('instance_uuid', '=', uuid).orderBy('key').execute();
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }

  /** Replaces (`replace`) or merges the server's metadata; returns the result. */
  async writeMetadata(uuid: string, values: Readonly<Record<string, string>>, replace: boolean): Promise<Record<string, string>> {
    await this.db.transaction().execute(async (trx) => {
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
    const result = await this.db.deleteFrom('compute_instance_metadata').where('instance_uuid', '=', uuid).where('key', '=', key).executeTakeFirst();
    await this.touch(uuid);
    return result.numDeletedRows > 0n;
  }

  async touch(uuid: string, now: Date = new Date()): Promise<void> {
    await this.db.updateTable('compute_instances').set({ updated_at: toDbTimestamp(now) }).where('uuid', '=', uuid).execute();
  }

  /** Rows plus metadata and latest fault, in two queries for the whole page. */
  async withDetails(rows: readonly InstanceRow[]): Promise<Server[]> {
    if (rows.length === 0) return [];
    const uuids = rows.map((row) => row.uuid);
    const [metadata, faults] = await Promise.all([
      this.db.selectFrom('compute_instance_metadata').select(['instance_uuid', 'key', 'value']).where('instance_uuid', 'in', uuids).orderBy('key').execute(),
      this.db.selectFrom('compute_instance_faults').selectAll().where('instance_uuid', 'in', uuids).orderBy('id', 'desc').execute(),
    ]);
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
    return rows.map((row) => {
      const fault = faultOf.get(row.uuid);
      return { row, metadata: metadataOf.get(row.uuid) ?? {}, ...(fault === undefined ? {} : { fault }) };
    });
  }
}

/** Nova filters names with Python's re.search; an invalid pattern matches as literal text. */
function nameRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}
