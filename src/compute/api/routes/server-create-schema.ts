import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { Microversion } from '../../../common/http/microversion.js';
import { bodyValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { DiskConfig } from '../../servers/disk-config.js';
import type { ServerCreateRequest } from '../../servers/server.js';
import { MAX_TAG_COUNT } from '../../servers/server-tags.js';
import { requestedBlockDevices } from '../../servers/block-device-request.js';
import { boolFromString, IpAddress, isUuidLike, MetadataValue, NovaBoolean, NovaDescription, NovaHostname, NovaMetadata, NovaName, NovaTag } from './nova-types.js';

const Count = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1, minLength: 1 });
const Uuid = Type.String({ format: 'uuid' });
/** parameter_types.ip_address */
/** parameter_types.fqdn: a host or node name (underscores allowed, as real systems have them). */
const Fqdn = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' });
const Metadata = NovaMetadata(MetadataValue);
const Port = Type.Unsafe<string | null>({ oneOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }] });

/** One requested network: the 2.1 shape; 2.32–2.36 and 2.42+ take a tag, 2.37+ want uuids. */
function requestedNetwork(options: { readonly tag: boolean; readonly uuid: TSchema }) {
  return Type.Object(
    { fixed_ip: Type.Optional(IpAddress), port: Type.Optional(Port), uuid: Type.Optional(options.uuid), ...(options.tag ? { tag: Type.Optional(NovaTag) } : {}) },
    { additionalProperties: false },
  );
}
/** networks before 2.37: a list, optional. */
const networkList = (tag: boolean) => Type.Optional(Type.Array(requestedNetwork({ tag, uuid: Type.String() })));
/** networks from 2.37: required, a list of uuids or `auto` / `none`. */
const networkChoice = (tag: boolean) =>
  Type.Unsafe<ServerCreateRequest['networks']>({
    oneOf: [Type.Array(requestedNetwork({ tag, uuid: Uuid })), { type: 'string', enum: ['none', 'auto'] }],
  });

/** parameter_types.volume_size. */
const VolumeSize = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 });
/** schemas/servers.py legacy_block_device_mapping. */
const LEGACY_BDM = {
  virtual_name: Type.Optional(Type.String({ maxLength: 255 })),
  volume_id: Type.Optional(Uuid),
  snapshot_id: Type.Optional(Uuid),
  volume_size: Type.Optional(VolumeSize),
  device_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._\\-r/]*$' })),
  delete_on_termination: Type.Optional(NovaBoolean),
  no_device: Type.Optional(Type.Unknown()),
  connection_info: Type.Optional(Type.String({ maxLength: 16777215 })),
};
/** schemas/servers.py block_device_mapping_v2 (the legacy fields and the new ones); a tag 2.32–2.36 and from 2.42. */
const BDM_V2 = {
  ...LEGACY_BDM,
  source_type: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['volume', 'image', 'snapshot', 'blank'] })),
  uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' })),
  image_id: Type.Optional(Uuid),
  destination_type: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['local', 'volume'] })),
  guest_format: Type.Optional(Type.String({ maxLength: 255 })),
  device_type: Type.Optional(Type.String({ maxLength: 255 })),
  disk_bus: Type.Optional(Type.String({ maxLength: 255 })),
  boot_index: Type.Optional(Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$' })),
};
const blockDeviceMappings = (tag: boolean) => ({
  block_device_mapping: Type.Optional(Type.Array(Type.Object(LEGACY_BDM, { additionalProperties: false }))),
  block_device_mapping_v2: Type.Optional(Type.Array(Type.Object({ ...BDM_V2, ...(tag ? { tag: Type.Optional(NovaTag) } : {}) }, { additionalProperties: false }))),
});

/** schemas/servers.py _hints, also accepted under its old name OS-SCH-HNT:scheduler_hints. */
const Hints = Type.Object(
  {
    group: Type.Optional(Uuid),
    same_host: Type.Optional(Type.Union([Uuid, Type.Array(Uuid)])),
    different_host: Type.Optional(Type.Union([Uuid, Type.Array(Uuid)])),
  },
  { additionalProperties: true },
);

/** The server object of base_create (2.1): name and flavorRef required. */
const V21 = {
  name: NovaName,
  imageRef: Type.Optional(Type.Unsafe<string>({ oneOf: [{ type: 'string', format: 'uuid' }, { type: 'string', maxLength: 0 }] })),
  flavorRef: Type.Unsafe<string | number>({ type: ['string', 'integer'], minLength: 1 }),
  adminPass: Type.Optional(Type.String()),
  metadata: Type.Optional(Metadata),
  networks: networkList(false),
  'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<DiskConfig>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
  accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
  accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
  availability_zone: Type.Optional(NovaName),
  key_name: Type.Optional(NovaName),
  user_data: Type.Optional(Type.String({ maxLength: 65535 })),
  min_count: Type.Optional(Count),
  max_count: Type.Optional(Count),
  return_reservation_id: Type.Optional(NovaBoolean),
  config_drive: Type.Optional(NovaBoolean),
  security_groups: Type.Optional(Type.Array(Type.Object({ name: Type.Optional(NovaName) }, { additionalProperties: false }))),
  ...blockDeviceMappings(false),
};
const V219 = { ...V21, description: Type.Optional(NovaDescription) };
const V232 = { ...V219, networks: networkList(true), ...blockDeviceMappings(true) };
const V237 = { ...V232, networks: networkChoice(false), ...blockDeviceMappings(false) };
const V242 = { ...V237, networks: networkChoice(true), ...blockDeviceMappings(true) };
const V252 = { ...V242, tags: Type.Optional(Type.Array(NovaTag, { maxItems: MAX_TAG_COUNT })) };
const V263 = {
  ...V252,
  trusted_image_certificates: Type.Optional(
    Type.Unsafe<string[] | null>({ type: ['array', 'null'], minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', minLength: 1 } }),
  ),
};
const V274 = { ...V263, host: Type.Optional(Fqdn), hypervisor_hostname: Type.Optional(Fqdn) };
const V290 = { ...V274, hostname: Type.Optional(NovaHostname) };

function createBody<T extends TProperties>(server: T) {
  return Type.Object(
    {
      server: Type.Object(server, { additionalProperties: false }),
      'os:scheduler_hints': Type.Optional(Hints),
      'OS-SCH-HNT:scheduler_hints': Type.Optional(Hints),
    },
    { additionalProperties: false },
  );
}

/** The full body type (every version's fields optional beyond name and flavorRef). */
export type ServerCreateBody = Static<ReturnType<typeof createBody<typeof V290>>>;

/** A version's check; its result is read as the full body type. */
const check = (schema: TSchema): ((body: unknown) => unknown) => bodyValidator(schema);

/** servers.create's schema by version (Nova's @validation.schema ranges; 2.57 removed personality, never taken here). */
const CREATE = versioned([
  { min: '2.1', max: '2.18', value: check(createBody(V21)) },
  { min: '2.19', max: '2.31', value: check(createBody(V219)) },
  { min: '2.32', max: '2.36', value: check(createBody(V232)) },
  { min: '2.37', max: '2.41', value: check(createBody(V237)) },
  { min: '2.42', max: '2.51', value: check(createBody(V242)) },
  { min: '2.52', max: '2.62', value: check(createBody(V252)) },
  { min: '2.63', max: '2.73', value: check(createBody(V263)) },
  { min: '2.74', max: '2.89', value: check(createBody(V274)) },
  { min: '2.90', value: check(createBody(V290)) },
]);

/** Validates a create body against the version's schema. */
export function parseCreateBody(body: unknown, version: Microversion): ServerCreateBody {
  return CREATE.select(version)(body) as ServerCreateBody;
}

/** ServersController._get_requested_networks: a port once and alone, else a network uuid. */
function checkNetworks(networks: ServerCreateRequest['networks']): void {
  if (networks === undefined || typeof networks === 'string') return;
  const ports = new Set<string>();
  for (const network of networks) {
    const port = network.port ?? undefined;
    if (port !== undefined) {
      if (ports.has(port)) throw new BadRequest(`Port ID '${port}' was specified twice: you cannot attach a port multiple times.`);
      if (network.fixed_ip !== undefined) throw new BadRequest(`Specified Fixed IP '${network.fixed_ip}' cannot be used with port '${port}': the two cannot be specified together.`);
      ports.add(port);
    } else if (network.uuid === undefined) {
      throw new BadRequest("Bad network format: missing 'uuid'");
    } else if (!isUuidLike(network.uuid)) {
      throw new BadRequest(`Bad networks format: network uuid is not in proper format (${network.uuid})`);
    }
  }
}

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}

/** Block device mappings with delete_on_termination read as Nova's boolean words. */
function withBooleans<T extends { readonly delete_on_termination?: boolean | string }>(items: readonly T[] | undefined): (Omit<T, 'delete_on_termination'> & { delete_on_termination?: boolean })[] | undefined {
  return items?.map(({ delete_on_termination: value, ...item }) => ({ ...item, ...(value === undefined ? {} : { delete_on_termination: boolFromString(value) ?? false }) }));
}

/**
 * Nova's parse_availability_zone: `zone`, or an admin's legacy `zone:host`, `zone:host:node` and
 * `zone::node`, which force the server there. An empty zone is no zone (default_schedule_zone).
 */
function parseAvailabilityZone(value: string | undefined): Pick<ServerCreateRequest, 'availabilityZone' | 'forcedHost' | 'forcedNode'> {
  if (value === undefined) return {};
  const parts = value.split(':');
  if (parts.length > 3) throw new BadRequest('Invalid input received: Unable to parse availability_zone');
  const [zone = '', host = '', node = ''] = parts;
  return { ...(zone === '' ? {} : { availabilityZone: zone }), ...(host === '' ? {} : { forcedHost: host }), ...(node === '' ? {} : { forcedNode: node }) };
}

/** The validated body as the servers service takes it (Nova's min/max count rules applied). */
export function toCreateRequest(body: ServerCreateBody, version: Microversion): ServerCreateRequest {
  const server = body.server;
  const imageRef = server.imageRef ?? '';
  const blockDevices = requestedBlockDevices(withBooleans(server.block_device_mapping_v2), withBooleans(server.block_device_mapping), imageRef !== '');
  // Nova's _image_from_req_data: no image is fine only for a server that names block devices.
  if (imageRef === '' && server.block_device_mapping_v2 === undefined && server.block_device_mapping === undefined) throw new BadRequest('Missing imageRef attribute');
  const minCount = Number(server.min_count ?? 1);
  const maxCount = Number(server.max_count ?? minCount);
  if (minCount > maxCount) throw new BadRequest('min_count must be <= max_count');
  // compute/api.py: AmbiguousHostnameForMultipleInstances.
  if (server.hostname !== undefined && maxCount > 1) throw new BadRequest('Unable to allocate a single hostname to multiple instances');
  checkNetworks(server.networks);
  const hints = body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {};
  const sameHost = list(hints.same_host);
  const differentHost = list(hints.different_host);
  // Before 2.19 the description is the name; from 2.19 it is what was asked, or none.
  const description = version.isAtLeast('2.19') ? (server.description ?? null) : undefined;
  const certificates = server.trusted_image_certificates;
  return {
    name: server.name,
    imageRef,
    blockDevices,
    flavorRef: String(server.flavorRef),
    minCount,
    maxCount,
    ...(description === undefined ? {} : { description }),
    ...(server.key_name === undefined ? {} : { keyName: server.key_name }),
    ...(server.user_data === undefined ? {} : { userData: server.user_data }),
    ...(server.metadata === undefined ? {} : { metadata: server.metadata }),
    ...parseAvailabilityZone(server.availability_zone),
    ...(server.networks === undefined ? {} : { networks: server.networks }),
    ...(server.security_groups === undefined ? {} : { securityGroups: [...new Set(server.security_groups.map((group) => group.name ?? ''))] }),
    ...(server.accessIPv4 === undefined ? {} : { accessIPv4: server.accessIPv4 }),
    ...(server.accessIPv6 === undefined ? {} : { accessIPv6: server.accessIPv6 }),
    ...(server.adminPass === undefined ? {} : { adminPass: server.adminPass }),
    ...(server.config_drive === undefined ? {} : { configDrive: boolFromString(server.config_drive) ?? false }),
    ...(server.tags === undefined ? {} : { tags: server.tags }),
    ...(certificates === undefined || certificates === null ? {} : { trustedImageCertificates: certificates }),
    ...(server['OS-DCF:diskConfig'] === undefined ? {} : { diskConfig: server['OS-DCF:diskConfig'] }),
    ...(server.host === undefined ? {} : { requestedHost: server.host }),
    ...(server.hypervisor_hostname === undefined ? {} : { requestedNode: server.hypervisor_hostname }),
    ...(server.hostname === undefined ? {} : { hostname: server.hostname }),
    hints: {
      ...(hints.group === undefined ? {} : { group: hints.group }),
      ...(sameHost === undefined ? {} : { sameHost }),
      ...(differentHost === undefined ? {} : { differentHost }),
    },
  };
}
