/**
 * Test-only: Nova Zed's default policies (new defaults, src/compute/policies.ts) as the status
 * each persona gets on each compute route; run by policy-matrix.test.ts. The resource of a row
 * belongs to the owning project. Nova looks a server up within the caller's project before it
 * checks policy, so another project's server is 404; an administrator's rule refuses a member
 * or reader of the owning project with 403. Server actions (one route) have a row each.
 */
import { statuses, type Expectation, type MatrixRequest, type MatrixRow } from '../../common/policy/testing/policy-matrix.js';
import type { InstancesTable } from '../db/tables.js';
import { IMAGE_ID } from '../testing/compute-test-app.js';

/** What a row can make, fresh for each persona; everything belongs to the owning project (or its member). */
export interface ComputeMatrixFixture {
  /** An ACTIVE m1.tiny server on compute-1, fields overridable. */
  server(overrides?: Partial<InstancesTable>): Promise<string>;
  /** A server resized to m1.small, waiting for confirmation. */
  resizedServer(): Promise<string>;
  /** A server in a running live migration, with the migration's id. */
  liveMigratingServer(): Promise<{ readonly server: string; readonly migration: number }>;
  /** A server on a compute host that is down (forced down), another host up. */
  serverOnDownHost(): Promise<string>;
  /** A flavor (private, or of zero disk, when asked) with the extra spec `a=b`. */
  flavor(options?: { readonly isPublic?: boolean; readonly zeroDisk?: boolean }): Promise<string>;
  /** A key pair of the owning project's member. */
  keypair(): Promise<string>;
  serverGroup(): Promise<string>;
  /** An aggregate, holding compute-1 unless asked not to. */
  aggregate(options?: { readonly withHost: boolean }): Promise<string>;
  /** A nova-compute service record's uuid. */
  service(): Promise<string>;
  /** A hypervisor's id and its host name. */
  hypervisor(): Promise<{ readonly id: string; readonly host: string }>;
  /** An image of the owning project (through the image proxy), with the property `k=v`. */
  image(): Promise<string>;
  /** A server with one recorded action, and that action's request id. */
  instanceAction(): Promise<{ readonly server: string; readonly requestId: string }>;
  readonly ownerProject: string;
  readonly memberUser: string;
}

type Row = MatrixRow<ComputeMatrixFixture>;

const ANYONE = statuses(200, 200, 200, 200);
const ANYONE_501 = statuses(501, 501, 501, 501);
/** The administrator only, on something that is not a server. */
const adminOnly = (status: number): Expectation => statuses(status, 403, 403, 403);
/** PROJECT_READER_OR_ADMIN on the owning project's server. */
const serverReader = (status: number): Expectation => statuses(status, status, 404, status);
/** PROJECT_MEMBER_OR_ADMIN on the owning project's server. */
const serverMember = (status: number): Expectation => statuses(status, status, 404, 403);
/** ADMIN on the owning project's server (found before the rule is checked). */
const serverAdmin = (status: number): Expectation => statuses(status, 403, 404, 403);

const at = (version: string) => ({ 'openstack-api-version': `compute ${version}` });
/** The start of a usage period (its end is now). */
const SINCE = '2020-01-01T00:00:00';
let serial = 0;
const unique = (prefix: string) => `${prefix}-${(serial += 1)}`;

function on(path: string, body?: unknown, version?: string): MatrixRequest {
  return { path, ...(body === undefined ? {} : { body }), ...(version === undefined ? {} : { headers: at(version) }) };
}

const FLAVOR_ROWS: Row[] = [
  // Listing and showing flavors has no rule in Nova.
  { route: 'GET /v2.1/flavors', zed: ANYONE, request: () => on('/flavors') },
  { route: 'GET /v2.1/flavors/detail', zed: ANYONE, request: () => on('/flavors/detail') },
  { route: 'GET /v2.1/flavors/:flavor_id', zed: ANYONE, request: async (fx) => on(`/flavors/${await fx.flavor()}`) },
  { route: 'POST /v2.1/flavors', zed: adminOnly(200), request: () => on('/flavors', { flavor: { name: unique('flavor'), ram: 64, vcpus: 1, disk: 1 } }) },
  { route: 'PUT /v2.1/flavors/:flavor_id', zed: adminOnly(200), request: async (fx) => on(`/flavors/${await fx.flavor()}`, { flavor: { description: 'd' } }, '2.55') },
  { route: 'DELETE /v2.1/flavors/:flavor_id', zed: adminOnly(202), request: async (fx) => on(`/flavors/${await fx.flavor()}`) },
  // Extra specs are read with the caller's own project as the target: any project reader.
  { route: 'GET /v2.1/flavors/:flavor_id/os-extra_specs', zed: ANYONE, request: async (fx) => on(`/flavors/${await fx.flavor()}/os-extra_specs`) },
  { route: 'GET /v2.1/flavors/:flavor_id/os-extra_specs/:key', zed: ANYONE, request: async (fx) => on(`/flavors/${await fx.flavor()}/os-extra_specs/a`) },
  {
    route: 'POST /v2.1/flavors/:flavor_id/os-extra_specs',
    zed: adminOnly(200),
    request: async (fx) => on(`/flavors/${await fx.flavor()}/os-extra_specs`, { extra_specs: { c: 'd' } }),
  },
  { route: 'PUT /v2.1/flavors/:flavor_id/os-extra_specs/:key', zed: adminOnly(200), request: async (fx) => on(`/flavors/${await fx.flavor()}/os-extra_specs/a`, { a: 'c' }) },
  { route: 'DELETE /v2.1/flavors/:flavor_id/os-extra_specs/:key', zed: adminOnly(200), request: async (fx) => on(`/flavors/${await fx.flavor()}/os-extra_specs/a`) },
  { route: 'GET /v2.1/flavors/:flavor_id/os-flavor-access', zed: adminOnly(200), request: async (fx) => on(`/flavors/${await fx.flavor({ isPublic: false })}/os-flavor-access`) },
  {
    route: 'POST /v2.1/flavors/:flavor_id/action',
    case: 'addTenantAccess',
    zed: adminOnly(200),
    request: async (fx) => on(`/flavors/${await fx.flavor({ isPublic: false })}/action`, { addTenantAccess: { tenant: 'third-project' } }),
  },
  {
    route: 'POST /v2.1/flavors/:flavor_id/action',
    case: 'removeTenantAccess',
    zed: adminOnly(200),
    request: async (fx) => on(`/flavors/${await fx.flavor({ isPublic: false })}/action`, { removeTenantAccess: { tenant: fx.ownerProject } }),
  },
];

/** Key pairs are the user's: another user (the reader too) is refused the member's, by name with user_id (2.10). */
const KEYPAIR_ROWS: Row[] = [
  { route: 'GET /v2.1/os-keypairs', zed: ANYONE, request: () => on('/os-keypairs') },
  { route: 'GET /v2.1/os-keypairs', case: 'user_id', zed: statuses(200, 200, 403, 403), request: (fx) => on(`/os-keypairs?user_id=${fx.memberUser}`, undefined, '2.10') },
  { route: 'POST /v2.1/os-keypairs', zed: statuses(200, 200, 200, 200), request: () => on('/os-keypairs', { keypair: { name: unique('key') } }) },
  {
    route: 'GET /v2.1/os-keypairs/:keypair_name',
    zed: statuses(200, 200, 403, 403),
    request: async (fx) => on(`/os-keypairs/${await fx.keypair()}?user_id=${fx.memberUser}`, undefined, '2.10'),
  },
  {
    route: 'DELETE /v2.1/os-keypairs/:keypair_name',
    zed: statuses(204, 204, 403, 403),
    request: async (fx) => on(`/os-keypairs/${await fx.keypair()}?user_id=${fx.memberUser}`, undefined, '2.10'),
  },
];

const QUOTA_ROWS: Row[] = [
  { route: 'GET /v2.1/os-quota-sets/:project_id', zed: statuses(200, 200, 403, 200), request: (fx) => on(`/os-quota-sets/${fx.ownerProject}`) },
  { route: 'GET /v2.1/os-quota-sets/:project_id/detail', zed: statuses(200, 200, 403, 200), request: (fx) => on(`/os-quota-sets/${fx.ownerProject}/detail`) },
  { route: 'GET /v2.1/os-quota-sets/:project_id/defaults', zed: ANYONE, request: (fx) => on(`/os-quota-sets/${fx.ownerProject}/defaults`) },
  { route: 'PUT /v2.1/os-quota-sets/:project_id', zed: adminOnly(200), request: (fx) => on(`/os-quota-sets/${fx.ownerProject}`, { quota_set: { instances: 20 } }) },
  { route: 'DELETE /v2.1/os-quota-sets/:project_id', zed: adminOnly(202), request: (fx) => on(`/os-quota-sets/${fx.ownerProject}`) },
  { route: 'GET /v2.1/os-quota-class-sets/:class_name', zed: adminOnly(200), request: () => on('/os-quota-class-sets/default') },
  { route: 'PUT /v2.1/os-quota-class-sets/:class_name', zed: adminOnly(200), request: () => on('/os-quota-class-sets/default', { quota_class_set: { instances: 10 } }) },
  { route: 'GET /v2.1/limits', zed: ANYONE, request: () => on('/limits') },
  { route: 'GET /v2.1/extensions', zed: ANYONE, request: () => on('/extensions') },
  { route: 'GET /v2.1/extensions/:alias', zed: ANYONE, request: () => on('/extensions/os-server-password') },
  // Naming a project, even one's own, is limits:other_project.
  { route: 'GET /v2.1/limits', case: 'tenant_id', zed: adminOnly(200), request: (fx) => on(`/limits?tenant_id=${fx.ownerProject}`) },
];

/** The image proxy: Glance decides (the owner's image, another project cannot see it, a reader may not change it). */
const IMAGE_ROWS: Row[] = [
  { route: 'GET /v2.1/images', zed: ANYONE, request: () => on('/images') },
  { route: 'GET /v2.1/images/detail', zed: ANYONE, request: () => on('/images/detail') },
  { route: 'GET /v2.1/images/:image_id', zed: serverReader(200), request: async (fx) => on(`/images/${await fx.image()}`) },
  { route: 'DELETE /v2.1/images/:image_id', zed: serverMember(204), request: async (fx) => on(`/images/${await fx.image()}`) },
  { route: 'GET /v2.1/images/:image_id/metadata', zed: serverReader(200), request: async (fx) => on(`/images/${await fx.image()}/metadata`) },
  { route: 'GET /v2.1/images/:image_id/metadata/:key', zed: serverReader(200), request: async (fx) => on(`/images/${await fx.image()}/metadata/k`) },
  { route: 'POST /v2.1/images/:image_id/metadata', zed: serverMember(200), request: async (fx) => on(`/images/${await fx.image()}/metadata`, { metadata: { k2: 'v' } }) },
  { route: 'PUT /v2.1/images/:image_id/metadata', zed: serverMember(200), request: async (fx) => on(`/images/${await fx.image()}/metadata`, { metadata: { k: 'w' } }) },
  { route: 'PUT /v2.1/images/:image_id/metadata/:key', zed: serverMember(200), request: async (fx) => on(`/images/${await fx.image()}/metadata/k`, { meta: { k: 'w' } }) },
  { route: 'DELETE /v2.1/images/:image_id/metadata/:key', zed: serverMember(204), request: async (fx) => on(`/images/${await fx.image()}/metadata/k`) },
];

const SERVER_ROWS: Row[] = [
  // Each caller creates in its own project; a reader may not.
  {
    route: 'POST /v2.1/servers',
    zed: statuses(202, 202, 202, 403),
    request: () => on('/servers', { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none' } }, '2.37'),
  },
  {
    route: 'POST /v2.1/servers',
    case: 'on a chosen host',
    zed: adminOnly(202),
    request: () => on('/servers', { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: '1', networks: 'none', host: 'compute-1' } }, '2.74'),
  },
  // An image-backed server on a flavor of zero disk is the administrator's (servers:create:zero_disk_flavor).
  {
    route: 'POST /v2.1/servers',
    case: 'zero-disk flavor',
    zed: adminOnly(202),
    request: async (fx) => on('/servers', { server: { name: 'vm', imageRef: IMAGE_ID, flavorRef: await fx.flavor({ zeroDisk: true }), networks: 'none' } }, '2.37'),
  },
  { route: 'GET /v2.1/servers', zed: ANYONE, request: () => on('/servers') },
  { route: 'GET /v2.1/servers', case: 'all_tenants', zed: adminOnly(200), request: () => on('/servers?all_tenants=1') },
  { route: 'GET /v2.1/servers/detail', zed: ANYONE, request: () => on('/servers/detail') },
  { route: 'GET /v2.1/servers/detail', case: 'all_tenants', zed: adminOnly(200), request: () => on('/servers/detail?all_tenants=1') },
  { route: 'GET /v2.1/servers/:server_id', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}`) },
  { route: 'PUT /v2.1/servers/:server_id', zed: serverMember(200), request: async (fx) => on(`/servers/${await fx.server()}`, { server: { name: 'renamed' } }) },
  { route: 'DELETE /v2.1/servers/:server_id', zed: serverMember(204), request: async (fx) => on(`/servers/${await fx.server()}`) },
  { route: 'GET /v2.1/servers/:server_id/metadata', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/metadata`) },
  { route: 'GET /v2.1/servers/:server_id/metadata/:key', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/metadata/k`) },
  { route: 'POST /v2.1/servers/:server_id/metadata', zed: serverMember(200), request: async (fx) => on(`/servers/${await fx.server()}/metadata`, { metadata: { k2: 'v' } }) },
  { route: 'PUT /v2.1/servers/:server_id/metadata', zed: serverMember(200), request: async (fx) => on(`/servers/${await fx.server()}/metadata`, { metadata: { k: 'w' } }) },
  { route: 'PUT /v2.1/servers/:server_id/metadata/:key', zed: serverMember(200), request: async (fx) => on(`/servers/${await fx.server()}/metadata/k`, { meta: { k: 'w' } }) },
  { route: 'DELETE /v2.1/servers/:server_id/metadata/:key', zed: serverMember(204), request: async (fx) => on(`/servers/${await fx.server()}/metadata/k`) },
  // The route-test app has no network API: where policy lets the caller through, the 501 of a cloud without one.
  { route: 'GET /v2.1/servers/:server_id/os-volume_attachments', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/os-volume_attachments`) },
  {
    route: 'GET /v2.1/servers/:server_id/os-volume_attachments/:volume_id',
    zed: serverReader(404),
    request: async (fx) => on(`/servers/${await fx.server()}/os-volume_attachments/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02`),
  },
  {
    // The matrix's app has no volume API: an allowed attach or detach gets the 503 that says so.
    route: 'POST /v2.1/servers/:server_id/os-volume_attachments',
    zed: serverMember(503),
    request: async (fx) => on(`/servers/${await fx.server()}/os-volume_attachments`, { volumeAttachment: { volumeId: '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02' } }),
  },
  {
    // 2.85's update of delete_on_termination: allowed callers find the volume not attached.
    route: 'PUT /v2.1/servers/:server_id/os-volume_attachments/:volume_id',
    zed: serverMember(404),
    request: async (fx) =>
      on(`/servers/${await fx.server()}/os-volume_attachments/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02`, { volumeAttachment: { volumeId: '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02', delete_on_termination: true } }, '2.85'),
  },
  {
    // A swap (another volume id) is the administrator's; an allowed one gets Nova's 404 for an old volume Cinder does not know (this one is not there).
    route: 'PUT /v2.1/servers/:server_id/os-volume_attachments/:volume_id',
    case: 'a swap',
    zed: serverAdmin(404),
    request: async (fx) =>
      on(`/servers/${await fx.server()}/os-volume_attachments/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02`, { volumeAttachment: { volumeId: '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a03' } }, '2.85'),
  },
  {
    route: 'DELETE /v2.1/servers/:server_id/os-volume_attachments/:volume_id',
    zed: serverMember(503),
    request: async (fx) => on(`/servers/${await fx.server()}/os-volume_attachments/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a02`),
  },
  { route: 'GET /v2.1/servers/:server_id/os-interface', zed: serverReader(501), request: async (fx) => on(`/servers/${await fx.server()}/os-interface`) },
  {
    route: 'GET /v2.1/servers/:server_id/os-interface/:port_id',
    zed: serverReader(501),
    request: async (fx) => on(`/servers/${await fx.server()}/os-interface/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a01`),
  },
  {
    // The matrix's app has no network API: an allowed attach or detach gets Nova's 501.
    route: 'POST /v2.1/servers/:server_id/os-interface',
    zed: serverMember(501),
    request: async (fx) => on(`/servers/${await fx.server()}/os-interface`, { interfaceAttachment: { port_id: '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a01' } }),
  },
  {
    route: 'DELETE /v2.1/servers/:server_id/os-interface/:port_id',
    zed: serverMember(501),
    request: async (fx) => on(`/servers/${await fx.server()}/os-interface/6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a01`),
  },
  { route: 'GET /v2.1/servers/:server_id/ips', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/ips`) },
  // The fixture's server is on no network: the allowed personas get Nova's "not a member" 404.
  { route: 'GET /v2.1/servers/:server_id/ips/:network_label', zed: serverReader(404), request: async (fx) => on(`/servers/${await fx.server()}/ips/private`) },
  { route: 'GET /v2.1/servers/:server_id/tags', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/tags`, undefined, '2.26') },
  { route: 'PUT /v2.1/servers/:server_id/tags', zed: serverMember(200), request: async (fx) => on(`/servers/${await fx.server()}/tags`, { tags: ['a'] }, '2.26') },
  { route: 'DELETE /v2.1/servers/:server_id/tags', zed: serverMember(204), request: async (fx) => on(`/servers/${await fx.server()}/tags`, undefined, '2.26') },
  { route: 'GET /v2.1/servers/:server_id/tags/:tag', zed: serverReader(204), request: async (fx) => on(`/servers/${await fx.server()}/tags/t`, undefined, '2.26') },
  { route: 'PUT /v2.1/servers/:server_id/tags/:tag', zed: serverMember(201), request: async (fx) => on(`/servers/${await fx.server()}/tags/new`, undefined, '2.26') },
  { route: 'DELETE /v2.1/servers/:server_id/tags/:tag', zed: serverMember(204), request: async (fx) => on(`/servers/${await fx.server()}/tags/t`, undefined, '2.26') },
  { route: 'GET /v2.1/servers/:server_id/os-instance-actions', zed: serverReader(200), request: async (fx) => on(`/servers/${(await fx.instanceAction()).server}/os-instance-actions`) },
  {
    route: 'GET /v2.1/servers/:server_id/os-instance-actions/:request_id',
    zed: serverReader(200),
    request: async (fx) => {
      const { server, requestId } = await fx.instanceAction();
      return on(`/servers/${server}/os-instance-actions/${requestId}`);
    },
  },
  { route: 'GET /v2.1/servers/:server_id/diagnostics', zed: serverAdmin(200), request: async (fx) => on(`/servers/${await fx.server()}/diagnostics`) },
  { route: 'GET /v2.1/servers/:server_id/os-server-password', zed: serverReader(200), request: async (fx) => on(`/servers/${await fx.server()}/os-server-password`) },
  { route: 'DELETE /v2.1/servers/:server_id/os-server-password', zed: serverMember(204), request: async (fx) => on(`/servers/${await fx.server()}/os-server-password`) },
  {
    route: 'POST /v2.1/servers/:server_id/remote-consoles',
    zed: serverMember(200),
    request: async (fx) => on(`/servers/${await fx.server()}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6'),
  },
  {
    route: 'GET /v2.1/nimbus/request-timelines/:request_id',
    zed: adminOnly(200),
    request: async (fx) => on(`/nimbus/request-timelines/${(await fx.instanceAction()).requestId}`),
  },
  {
    route: 'POST /v2.1/nimbus/faults',
    zed: adminOnly(201),
    request: async (fx) => on('/nimbus/faults', { fault: { host: (await fx.hypervisor()).host, kind: 'pause_bus', duration_s: 60 } }),
  },
  { route: 'GET /v2.1/nimbus/faults', zed: adminOnly(200), request: () => on('/nimbus/faults') },
  // The rule comes before the look-up: a member is refused, the administrator learns the injection is unknown.
  { route: 'DELETE /v2.1/nimbus/faults/:fault_id', zed: adminOnly(404), request: () => on('/nimbus/faults/00000000-0000-4000-8000-000000000000') },
  // The rule comes before the look-up: a member is refused, the administrator learns the token is unknown.
  { route: 'GET /v2.1/os-console-auth-tokens/:console_token', zed: adminOnly(404), request: () => on('/os-console-auth-tokens/00000000-0000-4000-8000-000000000000', undefined, '2.31') },
];

const ACTION = 'POST /v2.1/servers/:server_id/action';

/** One row per server action: the action key, the server it needs, its body and the rule's shape. */
function actionRow(key: string, zed: Expectation, body: unknown, server: (fx: ComputeMatrixFixture) => Promise<string> = (fx) => fx.server(), version?: string): Row {
  return { route: `${ACTION} ${key}`, zed, request: async (fx) => on(`/servers/${await server(fx)}/action`, { [key]: body }, version) };
}

const ACTION_ROWS: Row[] = [
  actionRow('os-start', serverMember(202), null, (fx) => fx.server({ vm_state: 'stopped', power_state: 4 })),
  actionRow('os-stop', serverMember(202), null),
  actionRow('reboot', serverMember(202), { type: 'SOFT' }),
  actionRow('lock', serverMember(202), null),
  // The route-test app has no network API: where policy lets the caller through, the 501 of a cloud without one.
  actionRow('addSecurityGroup', serverMember(501), { name: 'default' }),
  actionRow('removeSecurityGroup', serverMember(501), { name: 'default' }),
  actionRow('addFloatingIp', serverMember(501), { address: '172.24.4.10' }),
  actionRow('removeFloatingIp', serverMember(501), { address: '172.24.4.10' }),
  actionRow('unlock', serverMember(202), null, (fx) => fx.server({ locked: true, locked_by: 'owner' })),
  // Locked by the administrator: unlocking needs unlock_override.
  { ...actionRow('unlock', serverAdmin(202), null, (fx) => fx.server({ locked: true, locked_by: 'admin' })), case: 'locked by the administrator' },
  actionRow('forceDelete', serverMember(202), null, (fx) => fx.server({ vm_state: 'soft-delete' })),
  actionRow('restore', serverMember(202), null, (fx) => fx.server({ vm_state: 'soft-delete' })),
  actionRow('os-resetState', serverAdmin(202), { state: 'error' }),
  actionRow('os-getConsoleOutput', serverMember(200), { length: 10 }),
  actionRow('os-getVNCConsole', serverMember(200), { type: 'novnc' }),
  actionRow('createImage', serverMember(202), { name: 'snap' }),
  actionRow('createBackup', serverMember(202), { name: 'backup', backup_type: 'daily', rotation: 1 }),
  actionRow('shelve', serverMember(202), null),
  actionRow('shelveOffload', serverAdmin(202), null, (fx) => fx.server({ vm_state: 'shelved' })),
  actionRow('unshelve', serverMember(202), null, (fx) => fx.server({ vm_state: 'shelved_offloaded', host: null, node: null })),
  {
    ...actionRow('unshelve', serverAdmin(202), { host: 'compute-1' }, (fx) => fx.server({ vm_state: 'shelved_offloaded', host: null, node: null }), '2.91'),
    case: 'to a host (2.91, unshelve_to_host)',
  },
  actionRow('pause', serverMember(202), null),
  actionRow('unpause', serverMember(202), null, (fx) => fx.server({ vm_state: 'paused', power_state: 3 })),
  actionRow('suspend', serverMember(202), null),
  actionRow('resume', serverMember(202), null, (fx) => fx.server({ vm_state: 'suspended', power_state: 7 })),
  actionRow('rescue', serverMember(200), null),
  actionRow('unrescue', serverMember(202), null, (fx) => fx.server({ vm_state: 'rescued' })),
  actionRow('rebuild', serverMember(202), { imageRef: IMAGE_ID }),
  actionRow('resize', serverMember(202), { flavorRef: '2' }),
  actionRow('confirmResize', serverMember(204), null, (fx) => fx.resizedServer()),
  actionRow('revertResize', serverMember(202), null, (fx) => fx.resizedServer()),
  actionRow('migrate', serverAdmin(202), null),
  actionRow('os-migrateLive', serverAdmin(202), { host: null, block_migration: 'auto' }, (fx) => fx.server(), '2.30'),
  actionRow('evacuate', serverAdmin(200), {}, (fx) => fx.serverOnDownHost(), '2.29'),
];

const MIGRATION_ROWS: Row[] = [
  { route: 'GET /v2.1/os-migrations', zed: adminOnly(200), request: () => on('/os-migrations') },
  {
    route: 'POST /v2.1/os-server-external-events',
    zed: adminOnly(200),
    request: async (fx) => on('/os-server-external-events', { events: [{ server_uuid: await fx.server(), name: 'network-changed' }] }),
  },
  {
    route: 'GET /v2.1/servers/:server_id/migrations',
    zed: serverAdmin(200),
    request: async (fx) => on(`/servers/${(await fx.liveMigratingServer()).server}/migrations`, undefined, '2.23'),
  },
  {
    route: 'GET /v2.1/servers/:server_id/migrations/:migration_id',
    zed: serverAdmin(200),
    request: async (fx) => {
      const { server, migration } = await fx.liveMigratingServer();
      return on(`/servers/${server}/migrations/${migration}`, undefined, '2.23');
    },
  },
  {
    route: 'POST /v2.1/servers/:server_id/migrations/:migration_id/action',
    zed: serverAdmin(202),
    request: async (fx) => {
      const { server, migration } = await fx.liveMigratingServer();
      return on(`/servers/${server}/migrations/${migration}/action`, { force_complete: null }, '2.22');
    },
  },
  {
    route: 'DELETE /v2.1/servers/:server_id/migrations/:migration_id',
    zed: serverAdmin(202),
    request: async (fx) => {
      const { server, migration } = await fx.liveMigratingServer();
      return on(`/servers/${server}/migrations/${migration}`, undefined, '2.24');
    },
  },
];

const ADMIN_ROWS: Row[] = [
  { route: 'GET /v2.1/os-services', zed: adminOnly(200), request: () => on('/os-services') },
  { route: 'PUT /v2.1/os-services/:service_id', zed: adminOnly(200), request: async (fx) => on(`/os-services/${await fx.service()}`, { status: 'disabled' }, '2.53') },
  { route: 'DELETE /v2.1/os-services/:service_id', zed: adminOnly(204), request: async (fx) => on(`/os-services/${await fx.service()}`, undefined, '2.53') },
  { route: 'GET /v2.1/os-hypervisors', zed: adminOnly(200), request: () => on('/os-hypervisors') },
  { route: 'GET /v2.1/os-hypervisors/detail', zed: adminOnly(200), request: () => on('/os-hypervisors/detail') },
  { route: 'GET /v2.1/os-hypervisors/statistics', zed: adminOnly(200), request: () => on('/os-hypervisors/statistics') },
  { route: 'GET /v2.1/os-hypervisors/:hypervisor_id', zed: adminOnly(200), request: async (fx) => on(`/os-hypervisors/${(await fx.hypervisor()).id}`) },
  // os-hosts (until 2.42): the fixture's hypervisor is on a compute host; its power and enable actions are Nova's 501.
  { route: 'GET /v2.1/os-hosts', zed: adminOnly(200), request: () => on('/os-hosts') },
  { route: 'GET /v2.1/os-hosts/:host_name', zed: adminOnly(200), request: async (fx) => on(`/os-hosts/${(await fx.hypervisor()).host}`) },
  { route: 'PUT /v2.1/os-hosts/:host_name', zed: adminOnly(501), request: async (fx) => on(`/os-hosts/${(await fx.hypervisor()).host}`, { status: 'enable' }) },
  { route: 'GET /v2.1/os-hosts/:host_name/startup', zed: adminOnly(501), request: async (fx) => on(`/os-hosts/${(await fx.hypervisor()).host}/startup`) },
  { route: 'GET /v2.1/os-hosts/:host_name/shutdown', zed: adminOnly(501), request: async (fx) => on(`/os-hosts/${(await fx.hypervisor()).host}/shutdown`) },
  { route: 'GET /v2.1/os-hosts/:host_name/reboot', zed: adminOnly(501), request: async (fx) => on(`/os-hosts/${(await fx.hypervisor()).host}/reboot`) },
  { route: 'GET /v2.1/os-hypervisors/:hypervisor_id/uptime', zed: adminOnly(200), request: async (fx) => on(`/os-hypervisors/${(await fx.hypervisor()).id}/uptime`) },
  { route: 'GET /v2.1/os-hypervisors/:hypervisor_id/search', zed: adminOnly(200), request: async (fx) => on(`/os-hypervisors/${(await fx.hypervisor()).host}/search`) },
  { route: 'GET /v2.1/os-hypervisors/:hypervisor_id/servers', zed: adminOnly(200), request: async (fx) => on(`/os-hypervisors/${(await fx.hypervisor()).host}/servers`) },
  { route: 'GET /v2.1/os-availability-zone', zed: ANYONE, request: () => on('/os-availability-zone') },
  { route: 'GET /v2.1/os-availability-zone/detail', zed: adminOnly(200), request: () => on('/os-availability-zone/detail') },
  { route: 'GET /v2.1/os-aggregates', zed: adminOnly(200), request: () => on('/os-aggregates') },
  { route: 'POST /v2.1/os-aggregates', zed: adminOnly(200), request: () => on('/os-aggregates', { aggregate: { name: unique('aggregate') } }) },
  { route: 'GET /v2.1/os-aggregates/:aggregate_id', zed: adminOnly(200), request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}`) },
  { route: 'PUT /v2.1/os-aggregates/:aggregate_id', zed: adminOnly(200), request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}`, { aggregate: { name: unique('renamed') } }) },
  // An allowed request names an image that does not exist: Nova's 400.
  {
    route: 'POST /v2.1/os-aggregates/:aggregate_id/images',
    zed: adminOnly(400),
    request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}/images`, { cache: [{ id: '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a09' }] }, '2.81'),
  },
  { route: 'DELETE /v2.1/os-aggregates/:aggregate_id', zed: adminOnly(200), request: async (fx) => on(`/os-aggregates/${await fx.aggregate({ withHost: false })}`) },
  {
    route: 'POST /v2.1/os-aggregates/:aggregate_id/action',
    case: 'add_host',
    zed: adminOnly(200),
    request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}/action`, { add_host: { host: 'compute-2' } }),
  },
  {
    route: 'POST /v2.1/os-aggregates/:aggregate_id/action',
    case: 'remove_host',
    zed: adminOnly(200),
    request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}/action`, { remove_host: { host: 'compute-1' } }),
  },
  {
    route: 'POST /v2.1/os-aggregates/:aggregate_id/action',
    case: 'set_metadata',
    zed: adminOnly(200),
    request: async (fx) => on(`/os-aggregates/${await fx.aggregate()}/action`, { set_metadata: { metadata: { a: 'b' } } }),
  },
  { route: 'GET /v2.1/os-simple-tenant-usage', zed: adminOnly(200), request: () => on(`/os-simple-tenant-usage?start=${SINCE}`) },
  { route: 'GET /v2.1/os-instance_usage_audit_log', zed: adminOnly(200), request: () => on('/os-instance_usage_audit_log') },
  { route: 'GET /v2.1/os-instance_usage_audit_log/:before', zed: adminOnly(200), request: () => on('/os-instance_usage_audit_log/2026-12-01%2000:00:00') },
  {
    route: 'GET /v2.1/os-simple-tenant-usage/:tenant_id',
    zed: statuses(200, 200, 403, 200),
    request: (fx) => on(`/os-simple-tenant-usage/${fx.ownerProject}?start=${SINCE}`),
  },
];

const SERVER_GROUP_ROWS: Row[] = [
  { route: 'POST /v2.1/os-server-groups', zed: statuses(200, 200, 200, 403), request: () => on('/os-server-groups', { server_group: { name: 'g', policies: ['affinity'] } }) },
  { route: 'GET /v2.1/os-server-groups', zed: ANYONE, request: () => on('/os-server-groups') },
  // Zed ignores all_projects from a non-administrator rather than refusing it.
  { route: 'GET /v2.1/os-server-groups', case: 'all_projects', zed: ANYONE, request: () => on('/os-server-groups?all_projects=True') },
  { route: 'GET /v2.1/os-server-groups/:group_id', zed: serverReader(200), request: async (fx) => on(`/os-server-groups/${await fx.serverGroup()}`) },
  { route: 'DELETE /v2.1/os-server-groups/:group_id', zed: serverMember(204), request: async (fx) => on(`/os-server-groups/${await fx.serverGroup()}`) },
];

const GROUP_ID = '6d3b8a52-5c1e-4f8e-9a55-2d8b4f1e0a03';
/** PROJECT_READER_OR_ADMIN (or PROJECT_READER) with the caller's own project as the target: every persona. */
const ownReader = (status: number): Expectation => statuses(status, status, status, status);
/** PROJECT_MEMBER_OR_ADMIN with the caller's own project as the target: all but the reader. */
const ownMember = (status: number): Expectation => statuses(status, status, status, 403);

// The network proxies (until 2.35). The route-test app has no network API: where policy lets the caller through, the 501 of a cloud without one.
const NETWORK_PROXY_ROWS: Row[] = [
  { route: 'GET /v2.1/servers/:server_id/os-security-groups', zed: serverReader(501), request: async (fx) => on(`/servers/${await fx.server()}/os-security-groups`) },
  { route: 'GET /v2.1/os-security-groups', zed: ownReader(501), request: () => on('/os-security-groups') },
  { route: 'GET /v2.1/os-security-groups/:id', zed: ownReader(501), request: () => on(`/os-security-groups/${GROUP_ID}`) },
  { route: 'POST /v2.1/os-security-groups', zed: ownMember(501), request: () => on('/os-security-groups', { security_group: { name: 'g', description: 'd' } }) },
  { route: 'PUT /v2.1/os-security-groups/:id', zed: ownMember(501), request: () => on(`/os-security-groups/${GROUP_ID}`, { security_group: { name: 'g', description: 'd' } }) },
  { route: 'DELETE /v2.1/os-security-groups/:id', zed: ownMember(501), request: () => on(`/os-security-groups/${GROUP_ID}`) },
  {
    route: 'POST /v2.1/os-security-group-rules',
    zed: ownMember(501),
    request: () => on('/os-security-group-rules', { security_group_rule: { parent_group_id: GROUP_ID, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr: '10.0.0.0/8' } }),
  },
  { route: 'DELETE /v2.1/os-security-group-rules/:id', zed: ownMember(501), request: () => on(`/os-security-group-rules/${GROUP_ID}`) },
  { route: 'GET /v2.1/os-floating-ip-pools', zed: ANYONE_501, request: () => on('/os-floating-ip-pools') },
  { route: 'GET /v2.1/os-floating-ips', zed: ownReader(501), request: () => on('/os-floating-ips') },
  { route: 'GET /v2.1/os-floating-ips/:id', zed: ownReader(501), request: () => on(`/os-floating-ips/${GROUP_ID}`) },
  { route: 'POST /v2.1/os-floating-ips', zed: ownMember(501), request: () => on('/os-floating-ips', { pool: 'public' }) },
  { route: 'DELETE /v2.1/os-floating-ips/:id', zed: ownMember(501), request: () => on(`/os-floating-ips/${GROUP_ID}`) },
  { route: 'GET /v2.1/os-networks', zed: ownReader(501), request: () => on('/os-networks') },
  { route: 'GET /v2.1/os-networks/:id', zed: ownReader(501), request: () => on(`/os-networks/${GROUP_ID}`) },
  // PROJECT_READER: the administrator persona holds the reader role of its project too.
  { route: 'GET /v2.1/os-tenant-networks', zed: ownReader(501), request: () => on('/os-tenant-networks') },
  { route: 'GET /v2.1/os-tenant-networks/:id', zed: ownReader(501), request: () => on(`/os-tenant-networks/${GROUP_ID}`) },
];

export const COMPUTE_POLICY_MATRIX: readonly Row[] = [
  ...FLAVOR_ROWS,
  ...KEYPAIR_ROWS,
  ...QUOTA_ROWS,
  ...IMAGE_ROWS,
  ...SERVER_ROWS,
  ...ACTION_ROWS,
  ...MIGRATION_ROWS,
  ...ADMIN_ROWS,
  ...SERVER_GROUP_ROWS,
  ...NETWORK_PROXY_ROWS,
];

/** The multiplexed server action route, and the key each of its rows is registered under. */
export const SERVER_ACTION_ROUTE = ACTION;
