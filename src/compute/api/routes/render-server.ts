import { createHash } from 'node:crypto';
import type { Microversion } from '../../../common/http/microversion.js';
import { versioned, type VersionedTable } from '../../../common/http/versioned.js';
import type { HostStatus } from '../../servers/host-status.js';
import type { Server, ServerFault, ServerRow } from '../../servers/server.js';
import { statusFromState } from '../../state/status.js';
import { resourceLinks } from './links.js';
import { novaTime } from './render.js';
import { diskConfigOf } from '../../servers/disk-config.js';
import { renderAddresses } from './render-addresses.js';

/** Statuses whose body carries `progress` (Nova's _progress_statuses). */
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);
/** Statuses whose body carries the fault (Nova's _fault_statuses). */
const FAULT_STATUSES = new Set(['ERROR', 'DELETED']);

/**
 * Nova keeps accessIPv6 as an IPv6 field, so it reads back in canonical RFC 5952 form
 * (`::babe:dc0c:1602` for `0:0:0:0:0:babe:220.12.22.2`); the WHATWG URL parser writes that form.
 * A zone-scoped address (`fe80::1%eth0`) is not a URL host and stays as stored.
 */
function canonicalIPv6(address: string): string {
  return URL.canParse(`http://[${address}]`) ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

/** Who is looking, as Nova's policies decide what a server view may show them. */
export interface ServerViewer {
  /** os-extended-server-attributes: the OS-EXT-SRV-ATTR fields. */
  readonly extendedAttributes: boolean;
  /** Admins see a fault's details even for 500s. */
  readonly isAdmin: boolean;
  /** servers:show:host_status (all) or its :unknown-only variant (2.16). */
  readonly hostStatus: 'all' | 'unknown-only' | 'none';
  /** servers:show:flavor-extra-specs: the embedded flavor carries its extra specs (2.47). */
  readonly flavorExtraSpecs: boolean;
}

/** Which answer the view is for: GET one, one of GET /servers/detail, PUT, or the rebuild action. */
export type ServerViewKind = 'show' | 'detail' | 'update' | 'rebuild';

export interface ServerViewOptions {
  readonly kind?: ServerViewKind;
  /** The server's host status, looked up beforehand (servers.hostStatuses); shown from 2.16 if allowed. */
  readonly hostStatus?: HostStatus | undefined;
  /** Names of the security groups of the server's ports (show and detail; none: the field is left out, as Nova). */
  readonly securityGroups?: readonly string[] | undefined;
  /** The zone of the server's host (servers.hostZones); a server on no host shows the zone it was booted with, if any. */
  readonly hostZone?: string | undefined;
}

/** The parts of Nova's show() that a PUT or rebuild answer may leave out (show_AZ, show_keypair, …). */
interface Sections {
  /** extend_address: each address with its OS-EXT-IPS:type and OS-EXT-IPS-MAC:mac_addr. */
  readonly extendedAddresses: boolean;
  readonly zone: boolean;
  readonly configDrive: boolean;
  readonly keyName: boolean;
  readonly usage: boolean;
  readonly extendedStatus: boolean;
  readonly extendedVolumes: boolean;
  readonly extendedAttributes: boolean;
  readonly hostStatus: boolean;
  readonly serverGroups: boolean;
}

const EVERYTHING: Sections = {
  extendedAddresses: true,
  zone: true, configDrive: true, keyName: true, usage: true, extendedStatus: true, extendedVolumes: true, extendedAttributes: true, hostStatus: true,
  serverGroups: true,
};
const UPDATE_BEFORE_2_75: Sections = {
  extendedAddresses: false,
  zone: false, configDrive: false, keyName: false, usage: false, extendedStatus: false, extendedVolumes: false, extendedAttributes: false,
  hostStatus: false, serverGroups: true,
};

/** What each kind of answer shows, by version: PUT and rebuild answer with everything from 2.75. */
const SECTIONS: Readonly<Record<ServerViewKind, VersionedTable<Sections>>> = {
  show: versioned([{ min: '2.1', value: EVERYTHING }]),
  detail: versioned([{ min: '2.1', value: { ...EVERYTHING, serverGroups: false } }]),
  update: versioned([
    { min: '2.1', max: '2.74', value: UPDATE_BEFORE_2_75 },
    { min: '2.75', value: EVERYTHING },
  ]),
  rebuild: versioned([
    { min: '2.1', max: '2.53', value: UPDATE_BEFORE_2_75 },
    { min: '2.54', max: '2.74', value: { ...UPDATE_BEFORE_2_75, keyName: true } },
    { min: '2.75', value: EVERYTHING },
  ]),
};

/** OS-EXT-SRV-ATTR fields by version: 2.3 adds six more (and user_data, which rebuild adds itself). */
const EXTENDED_ATTRIBUTES = versioned<readonly (keyof Server['row'])[]>([
  { min: '2.1', max: '2.2', value: [] },
  { min: '2.3', value: ['reservation_id', 'launch_index', 'hostname', 'kernel_id', 'ramdisk_id', 'root_device_name'] },
]);

interface ViewInput {
  readonly publicUrl: string;
  readonly server: Server;
  readonly viewer: ServerViewer;
}

/** The flavor: a link until 2.46, the instance's own snapshot from 2.47. */
const FLAVOR_VIEW = versioned<(input: ViewInput) => Record<string, unknown>>([
  {
    min: '2.1',
    max: '2.46',
    value: ({ publicUrl, server }) => ({ id: server.row.flavor_id, links: [{ rel: 'bookmark', href: `${publicUrl}/compute/flavors/${server.row.flavor_id}` }] }),
  },
  {
    min: '2.47',
    value: ({ server, viewer }) => {
      const { flavor, row } = server;
      return {
        vcpus: row.vcpus,
        ram: row.memory_mb,
        disk: row.root_gb,
        ephemeral: row.ephemeral_gb,
        swap: flavor.swap,
        original_name: flavor.name,
        ...(viewer.flavorExtraSpecs ? { extra_specs: flavor.extra_specs } : {}),
      };
    },
  },
]);

/** Fields later microversions add to every server view, each from its version on. */
const ADDED_FIELDS: readonly { readonly since: string; readonly fields: (server: Server) => Record<string, unknown> }[] = [
  { since: '2.9', fields: ({ row }) => ({ locked: row.locked }) },
  { since: '2.19', fields: ({ row }) => ({ description: row.display_description }) },
  { since: '2.26', fields: ({ tags }) => ({ tags: [...tags] }) },
  { since: '2.63', fields: ({ trustedImageCertificates }) => ({ trusted_image_certificates: trustedImageCertificates === null ? null : [...trustedImageCertificates] }) },
  { since: '2.73', fields: ({ row }) => ({ locked_reason: row.locked_reason }) },
];

/** utils.isotime: whole seconds, `Z`. */
function isoTime(stored: string): string {
  return `${stored.slice(0, 19)}Z`;
}

/** hostIds already hashed: a server list repeats few (project, host) pairs. Emptied when it reaches HOST_ID_MEMO_SIZE. */
const hostIds = new Map<string, string>();
const HOST_ID_MEMO_SIZE = 10_000;

/** Nova's hostId: sha224 of project id + host, "" without a host. */
export function hostId(projectId: string, host: string | null): string {
  if (host === null || host === '') return '';
  const key = projectId + host;
  let known = hostIds.get(key);
  if (known === undefined) {
    if (hostIds.size >= HOST_ID_MEMO_SIZE) hostIds.clear();
    known = createHash('sha224').update(key).digest('hex');
    hostIds.set(key, known);
  }
  return known;
}

/** instance_name_template `instance-%08x` over the uuid's first 32 bits (no integer ids here). */
function instanceName(uuid: string): string {
  return `instance-${uuid.replace(/-/g, '').slice(0, 8)}`;
}

/** GET /servers: id, name, links. */
export function renderServerBrief(publicUrl: string, row: Pick<ServerRow, 'uuid' | 'display_name'>): Record<string, unknown> {
  return { id: row.uuid, name: row.display_name, links: resourceLinks(publicUrl, 'servers', row.uuid) };
}

/**
 * What a server view shows at one microversion for one kind of answer and viewer: every version
 * and policy question answered once, so a page of 100 servers asks none of them per server.
 */
export interface ServerViewPlan {
  readonly publicUrl: string;
  readonly viewer: ServerViewer;
  readonly kind: ServerViewKind;
  readonly sections: Sections;
  readonly flavor: (input: ViewInput) => Record<string, unknown>;
  /** OS-EXT-SRV-ATTR columns past the first three (2.3); undefined: the viewer sees none of them. */
  readonly extendedColumns: readonly (keyof Server['row'])[] | undefined;
  /** 2.90: the hostname for everyone when the rest of OS-EXT-SRV-ATTR is hidden. */
  readonly hostnameForAll: boolean;
  /** 2.3: attached volumes carry delete_on_termination. */
  readonly volumeDeleteFlag: boolean;
  /** 2.16: host_status may be shown. */
  readonly hostStatus: boolean;
  readonly addedFields: readonly ((server: Server) => Record<string, unknown>)[];
  /** 2.71: server_groups. */
  readonly serverGroups: boolean;
}

/** The plan of `kind` answers at `microversion` for `viewer`. */
export function serverViewPlan(publicUrl: string, viewer: ServerViewer, microversion: Microversion, kind: ServerViewKind = 'show'): ServerViewPlan {
  const sections = SECTIONS[kind].select(microversion);
  return {
    publicUrl,
    viewer,
    kind,
    sections,
    flavor: FLAVOR_VIEW.select(microversion),
    extendedColumns: sections.extendedAttributes && viewer.extendedAttributes ? EXTENDED_ATTRIBUTES.select(microversion) : undefined,
    hostnameForAll: microversion.isAtLeast('2.90'),
    volumeDeleteFlag: microversion.isAtLeast('2.3'),
    hostStatus: sections.hostStatus && microversion.isAtLeast('2.16'),
    addedFields: ADDED_FIELDS.filter((added) => microversion.isAtLeast(added.since)).map((added) => added.fields),
    serverGroups: sections.serverGroups && microversion.isAtLeast('2.71'),
  };
}

/**
 * A server as Nova's views/servers.py show() builds it at `microversion`, for the kind of answer
 * (GET, a detail list, PUT, rebuild). Pure: everything it shows is in its arguments.
 */
export function renderServer(
  publicUrl: string,
  server: Server,
  viewer: ServerViewer,
  microversion: Microversion,
  options: ServerViewOptions = {},
): Record<string, unknown> {
  return renderPlannedServer(serverViewPlan(publicUrl, viewer, microversion, options.kind), server, options);
}

/** renderServer with its version and policy answers decided beforehand (a page renders many servers with one plan). */
export function renderPlannedServer(plan: ServerViewPlan, server: Server, options: Omit<ServerViewOptions, 'kind'> = {}): Record<string, unknown> {
  const { row } = server;
  const { publicUrl, viewer, sections } = plan;
  const status = row.deleted ? 'DELETED' : statusFromState(row.vm_state, row.task_state);
  const body: Record<string, unknown> = {
    id: row.uuid,
    name: row.display_name,
    status,
    tenant_id: row.project_id,
    user_id: row.user_id,
    metadata: server.metadata,
    hostId: hostId(row.project_id, row.host),
    image: row.image_ref === '' ? '' : { id: row.image_ref, links: [{ rel: 'bookmark', href: `${publicUrl}/compute/images/${row.image_ref}` }] },
    flavor: plan.flavor({ publicUrl, server, viewer }),
    created: isoTime(row.created_at),
    updated: isoTime(row.updated_at),
    addresses: renderAddresses(server.networkInfo, sections.extendedAddresses),
    accessIPv4: row.access_ip_v4 ?? '',
    accessIPv6: row.access_ip_v6 ? canonicalIPv6(row.access_ip_v6) : '',
    links: resourceLinks(publicUrl, 'servers', row.uuid),
    'OS-DCF:diskConfig': diskConfigOf(server.autoDiskConfig),
  };
  if (FAULT_STATUSES.has(status) && server.fault !== undefined) body['fault'] = renderFault(server.fault, viewer);
  if (PROGRESS_STATUSES.has(status)) body['progress'] = row.progress ?? 0;
  if (sections.zone) body['OS-EXT-AZ:availability_zone'] = options.hostZone ?? row.availability_zone ?? '';
  if (sections.configDrive) body['config_drive'] = row.config_drive;
  if (sections.keyName) body['key_name'] = row.key_name;
  if (sections.usage) {
    body['OS-SRV-USG:launched_at'] = novaTime(row.launched_at);
    body['OS-SRV-USG:terminated_at'] = novaTime(row.terminated_at);
  }
  if (plan.extendedColumns !== undefined) addExtendedAttributes(body, row, plan.extendedColumns, plan.kind !== 'rebuild');
  // 2.90 shows everyone the hostname they may now set (the rest of OS-EXT-SRV-ATTR stays the admin's).
  else if (plan.hostnameForAll) body['OS-EXT-SRV-ATTR:hostname'] = row.hostname;
  if (sections.extendedStatus) {
    body['OS-EXT-STS:task_state'] = row.task_state;
    body['OS-EXT-STS:vm_state'] = row.vm_state;
    body['OS-EXT-STS:power_state'] = row.power_state;
  }
  if (sections.extendedVolumes) {
    body['os-extended-volumes:volumes_attached'] = server.volumes.map((volume) =>
      plan.volumeDeleteFlag ? { id: volume.id, delete_on_termination: volume.deleteOnTermination } : { id: volume.id },
    );
  }
  const hostStatus = options.hostStatus;
  if (plan.hostStatus && hostStatus !== undefined && showsHostStatus(viewer, hostStatus)) body['host_status'] = hostStatus;
  for (const fields of plan.addedFields) Object.assign(body, fields(server));
  if (plan.serverGroups) body['server_groups'] = [...server.serverGroups];
  const groups = options.securityGroups ?? [];
  if (groups.length > 0) body['security_groups'] = groups.map((name) => ({ name }));
  return body;
}

function renderFault(fault: ServerFault, viewer: ServerViewer): Record<string, unknown> {
  return {
    code: fault.code,
    created: isoTime(fault.created_at),
    message: fault.message,
    ...((viewer.isAdmin || fault.code !== 500) && fault.details !== null && fault.details !== '' ? { details: fault.details } : {}),
  };
}

function addExtendedAttributes(body: Record<string, unknown>, row: ServerRow, more: readonly (keyof ServerRow)[], withUserData: boolean): void {
  body['OS-EXT-SRV-ATTR:host'] = row.host;
  body['OS-EXT-SRV-ATTR:instance_name'] = instanceName(row.uuid);
  body['OS-EXT-SRV-ATTR:hypervisor_hostname'] = row.node;
  for (const column of more) body[`OS-EXT-SRV-ATTR:${column}`] = row[column];
  if (more.length > 0 && withUserData) body['OS-EXT-SRV-ATTR:user_data'] = row.user_data;
}

/** Nova's unknown-only policy shows the field only while the host's state is UNKNOWN. */
function showsHostStatus(viewer: ServerViewer, status: HostStatus): boolean {
  return viewer.hostStatus === 'all' || (viewer.hostStatus === 'unknown-only' && status === 'UNKNOWN');
}
