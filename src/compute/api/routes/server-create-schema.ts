import { Type, type Static } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { ServerCreateRequest } from '../../servers/server.js';
import { boolFromString, NovaBoolean, NovaName } from './nova-types.js';

const Count = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 1 });
const Uuid = Type.String({ format: 'uuid' });
const MetadataValue = Type.String({ maxLength: 255 });

/** A requested network at 2.1 (networks as a list); `auto`/`none` strings are accepted too. */
const RequestedNetwork = Type.Object(
  { uuid: Type.Optional(Type.String()), port: Type.Optional(Type.String()), fixed_ip: Type.Optional(Type.String()), tag: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** schemas/servers.py base_create (2.1): the server object and the scheduler hints beside it. */
export const ServerCreateBody = Type.Object(
  {
    server: Type.Object(
      {
        name: NovaName,
        imageRef: Type.Optional(Type.String()),
        flavorRef: Type.Unsafe<string | number>({ type: ['string', 'integer'], minLength: 1 }),
        adminPass: Type.Optional(Type.String()),
        metadata: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 255 }), MetadataValue)),
        networks: Type.Optional(Type.Union([Type.Array(RequestedNetwork), Type.Unsafe<'auto' | 'none'>({ type: 'string', enum: ['auto', 'none'] })])),
        'OS-DCF:diskConfig': Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['AUTO', 'MANUAL'] })),
        accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
        accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
        availability_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        key_name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        user_data: Type.Optional(Type.String({ maxLength: 65535 })),
        min_count: Type.Optional(Count),
        max_count: Type.Optional(Count),
        return_reservation_id: Type.Optional(NovaBoolean),
        config_drive: Type.Optional(NovaBoolean),
        security_groups: Type.Optional(Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: false }))),
      },
      { additionalProperties: false },
    ),
    'os:scheduler_hints': Type.Optional(
      Type.Object(
        {
          group: Type.Optional(Uuid),
          same_host: Type.Optional(Type.Union([Uuid, Type.Array(Uuid)])),
          different_host: Type.Optional(Type.Union([Uuid, Type.Array(Uuid)])),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ServerCreateBody = Static<typeof ServerCreateBody>;

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}

/** The validated body as the servers service takes it (Nova's min/max count rules applied). */
export function toCreateRequest(body: ServerCreateBody): ServerCreateRequest {
  const server = body.server;
  if (server.imageRef === undefined || server.imageRef === '') throw new BadRequest('Missing imageRef attribute');
  const minCount = Number(server.min_count ?? 1);
  const maxCount = Number(server.max_count ?? minCount);
  if (minCount < 1 || maxCount < 1) throw new BadRequest('min_count and max_count must be at least 1');
  if (minCount > maxCount) throw new BadRequest("min_count must be <= max_count");
  const hints = body['os:scheduler_hints'] ?? {};
  const sameHost = list(hints.same_host);
  const differentHost = list(hints.different_host);
  return {
    name: server.name,
    imageRef: server.imageRef,
    flavorRef: String(server.flavorRef),
    minCount,
    maxCount,
    ...(server.key_name === undefined ? {} : { keyName: server.key_name }),
    ...(server.user_data === undefined ? {} : { userData: server.user_data }),
    ...(server.metadata === undefined ? {} : { metadata: server.metadata }),
    ...(server.availability_zone === undefined ? {} : { availabilityZone: server.availability_zone }),
    ...(server.networks === undefined ? {} : { networks: server.networks }),
    ...(server.accessIPv4 === undefined ? {} : { accessIPv4: server.accessIPv4 }),
    ...(server.accessIPv6 === undefined ? {} : { accessIPv6: server.accessIPv6 }),
    ...(server.adminPass === undefined ? {} : { adminPass: server.adminPass }),
    ...(server.config_drive === undefined ? {} : { configDrive: boolFromString(server.config_drive) ?? false }),
    hints: {
      ...(hints.group === undefined ? {} : { group: hints.group }),
      ...(sameHost === undefined ? {} : { sameHost }),
      ...(differentHost === undefined ? {} : { differentHost }),
    },
  };
}
