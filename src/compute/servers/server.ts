import type { Selectable } from 'kysely';
import type { InstancesTable } from '../db/tables.js';
import type { Flavor } from '../flavors/flavor.js';
import type { NetworkInfo } from '../network/network-info.js';
import type { RequestedBlockDevice } from './block-device-request.js';
import type { DiskConfig } from './disk-config.js';

/**
 * An instance row as the API reads it: every column but the key pair's public key (the metadata
 * service's, read by the agent's store) and the deletion time, which no view or action shows.
 */
export type ServerRow = Omit<Selectable<InstancesTable>, 'key_data' | 'deleted_at'>;

/** An instance row as the API reads it, with what the views show beside it. */
export interface Server {
  readonly row: ServerRow;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fault?: ServerFault;
  /** The flavor snapshot the instance runs with (the flavor JSON's `cur`). */
  readonly flavor: Flavor;
  /** Sorted, as Nova's TagList. */
  readonly tags: readonly string[];
  /** Uuids of the server groups the instance is a member of (at most one). */
  readonly serverGroups: readonly string[];
  /** Volumes attached (block device mappings with a volume), in mapping order. */
  readonly volumes: readonly { readonly id: string; readonly deleteOnTermination: boolean; /** The root disk (boot index 0). */ readonly root: boolean }[];
  /** Certificate ids the image must be signed by (2.63), null when none were asked. */
  readonly trustedImageCertificates: readonly string[] | null;
  /** OS-DCF:diskConfig AUTO (true) or MANUAL, as the server was created, rebuilt, resized or updated. */
  readonly autoDiskConfig: boolean;
  /** The instance's ports (its network info cache): `addresses` and os-interface. */
  readonly networkInfo: NetworkInfo;
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
  'config_drive',
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

/** Columns an admin may filter on by exact value (Nova's exact_match_filter_names, kept here). */
export const EXACT_FILTER_COLUMNS = ['uuid', 'user_id', 'project_id', 'vm_state', 'task_state', 'launch_index', 'power_state'] as const;
export type ExactFilterColumn = (typeof EXACT_FILTER_COLUMNS)[number];

/** Columns an admin may filter on by regular expression (Nova's _regex_instance_filter). */
export const REGEX_FILTER_COLUMNS = [
  'display_name', 'display_description', 'hostname', 'key_name', 'kernel_id', 'ramdisk_id', 'node', 'reservation_id',
  'availability_zone', 'locked_by', 'root_device_name', 'config_drive', 'access_ip_v4', 'access_ip_v6', 'progress',
  'launched_at', 'terminated_at', 'created_at',
] as const;
export type RegexFilterColumn = (typeof REGEX_FILTER_COLUMNS)[number];

/** The 2.26 tag filters, each a list of tags (the query's comma-separated value). */
export interface TagFilters {
  /** Servers carrying every one of these. */
  readonly tags?: readonly string[];
  /** Servers carrying at least one. */
  readonly tagsAny?: readonly string[];
  /** Servers not carrying all of these at once. */
  readonly notTags?: readonly string[];
  /** Servers carrying none of these. */
  readonly notTagsAny?: readonly string[];
}

/** A list request, already authorized and narrowed to what the caller may filter on. */
export interface ServerListQuery {
  /** Only this project's servers; undefined with all_tenants. */
  readonly projectId?: string;
  readonly vmStates?: readonly string[];
  readonly taskStates?: readonly string[];
  readonly imageRef?: string;
  readonly flavorId?: string;
  readonly host?: string;
  /** ISO time: servers changed since, deleted ones included (as Nova). */
  readonly changesSince?: string;
  /** ISO time: servers changed at or before, deleted ones included (2.66). */
  readonly changesBefore?: string;
  /** An admin's `deleted`: true lists only deleted servers, false only live ones (absent: live ones, all with a changes window). */
  readonly deleted?: boolean;
  /** Nova's soft_deleted: whether SOFT_DELETED servers count as deleted (the default with deleted=true) or as live (hidden otherwise). */
  readonly softDeleted?: boolean;
  readonly tagFilters?: TagFilters;
  /** 2.73: locked or unlocked servers only. */
  readonly locked?: boolean;
  readonly exact?: Partial<Record<ExactFilterColumn, readonly string[]>>;
  /** Python regexes (matched with JS RegExp, search semantics): the name filter is display_name's. */
  readonly regex?: Partial<Record<RegexFilterColumn, string>>;
  /**
   * `ip` and `ip6`: Python regexes matched (re.match, from the start) against the IPv4 and IPv6
   * fixed addresses of the server's network info; a server matching either is listed.
   */
  readonly addresses?: { readonly ip?: string; readonly ip6?: string };
  readonly sort: readonly { readonly key: ServerSortKey; readonly dir: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly marker?: string;
}

/** What POST /servers asks for, after schema validation. */
export interface ServerCreateRequest {
  readonly name: string;
  /** '' for a server that boots from a volume. */
  readonly imageRef: string;
  /** The volumes asked for (block_device_mapping_v2 or the legacy block_device_mapping). */
  readonly blockDevices?: readonly RequestedBlockDevice[];
  readonly flavorRef: string;
  readonly keyName?: string;
  readonly userData?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly availabilityZone?: string;
  readonly networks?: 'auto' | 'none' | readonly { readonly uuid?: string; readonly port?: string | null; readonly fixed_ip?: string; readonly tag?: string }[];
  /** Security group names (or ids) the server's new ports go into; absent: the project's `default`. */
  readonly securityGroups?: readonly string[];
  readonly minCount: number;
  readonly maxCount: number;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  readonly adminPass?: string;
  readonly configDrive?: boolean;
  /** 2.19: null clears it; absent, the description is the name (as Nova before 2.19). */
  readonly description?: string | null;
  /** 2.52 */
  readonly tags?: readonly string[];
  /** 2.63 */
  readonly trustedImageCertificates?: readonly string[];
  readonly diskConfig?: DiskConfig;
  /** An admin's `zone:host`, `zone:host:node` or `zone::node`: forced there, past the filters (Nova's forced_host / forced_node). */
  readonly forcedHost?: string;
  readonly forcedNode?: string;
  /** 2.74: an admin's chosen host and/or node. */
  readonly requestedHost?: string;
  readonly requestedNode?: string;
  /** 2.90: the guest's hostname as asked (else one made from the name). */
  readonly hostname?: string;
  /** Policy's servers:create:zero_disk_flavor for this caller: an image-backed server on a flavor of zero disk. */
  readonly zeroDiskFlavorAllowed?: boolean;
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
