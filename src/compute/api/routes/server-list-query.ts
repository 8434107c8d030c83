import { Type, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BadRequest, Forbidden } from '../../../common/errors/errors.js';
import type { Microversion } from '../../../common/http/microversion.js';
import { queryValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import {
  ADMIN_ONLY_SORT_KEYS,
  EXACT_FILTER_COLUMNS,
  REGEX_FILTER_COLUMNS,
  SERVER_MAX_LIMIT,
  type ExactFilterColumn,
  type RegexFilterColumn,
  type ServerListQuery,
  type ServerSortKey,
  type TagFilters,
} from '../../servers/server.js';
import { statesFromStatus } from '../../state/status.js';
import { boolFromString, last, MultiParam } from './nova-types.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

/** schemas/servers.py VALID_SORT_KEYS less the ignore list: the keys a list sorts by. */
const SORT_KEYS = [
  'access_ip_v4', 'access_ip_v6', 'auto_disk_config', 'availability_zone', 'config_drive', 'created_at', 'display_description', 'display_name',
  'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id', 'key_name', 'launch_index', 'launched_at', 'locked_by', 'node',
  'power_state', 'progress', 'project_id', 'ramdisk_id', 'root_device_name', 'task_state', 'terminated_at', 'updated_at', 'user_id', 'uuid',
  'vm_state',
] as const;
/** SERVER_LIST_IGNORE_SORT_KEY: accepted, then dropped (2.73 turns `locked` into a real key; 2.75 refuses the rest). */
const IGNORED_SORT_KEYS = [
  'architecture', 'cell_name', 'cleaned', 'default_ephemeral_device', 'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate',
  'ephemeral_gb', 'ephemeral_key_uuid', 'id', 'key_data', 'launched_on', 'locked', 'memory_mb', 'os_type', 'reservation_id', 'root_gb',
  'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode',
] as const;
const IGNORED_SORT_KEYS_2_73 = IGNORED_SORT_KEYS.filter((key) => key !== 'locked');

/** auto_disk_config has no column here (it is always false): sorting by it leaves the order to the next key. */
const UNSORTABLE: ReadonlySet<string> = new Set(['auto_disk_config']);

const Text = MultiParam(Type.String());
const DateTime = MultiParam(Type.String({ format: 'date-time' }));
const sortKey = (keys: readonly string[]) => MultiParam(Type.Unsafe<string>({ type: 'string', enum: [...keys] }));

/** Nova's query_params_v21: the known filters, `_`-prefixed names kept so they can be refused. */
const V21_PROPERTIES: TProperties = {
  ...Object.fromEntries(
    [
      'user_id', 'project_id', 'tenant_id', 'launch_index', 'image_ref', 'image', 'kernel_id', 'ramdisk_id', 'hostname', 'key_name', 'power_state',
      'vm_state', 'task_state', 'host', 'node', 'flavor', 'reservation_id', 'launched_at', 'terminated_at', 'availability_zone', 'name',
      'display_name', 'description', 'display_description', 'locked_by', 'uuid', 'root_device_name', 'config_drive', 'access_ip_v4',
      'access_ip_v6', 'auto_disk_config', 'progress', 'sort_dir', 'all_tenants', 'soft_deleted', 'deleted', 'status', 'ip', 'ip6', 'created_at',
      'block_device_mapping', 'services', 'metadata', 'system_metadata', 'info_cache', 'security_groups', 'pci_devices', 'marker',
    ].map((name) => [name, Text]),
  ),
  sort_key: sortKey([...SORT_KEYS, ...IGNORED_SORT_KEYS]),
  'changes-since': DateTime,
  limit: MultiParam(Type.Integer({ minimum: 0 })),
};
const TAG_PROPERTIES: TProperties = { tags: Text, 'tags-any': Text, 'not-tags': Text, 'not-tags-any': Text };
const V273_PROPERTIES: TProperties = { sort_key: sortKey(['locked', ...SORT_KEYS, ...IGNORED_SORT_KEYS_2_73]), locked: Text };

const lenient = (properties: TProperties) => Type.Object(properties, { additionalProperties: true, patternProperties: { '^_': Text } });

/** The query schemas of index/detail by version; 2.75 refuses unknown parameters and ignored sort keys. */
const QUERY = versioned<(query: unknown) => unknown>([
  { min: '2.1', max: '2.25', value: queryValidator(lenient(V21_PROPERTIES)) },
  { min: '2.26', max: '2.65', value: queryValidator(lenient({ ...V21_PROPERTIES, ...TAG_PROPERTIES })) },
  { min: '2.66', max: '2.72', value: queryValidator(lenient({ ...V21_PROPERTIES, ...TAG_PROPERTIES, 'changes-before': DateTime })) },
  { min: '2.73', max: '2.74', value: queryValidator(lenient({ ...V21_PROPERTIES, ...TAG_PROPERTIES, 'changes-before': DateTime, ...V273_PROPERTIES })) },
  {
    min: '2.75',
    value: queryValidator(
      Type.Object(
        { ...V21_PROPERTIES, ...TAG_PROPERTIES, 'changes-before': DateTime, ...V273_PROPERTIES, sort_key: sortKey(['locked', ...SORT_KEYS]) },
        { additionalProperties: false, patternProperties: { '^_': Text } },
      ),
    ),
  },
]);
type ServerQuery = Readonly<Record<string, readonly (string | number)[] | undefined>>;

const FILTERS_2_73 = ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants', 'ip6', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'changes-before', 'locked'];
/** 2.83 opens the columns a user can see of their own servers to filtering. */
const FILTERS_2_83 = [
  ...FILTERS_2_73, 'availability_zone', 'config_drive', 'key_name', 'created_at', 'launched_at', 'terminated_at', 'power_state', 'task_state', 'vm_state',
  'progress', 'user_id',
];
/** Filters a caller without servers:allow_all_filters keeps (Nova's _get_server_search_options), by version. */
const USER_FILTERS = versioned<readonly string[]>([
  { min: '2.1', max: '2.4', value: ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants'] },
  { min: '2.5', max: '2.25', value: ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants', 'ip6'] },
  { min: '2.26', max: '2.65', value: ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants', 'ip6', 'tags', 'tags-any', 'not-tags', 'not-tags-any'] },
  {
    min: '2.66',
    max: '2.72',
    value: ['reservation_id', 'name', 'status', 'image', 'flavor', 'ip', 'changes-since', 'all_tenants', 'ip6', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'changes-before'],
  },
  { min: '2.73', max: '2.82', value: FILTERS_2_73 },
  { min: '2.83', max: '2.89', value: FILTERS_2_83 },
  { min: '2.90', value: [...FILTERS_2_83, 'hostname'] },
]);
const PAGING_SORTING = new Set(['sort_key', 'sort_dir', 'limit', 'marker']);
/** Parameters naming joined tables: Nova refuses them as filters. */
const JOINED_TABLES = new Set(['block_device_mapping', 'services', 'metadata', 'system_metadata', 'info_cache', 'security_groups', 'pci_devices']);
/** API filter names that are another column's alias (compute/api.py get_all's filter_mapping and the schema's aliases). */
const ALIASES: Readonly<Record<string, string>> = { name: 'display_name', description: 'display_description', tenant_id: 'project_id', image: 'image_ref' };
const TAG_FILTERS: readonly [string, keyof TagFilters][] = [
  ['tags', 'tags'],
  ['tags-any', 'tagsAny'],
  ['not-tags', 'notTags'],
  ['not-tags-any', 'notTagsAny'],
];

function text(query: ServerQuery, name: string): string | undefined {
  const value = last(query[name]);
  return value === undefined ? undefined : String(value);
}

function isoTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new BadRequest(`Invalid filter field: ${name}.`);
  return parsed.toISOString();
}

/** oslo's bool_from_string(strict=True) for the 2.73 `locked` filter. */
function lockedFilter(value: string): boolean {
  const parsed = boolFromString(value);
  if (parsed === undefined) {
    throw new BadRequest(`Invalid input received: Unrecognized value '${value}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
  }
  return parsed;
}

/** Nova's is_all_tenants: a bare `all_tenants` is true, anything else must be a boolean word. */
function allTenantsOf(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === '') return true;
  const parsed = boolFromString(value);
  if (parsed === undefined) throw new BadRequest(`Invalid all_tenants value: ${value}`);
  return parsed;
}

/** The sort, as remove_invalid_sort_keys leaves it: ignored keys dropped, host/node admin-only. */
function sortOf(query: ServerQuery, version: Microversion, isAdmin: boolean): ServerListQuery['sort'] {
  const ignored: readonly string[] = version.isAtLeast('2.73') ? IGNORED_SORT_KEYS_2_73 : IGNORED_SORT_KEYS;
  const keys = (query['sort_key'] ?? []).map(String);
  const dirs = (query['sort_dir'] ?? []).map(String);
  const sort: { key: ServerSortKey; dir: 'asc' | 'desc' }[] = [];
  for (const [index, key] of keys.entries()) {
    if (ignored.includes(key)) continue;
    if (ADMIN_ONLY_SORT_KEYS.includes(key as ServerSortKey) && !isAdmin) throw new Forbidden(`Only administrators can sort servers by ${key}`);
    const dir = dirs[index] ?? dirs[0] ?? 'desc';
    if (dir !== 'asc' && dir !== 'desc') throw new BadRequest("Unknown sort direction, must be 'desc' or 'asc'");
    if (!UNSORTABLE.has(key)) sort.push({ key: key as ServerSortKey, dir });
  }
  if (sort.length === 0) sort.push({ key: 'created_at', dir: dirs[0] === 'asc' ? 'asc' : 'desc' });
  return sort;
}

/** The admin's remaining filters as column matches. */
function columnFilters(options: ReadonlyMap<string, string>): Pick<ServerListQuery, 'exact' | 'regex'> {
  const exact: Partial<Record<ExactFilterColumn, readonly string[]>> = {};
  const regex: Partial<Record<RegexFilterColumn, string>> = {};
  for (const [name, value] of options) {
    const column = ALIASES[name] ?? name;
    if ((EXACT_FILTER_COLUMNS as readonly string[]).includes(column)) exact[column as ExactFilterColumn] = [value];
    else if ((REGEX_FILTER_COLUMNS as readonly string[]).includes(column)) regex[column as RegexFilterColumn] = value;
  }
  return { exact, regex };
}

/**
 * Nova's ServersController._get_servers up to the compute API call: validate the query for the
 * version, drop what the caller may not filter on, turn status into states, and read paging and
 * sorting. Returns undefined when the answer is an empty list (an unknown status before 2.38).
 */
export function serverListQuery(deps: ComputeRouteDeps, request: FastifyRequest, detail: boolean): ServerListQuery | undefined {
  const version = request.microversion;
  const query = QUERY.select(version)(request.query) as ServerQuery;
  const context = request.requestContext;
  const isAdmin = context.isAdmin ?? false;
  const allFilters = deps.policy.check('os_compute_api:servers:allow_all_filters', { project_id: context.projectId }, deps.credentialsOf(request));
  const allowed = new Set(USER_FILTERS.select(version));
  const options = new Map<string, string>();
  for (const name of Object.keys(query)) {
    const value = text(query, name);
    if (value === undefined || PAGING_SORTING.has(name) || (!allFilters && !allowed.has(name))) continue;
    if (JOINED_TABLES.has(name) || name.startsWith('_')) throw new BadRequest(`Invalid filter field: ${name}.`);
    options.set(name, value);
  }
  const take = (name: string): string | undefined => {
    const value = options.get(name);
    options.delete(name);
    return value;
  };

  let vmStates: readonly string[] | undefined;
  let taskStates: readonly string[] | undefined;
  if (take('status') !== undefined) {
    const states = statesFromStatus((query['status'] ?? []).map(String));
    if (states.vmStates.length === 0) {
      if (version.isAtLeast('2.38')) throw new BadRequest('Invalid status value');
      return undefined;
    }
    vmStates = states.vmStates;
    taskStates = states.taskStates;
  }
  const vmState = take('vm_state');
  if (vmState !== undefined) vmStates = [vmState];
  const taskState = take('task_state');
  if (taskState !== undefined) taskStates = [taskState];
  const changesSince = isoTime('changes-since', take('changes-since'));
  const changesBefore = isoTime('changes-before', take('changes-before'));
  if (changesSince !== undefined && changesBefore !== undefined && changesBefore < changesSince) {
    throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
  }
  const deletedParam = take('deleted');
  let deleted = deletedParam === undefined ? undefined : boolFromString(deletedParam) === true;
  if (vmStates?.length === 1 && vmStates[0] === 'deleted') {
    if (!isAdmin) throw new Forbidden('Only administrators may list deleted instances');
    deleted = true;
  }
  const tagFilters: Record<string, string[]> = {};
  if (version.isAtLeast('2.26')) {
    for (const [param, field] of TAG_FILTERS) {
      const value = take(param);
      if (value !== undefined) tagFilters[field] = value.split(',');
    }
  }
  const allTenants = allTenantsOf(take('all_tenants'));
  const lockedParam = take('locked');
  const locked = lockedParam === undefined ? undefined : lockedFilter(lockedParam);
  if (allTenants) authorize(deps, request, `os_compute_api:servers:${detail ? 'detail' : 'index'}:get_all_tenants`, {});
  // tenant_id is project_id's alias; project_id wins when both are given.
  const projectParam = take('project_id') ?? take('tenant_id');
  take('tenant_id');
  const projectId = allTenants ? projectParam : (context.projectId ?? '');
  const image = take('image') ?? take('image_ref');
  const flavor = take('flavor');
  const host = take('host');
  const ip = take('ip');
  const ip6 = take('ip6');
  // auto_disk_config is false for every server here.
  take('auto_disk_config');
  const softDeletedParam = take('soft_deleted');
  const softDeleted = softDeletedParam === undefined ? undefined : boolFromString(softDeletedParam) === true;

  const limit = last(query['limit']);
  const marker = text(query, 'marker');
  return {
    ...(projectId === undefined ? {} : { projectId }),
    ...(vmStates === undefined ? {} : { vmStates }),
    ...(taskStates === undefined ? {} : { taskStates }),
    ...(image === undefined ? {} : { imageRef: image.split('/').at(-1) ?? image }),
    ...(flavor === undefined ? {} : { flavorId: flavor.split('/').at(-1) ?? flavor }),
    ...(host === undefined ? {} : { host }),
    ...(changesSince === undefined ? {} : { changesSince }),
    ...(changesBefore === undefined ? {} : { changesBefore }),
    ...(deleted === undefined ? {} : { deleted }),
    ...(softDeleted === undefined ? {} : { softDeleted }),
    ...(Object.keys(tagFilters).length === 0 ? {} : { tagFilters }),
    ...(locked === undefined ? {} : { locked }),
    ...(ip === undefined && ip6 === undefined ? {} : { addresses: { ...(ip === undefined ? {} : { ip }), ...(ip6 === undefined ? {} : { ip6 }) } }),
    ...columnFilters(options),
    sort: sortOf(query, version, isAdmin),
    limit: limit === undefined ? SERVER_MAX_LIMIT : Math.min(Number(limit), SERVER_MAX_LIMIT),
    ...(marker === undefined ? {} : { marker }),
  };
}
