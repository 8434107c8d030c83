import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { MessageDeliveryFailure } from '../../common/bus/errors.js';
import { BadRequest, Forbidden, messageOf, NimbusError, ServiceUnavailable } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ImageRef } from '../../image/index.js';
import type { BuildRequest, ComputeTaskApi } from '../conductor/rpc-api.js';
import type { InstancesTable } from '../db/tables.js';
import type { NodeStore } from '../db/node-store.js';
import { DEFAULT_ZONE } from '../admin/availability-zones.js';
import type { GroupFound, ServerGroupStore } from '../db/server-group-store.js';
import { flavorResources, type Flavor } from '../flavors/flavor.js';
import type { FlavorStore } from '../db/flavor-store.js';
import type { KeyPairManager } from '../keypairs/keypair-manager.js';
import type { QuotaManager } from '../quotas/quota-manager.js';
import type { RequestedDestination, RequestSpec, ServerGroupSpec } from '../scheduler/request-spec.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { PowerState } from '../virt/power-state.js';
import { InstanceActionName, type InstanceActionLog } from '../actions/instance-actions.js';
import type { CreatedServers, ServerCreateRequest } from './server.js';
import { TRUSTED_CERTS_KEY, type ServerStore } from '../db/server-store.js';
import { autoDiskConfigFor, diskConfigMetadata } from './disk-config.js';
import type { NeutronApi } from '../network/neutron-api.js';
import { validateNetworks } from './validate-networks.js';
import type { BlockDeviceStore } from '../db/bdm-store.js';
import type { ComputeVolumeApi } from '../volumes/volume-api.js';
import { ROOT_DEVICE_NAME, validateBlockDevices, type ValidBlockDevice } from './validate-block-devices.js';
import { imageDefinedBlockDevices, withImageDefined } from './block-device-request.js';

/** The image service as compute uses it (in-process): NotFound for images the caller may not see. */
export interface ImageLookup {
  getImageForCompute(context: RequestContext, id: string): Promise<ImageRef>;
}

/** Names of the availability zones a server may be asked into. */
export type AvailabilityZoneNames = () => Promise<readonly string[]>;

export interface CreateServersDeps {
  readonly store: ServerStore;
  readonly nodes: NodeStore;
  readonly serverGroups: ServerGroupStore;
  readonly actions: InstanceActionLog;
  readonly flavors: FlavorStore;
  readonly images: ImageLookup;
  readonly keypairs: KeyPairManager;
  readonly quotas: QuotaManager;
  readonly computeTaskApi: ComputeTaskApi;
  readonly availabilityZones: AvailabilityZoneNames;
  /** The availability zone a compute host is in (its aggregates', else the default). */
  readonly zoneOfHost: (host: string) => Promise<string>;
  /** The network API (absent: a cloud without networking, where requested networks are not checked). */
  readonly network?: NeutronApi;
  readonly blockDevices: BlockDeviceStore;
  /** The volume API (absent: a node without one, where a create naming volumes is 503). */
  readonly volumes?: ComputeVolumeApi;
  readonly now: () => Date;
}

const GIB = 1024 ** 3;

const LOG = getLogger('nimbus.compute.api');

/**
 * Nova's compute API create (_validate_and_build_base_options → _provision_instances →
 * schedule_and_build_instances): validate everything before writing anything, check quota,
 * write the instances (building/scheduling) with their action records, recheck quota, then
 * hand the build to the conductor. Every refusal leaves no rows behind.
 */
export async function createServers(deps: CreateServersDeps, context: RequestContext, asked: ServerCreateRequest): Promise<CreatedServers> {
  const request = await withForcedHostZone(deps, asked);
  const projectId = context.projectId ?? '';
  const userId = context.userId ?? '';
  const flavor = await findFlavor(deps, context, request.flavorRef);
  const bootImage = request.imageRef === '' ? undefined : await findImage(deps, context, request.imageRef);
  // A volume-backed server's snapshot image maps the volume snapshots the new server's volumes are made from.
  const requestedDevices = withImageDefined(request.blockDevices ?? [], bootImage === undefined ? [] : imageDefinedBlockDevices(bootImage.properties));
  const blockDevices = await validateBlockDevices(deps, context, { ...request, blockDevices: requestedDevices }, flavor);
  const image = blockDevices.volumeBacked ? (blockDevices.rootImage ?? bootImage) : bootImage;
  if (!blockDevices.volumeBacked) {
    checkImageFitsFlavor(image as ImageRef, flavor);
    // Nova's guard against a large image filling a host through a flavor that sets no disk size.
    if (flavor.root_gb === 0 && request.zeroDiskFlavorAllowed !== true) throw new Forbidden('Only volume-backed servers are allowed for flavors with zero disk.');
  }
  const autoDiskConfig = autoDiskConfigFor(request.diskConfig, image ?? undefined);
  const keyData = request.keyName === undefined ? null : await findKey(deps, userId, request.keyName);
  checkUserData(request.userData);
  await checkMetadataQuota(deps, projectId, request.metadata ?? {});
  if (request.availabilityZone !== undefined && !(await deps.availabilityZones()).includes(request.availabilityZone)) {
    throw new BadRequest('The requested availability zone is not available');
  }
  const requestedNetworks = buildNetworks(request.networks);
  const securityGroups = request.securityGroups ?? [];
  if (deps.network !== undefined) {
    await validateNetworks(deps.network, context, { requested: requestedNetworks, explicitAuto: request.networks === 'auto', securityGroups, maxCount: request.maxCount });
  }
  const destination = await requestedDestination(deps, request);
  const group = request.hints.group === undefined ? undefined : await findGroup(deps, request.hints.group);
  const count = await allowedCount(deps, projectId, userId, flavor, request.minCount, request.maxCount);
  if (group !== undefined) await checkGroupMembersQuota(deps, projectId, group, count);

  const reservationId = `r-${randomBytes(4).toString('hex').slice(0, 8)}`;
  const now = toDbTimestamp(deps.now());
  const uuids = Array.from({ length: count }, () => randomUUID());
  const adminPass = request.adminPass ?? generatePassword();
  await deps.store.create(
    uuids.map((uuid, index) => ({
      row: instanceRow({
        uuid,
        name: count > 1 ? `${request.name}-${index + 1}` : request.name,
        index,
        request,
        volumeBacked: blockDevices.volumeBacked,
        flavor,
        projectId,
        userId,
        keyData,
        reservationId,
        now,
      }),
      metadata: request.metadata ?? {},
      tags: [...new Set(request.tags ?? [])],
      systemMetadata: { ...trustedCerts(request), ...diskConfigMetadata(autoDiskConfig) },
      ...(group === undefined ? {} : { groupId: group.id }),
      action: deps.actions.newAction(context, uuid, InstanceActionName.CREATE),
    })),
  );
  await recheckQuota(deps, projectId, userId, uuids, flavor);
  await recordBlockDevices(deps, context, uuids, blockDevices.devices);

  const builds: BuildRequest[] = uuids.map((uuid) => ({
    instanceUuid: uuid,
    imageRef: blockDevices.volumeBacked ? '' : (image?.id ?? ''),
    adminPassword: adminPass,
    requestedNetworks,
    ...(securityGroups.length === 0 ? {} : { securityGroups }),
  }));
  const spec = { ...requestSpec(request, uuids, projectId, flavor, image, group?.spec), ...(blockDevices.volumeBacked ? { isBootFromVolume: true } : {}) };
  try {
    await deps.computeTaskApi.buildInstances(builds, destination === undefined ? spec : { ...spec, requestedDestination: destination });
  } catch (error) {
    if (!(error instanceof MessageDeliveryFailure)) throw error;
    // The bus stayed unreachable for the whole send timeout: refuse rather than leave servers
    // in BUILD that no conductor will ever hear of.
    await deps.store.removeCreated(uuids);
    throw new ServiceUnavailable('The server could not be handed to the conductor: the message bus is unreachable. Nothing was created; please try again later.', { cause: error });
  }
  const servers = await Promise.all(uuids.map((uuid) => deps.store.get(uuid)));
  return { servers, reservationId, adminPass };
}

/**
 * Nova's _create_block_device_mapping: each instance's mappings recorded; an existing volume is
 * reserved for it in Cinder (an attachment without a connector) as Nova's _validate_bdm does. A
 * refusal takes back what was made, the instances included.
 */
async function recordBlockDevices(deps: CreateServersDeps, context: RequestContext, uuids: readonly string[], devices: readonly ValidBlockDevice[]): Promise<void> {
  if (devices.length === 0) return;
  const reserved: string[] = [];
  try {
    for (const uuid of uuids) {
      for (const device of devices) {
        const attachment = device.sourceType === 'volume' ? await (deps.volumes as ComputeVolumeApi).attachmentCreate(context, device.uuid ?? '', uuid) : undefined;
        if (attachment !== undefined) reserved.push(attachment.id);
        await deps.blockDevices.insert({
          instanceUuid: uuid,
          sourceType: device.sourceType,
          destinationType: 'volume',
          deviceName: device.deviceName,
          bootIndex: device.bootIndex,
          imageId: device.sourceType === 'image' ? device.uuid : null,
          snapshotId: device.sourceType === 'snapshot' ? device.uuid : null,
          volumeId: device.sourceType === 'volume' ? device.uuid : null,
          volumeSize: device.volumeSize,
          deleteOnTermination: device.deleteOnTermination,
          attachmentId: attachment?.id ?? null,
          tag: device.tag,
          connectionInfo: null,
        });
      }
    }
  } catch (error) {
    for (const id of reserved) {
      await deps.volumes?.attachmentDelete(context, id).catch((undo: unknown) => LOG.warning(`Could not delete attachment ${id} of a refused create: ${messageOf(undo)}`));
    }
    for (const uuid of uuids) await deps.blockDevices.deleteAllOf(uuid);
    await deps.store.removeCreated(uuids);
    throw error;
  }
}

function trustedCerts(request: ServerCreateRequest): Record<string, string> {
  return request.trustedImageCertificates === undefined ? {} : { [TRUSTED_CERTS_KEY]: JSON.stringify(request.trustedImageCertificates) };
}

/** The network requests as the conductor takes them (absent: Nova's default, auto-allocate). */
function buildNetworks(networks: ServerCreateRequest['networks']): BuildRequest['requestedNetworks'] {
  if (networks === undefined) return 'auto';
  if (typeof networks === 'string') return networks;
  return networks.map((network) => ({
    ...(network.uuid === undefined ? {} : { uuid: network.uuid }),
    ...(network.port === undefined || network.port === null ? {} : { port: network.port }),
    ...(network.fixed_ip === undefined ? {} : { fixedIp: network.fixed_ip }),
    ...(network.tag === undefined ? {} : { tag: network.tag }),
  }));
}

/**
 * Nova's _validate_host_availability_zone: a zone asked with a forced host (`zone:host`) that the
 * host is not in is dropped, with a WARNING, so that the server does not carry a zone its host is
 * not in (Nova bug #1934770). A forced node alone (`zone::node`) keeps only the default zone.
 */
async function withForcedHostZone(deps: CreateServersDeps, request: ServerCreateRequest): Promise<ServerCreateRequest> {
  const { availabilityZone: zone, forcedHost: host } = request;
  if (zone === undefined || (host === undefined && request.forcedNode === undefined)) return request;
  if ((host === undefined ? DEFAULT_ZONE : await deps.zoneOfHost(host)) === zone) return request;
  LOG.warning(`Requested availability zone '${zone}' but forced host '${host ?? ''}' does not belong to this availability zone; overwriting requested availability zone to avoid bug #1934770`);
  return withoutZone(request);
}

function withoutZone({ availabilityZone: _zone, ...request }: ServerCreateRequest): ServerCreateRequest {
  return request;
}

/** 2.74's host / hypervisor_hostname, checked against the compute nodes as Nova's _validate_host_or_node. */
async function requestedDestination(deps: CreateServersDeps, request: ServerCreateRequest): Promise<RequestedDestination | undefined> {
  const { requestedHost: host, requestedNode: node } = request;
  if (host === undefined && node === undefined) return undefined;
  const found = await deps.nodes.match(host, node);
  if (found === undefined) throw new BadRequest(`Compute host ${host ?? node ?? ''} could not be found.`);
  return { host: found.host, ...(node === undefined ? {} : { node }) };
}

async function findFlavor(deps: CreateServersDeps, context: RequestContext, flavorRef: string): Promise<Flavor> {
  // A flavorRef may be a bookmark URL; Nova takes its last path segment.
  const id = flavorRef.split('/').at(-1) ?? flavorRef;
  try {
    const flavor = await deps.flavors.get({ ...(context.projectId === undefined ? {} : { projectId: context.projectId }), isAdmin: context.isAdmin ?? false }, id);
    if (flavor.disabled) throw new BadRequest('Flavor is disabled.');
    return flavor;
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw new BadRequest('Invalid flavorRef provided.');
    throw error;
  }
}

async function findImage(deps: CreateServersDeps, context: RequestContext, imageRef: string): Promise<ImageRef> {
  const id = imageRef.split('/').at(-1) ?? imageRef;
  let image: ImageRef;
  try {
    image = await deps.images.getImageForCompute(context, id);
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw new BadRequest(`Image ${id} could not be found.`);
    throw error;
  }
  if (image.status !== 'active') throw new BadRequest(`Image ${id} is not active.`);
  return image;
}

/** Nova's utils.generate_password: twelve random characters. */
export function generatePassword(): string {
  return randomBytes(9).toString('base64url').slice(0, 12);
}

/** Nova's _validate_flavor_image_nostatus: memory and disk against the image's minimums and size. */
export function checkImageFitsFlavor(image: ImageRef, flavor: Pick<Flavor, 'memory_mb' | 'root_gb'>): void {
  if (image.min_ram > flavor.memory_mb) throw new BadRequest("Flavor's memory is too small for requested image.");
  if (flavor.root_gb === 0) return;
  const flavorBytes = flavor.root_gb * GIB;
  if ((image.size ?? 0) > flavorBytes) {
    throw new BadRequest(`Flavor's disk is too small for requested image. Flavor disk is ${flavorBytes} bytes, image is ${image.size ?? 0} bytes.`);
  }
  if (image.min_disk > flavor.root_gb) {
    throw new BadRequest(
      `Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is ${flavorBytes} bytes, minimum size is ${image.min_disk * GIB} bytes.`,
    );
  }
}

export async function findKey(deps: Pick<CreateServersDeps, 'keypairs'>, userId: string, keyName: string): Promise<string> {
  try {
    return (await deps.keypairs.get(userId, keyName)).public_key;
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw new BadRequest('Invalid key_name provided.');
    throw error;
  }
}

/** Strict base64 (Nova's base64 format check decodes with validate=True). */
export function checkUserData(userData: string | undefined): void {
  if (userData === undefined) return;
  const compact = userData.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new BadRequest('Userdata content cannot be decoded.');
}

export async function checkMetadataQuota(deps: Pick<CreateServersDeps, 'quotas'>, projectId: string, metadata: Readonly<Record<string, string>>): Promise<void> {
  const limit = (await deps.quotas.limits(projectId)).metadata_items;
  if (limit >= 0 && Object.keys(metadata).length > limit) throw new Forbidden(`Quota exceeded for metadata_items: Maximum number of metadata items exceeds ${limit}`);
}

/**
 * The most servers (max_count down to min_count) the quotas allow — the project's, and the
 * user's own where set — as Nova's _check_num_instances_quota; below min_count it is Nova's
 * TooManyInstances message.
 */
async function allowedCount(deps: CreateServersDeps, projectId: string, userId: string, flavor: Flavor, minCount: number, maxCount: number): Promise<number> {
  const room = (limit: number, inUse: number, each: number) => (limit < 0 ? maxCount : each === 0 ? maxCount : Math.floor((limit - inUse) / each));
  const levels = await deps.quotas.levels(projectId, userId);
  const fits = Math.min(
    maxCount,
    ...levels.map(({ limits, used }) => Math.min(room(limits.instances, used.instances, 1), room(limits.cores, used.cores, flavor.vcpus), room(limits.ram, used.ram, flavor.memory_mb))),
  );
  if (fits >= minCount) return fits;
  await deps.quotas.checkQuota(projectId, quotaDeltas(flavor, minCount), userId);
  return minCount;
}

function quotaDeltas(flavor: Flavor, count: number) {
  return { instances: count, cores: flavor.vcpus * count, ram: flavor.memory_mb * count };
}

/** Nova's quota recheck after the write: if concurrent creates went over, ours are removed and refused. */
async function recheckQuota(deps: CreateServersDeps, projectId: string, userId: string, uuids: readonly string[], flavor: Flavor): Promise<void> {
  const levels = await deps.quotas.levels(projectId, userId);
  const overLevel = levels.find(({ limits, used }) => (['instances', 'cores', 'ram'] as const).some((resource) => limits[resource] >= 0 && used[resource] > limits[resource]));
  if (overLevel === undefined) return;
  await deps.store.removeCreated(uuids);
  await deps.quotas.checkQuota(projectId, quotaDeltas(flavor, uuids.length), userId);
  const { limits, used } = overLevel;
  throw new Forbidden(`Quota exceeded for instances: Requested ${uuids.length}, but already used ${used.instances - uuids.length} of ${limits.instances} instances`);
}

async function findGroup(deps: CreateServersDeps, uuid: string): Promise<GroupFound> {
  const found = await deps.serverGroups.findSpec(uuid);
  if (found === undefined) throw new BadRequest(`Instance group ${uuid} could not be found.`);
  return found;
}

async function checkGroupMembersQuota(deps: CreateServersDeps, projectId: string, group: GroupFound, count: number): Promise<void> {
  const limit = (await deps.quotas.limits(projectId)).server_group_members;
  if (limit >= 0 && group.spec.members.size + count > limit) throw new Forbidden('Quota exceeded, too many servers in group');
}

interface RowInput {
  readonly uuid: string;
  readonly name: string;
  readonly index: number;
  readonly request: ServerCreateRequest;
  readonly flavor: Flavor;
  readonly projectId: string;
  readonly userId: string;
  readonly keyData: string | null;
  readonly reservationId: string;
  readonly now: string;
  /** The guest boots from a volume: the server has no image (Nova shows image as ''). */
  readonly volumeBacked: boolean;
}

function instanceRow(input: RowInput): InstancesTable {
  const { request, flavor } = input;
  return {
    uuid: input.uuid,
    project_id: input.projectId,
    user_id: input.userId,
    display_name: input.name,
    display_description: request.description === undefined ? request.name : request.description,
    hostname: request.hostname ?? (input.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'server'),
    // Nova keeps the image asked for, volume-backed or not (a volume snapshot's image shows in `server show`).
    image_ref: request.imageRef.split('/').at(-1) ?? request.imageRef,
    flavor_id: flavor.flavorid,
    flavor: JSON.stringify({ cur: flavor, old: null, new: null }),
    vcpus: flavor.vcpus,
    memory_mb: flavor.memory_mb,
    root_gb: flavor.root_gb,
    ephemeral_gb: flavor.ephemeral_gb,
    vm_state: VmState.BUILDING,
    task_state: TaskState.SCHEDULING,
    power_state: PowerState.NOSTATE,
    host: null,
    node: null,
    availability_zone: request.availabilityZone ?? null,
    requested_availability_zone: request.availabilityZone ?? null,
    reservation_id: input.reservationId,
    launch_index: input.index,
    root_device_name: input.volumeBacked ? ROOT_DEVICE_NAME : null,
    kernel_id: null,
    ramdisk_id: null,
    launched_at: null,
    terminated_at: null,
    locked: false,
    locked_by: null,
    locked_reason: null,
    key_name: request.keyName ?? null,
    key_data: input.keyData,
    user_data: request.userData ?? null,
    config_drive: request.configDrive === true ? 'True' : '',
    access_ip_v4: request.accessIPv4 ?? null,
    access_ip_v6: request.accessIPv6 ?? null,
    progress: 0,
    deleted: false,
    deleted_at: null,
    created_at: input.now,
    updated_at: input.now,
  };
}

function requestSpec(request: ServerCreateRequest, uuids: readonly string[], projectId: string, flavor: Flavor, image: ImageRef | undefined, group: ServerGroupSpec | undefined): RequestSpec {
  return {
    instanceUuids: uuids,
    numInstances: uuids.length,
    projectId,
    flavor: flavorResources(flavor),
    image: { id: image?.id ?? '', properties: image?.properties ?? {} },
    ...(request.availabilityZone === undefined ? {} : { availabilityZone: request.availabilityZone }),
    ...(request.forcedHost === undefined ? {} : { forceHosts: [request.forcedHost] }),
    ...(request.forcedNode === undefined ? {} : { forceNodes: [request.forcedNode] }),
    schedulerHints: {
      ...(request.hints.sameHost === undefined ? {} : { sameHost: request.hints.sameHost }),
      ...(request.hints.differentHost === undefined ? {} : { differentHost: request.hints.differentHost }),
    },
    ...(group === undefined ? {} : { serverGroup: group }),
  };
}
