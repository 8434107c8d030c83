import type { Selectable } from 'kysely';
import type { InstancesTable } from '../db/tables.js';

/** An instance row as the API reads it, with its metadata and latest fault. */
export interface Server {
  readonly row: Selectable<InstancesTable>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fault?: ServerFault;
}

export interface ServerFault {
  readonly code: number;
  readonly message: string;
  readonly details: string | null;
  readonly created_at: string;
}

/** Nova's sort keys for servers (common.py / servers.py SERVER_LIST_SORT_KEYS, the columns kept here). */
export const SERVER_SORT_KEYS = [
  'access_ip_v4',
  'access_ip_v6',
  'availability_zone',
  'created_at',
  'display_description',
  'display_name',
  'host',
  'hostname',
  'image_ref',
  'instance_type_id',
  'kernel_id',
  'key_name',
  'launch_index',
  'launched_at',
  'locked',
  'locked_by',
  'node',
  'power_state',
  'progress',
  'project_id',
  'ramdisk_id',
  'root_device_name',
  'task_state',
  'terminated_at',
  'updated_at',
  'user_id',
  'uuid',
  'vm_state',
] as const;
export type ServerSortKey = (typeof SERVER_SORT_KEYS)[number];

/** Sort keys only an admin may use (Nova drops them for others). */
export const ADMIN_ONLY_SORT_KEYS: readonly ServerSortKey[] = ['host', 'node'];

/** A list request, already authorized and narrowed to what the caller may filter on. */
export interface ServerListQuery {
  /** Only this project's servers; undefined with all_tenants. */
  readonly projectId?: string;
  /** Python regex over the display name (matched with JS RegExp, search semantics). */
  readonly name?: string;
  readonly vmStates?: readonly string[];
  readonly taskStates?: readonly string[];
  readonly imageRef?: string;
  readonly flavorId?: string;
  readonly host?: string;
  /** ISO time: servers changed since, deleted ones included (as Nova). */
  readonly changesSince?: string;
  readonly sort: readonly { readonly key: ServerSortKey; readonly dir: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly marker?: string;
}

/** What POST /servers asks for, after schema validation. */
export interface ServerCreateRequest {
  readonly name: string;
  readonly imageRef: string;
  readonly flavorRef: string;
  readonly keyName?: string;
  readonly userData?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly availabilityZone?: string;
  readonly networks?: 'auto' | 'none' | readonly { readonly uuid?: string; readonly port?: string; readonly fixed_ip?: string }[];
  readonly minCount: number;
  readonly maxCount: number;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  readonly adminPass?: string;
  readonly configDrive?: boolean;
  readonly hints: {
    readonly group?: string;
    readonly sameHost?: readonly string[];
    readonly differentHost?: readonly string[];
  };
}

/** Servers written by one create: the first is what a 2.1 create answers with. */
export interface CreatedServers {
  readonly servers: readonly Server[];
  readonly reservationId: string;
  readonly adminPass: string;
}

/** Nova's MAX_LIMIT for list pages. */
export const SERVER_MAX_LIMIT = 1000;
