import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { bodyValidator, queryValidator } from '../../../common/http/validation.js';
import { versioned } from '../../../common/http/versioned.js';
import type { KeyPair } from '../../keypairs/keypair.js';
import { MAX_LIMIT } from '../../flavors/flavor.js';
import { nextLinks } from './links.js';
import { last, MultiParam } from './nova-types.js';
import { renderCreatedKeyPair, renderKeyPair, renderKeyPairBrief } from './render.js';
import { authorize, projectIdOf, userIdOf, type ComputeRouteDeps } from './route-deps.js';

/** parameter_types.keypair_name_special_chars: letters, digits, `_`, `-` and inner spaces. */
const KEYPAIR_V21 = {
  name: Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9_ -]+(?<! )$' }),
  public_key: Type.Optional(Type.String()),
};
const KEYPAIR_V22 = { ...KEYPAIR_V21, type: Type.Optional(Type.Unsafe<'ssh' | 'x509'>({ type: 'string', enum: ['ssh', 'x509'] })) };
const KEYPAIR_V210 = { ...KEYPAIR_V22, user_id: Type.Optional(Type.String()) };
const keypairBody = <T extends TProperties>(keypair: T) => Type.Object({ keypair: Type.Object(keypair, { additionalProperties: false }) }, { additionalProperties: false });
const KeyPairCreateBody = keypairBody(KEYPAIR_V210);
type KeyPairCreateBody = Static<typeof KeyPairCreateBody>;
/** create_v292: import only (public_key required, nothing generated); names may hold `@` and `.` too. */
const KEYPAIR_V292 = {
  ...KEYPAIR_V210,
  name: Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9_ .@-]+(?<! )$' }),
  public_key: Type.String(),
};

/** keypairs.create by version: 2.2 chooses the type, 2.10 the owner (an admin's), 2.92 imports only. */
const CREATE = versioned<(body: unknown) => unknown>([
  { min: '2.1', max: '2.1', value: bodyValidator(keypairBody(KEYPAIR_V21)) },
  { min: '2.2', max: '2.9', value: bodyValidator(keypairBody(KEYPAIR_V22)) },
  { min: '2.10', max: '2.91', value: bodyValidator(KeyPairCreateBody) },
  { min: '2.92', value: bodyValidator(keypairBody(KEYPAIR_V292)) },
]);

const USER_ID = { user_id: MultiParam(Type.String()) };
const PAGING = { limit: MultiParam(Type.Integer({ minimum: 0 })), marker: MultiParam(Type.String()) };
const query = (properties: TProperties, strict = false) => queryValidator(Type.Object(properties, { additionalProperties: !strict }));
type KeyPairQuery = { user_id?: string[]; limit?: number[]; marker?: string[] };

/** The index query: user_id from 2.10, paging from 2.35, nothing unknown from 2.75. */
const INDEX_QUERY = versioned<(query: unknown) => unknown>([
  { min: '2.1', max: '2.9', value: query({}) },
  { min: '2.10', max: '2.34', value: query(USER_ID) },
  { min: '2.35', max: '2.74', value: query({ ...USER_ID, ...PAGING }) },
  { min: '2.75', value: query({ ...USER_ID, ...PAGING }, true) },
]);
/** show and delete: user_id from 2.10, nothing unknown from 2.75. */
const ONE_QUERY = versioned<(query: unknown) => unknown>([
  { min: '2.1', max: '2.9', value: query({}) },
  { min: '2.10', max: '2.74', value: query(USER_ID) },
  { min: '2.75', value: query(USER_ID, true) },
]);

/** Status codes that changed at 2.2: create 200 → 201, delete 202 → 204. */
const STATUS = versioned([
  { min: '2.1', max: '2.1', value: { create: 200, delete: 202 } },
  { min: '2.2', value: { create: 201, delete: 204 } },
]);

export const KeyPairParams = Type.Object({ keypair_name: Type.String() });

/** The user whose key pairs are meant: the query's user_id (first one, from 2.10), else the caller. */
function ownerOf(request: FastifyRequest, parsed: KeyPairQuery): string {
  return parsed.user_id?.[0] ?? userIdOf(request);
}

/** /v2.1/os-keypairs: the caller's key pairs, or (2.10, policy permitting) another user's. */
export function keyPairRoutes(deps: ComputeRouteDeps): FastifyPluginAsyncTypebox {
  const { keypairs } = deps;
  return async (app) => {
    app.get('/v2.1/os-keypairs', async (request) => {
      const version = request.microversion;
      const parsed = INDEX_QUERY.select(version)(request.query) as KeyPairQuery;
      const userId = ownerOf(request, parsed);
      authorize(deps, request, 'os_compute_api:os-keypairs:index', { user_id: userId });
      const limit = last(parsed.limit);
      const marker = last(parsed.marker);
      const paged = version.isAtLeast('2.35');
      const page = await keypairs.list(userId, {
        ...(paged ? { limit: Math.min(limit ?? MAX_LIMIT, MAX_LIMIT) } : {}),
        ...(paged && marker !== undefined ? { marker } : {}),
      });
      const withType = version.isAtLeast('2.2');
      const links = paged ? nextLinks(deps.publicUrl, 'os-keypairs', parsed, { count: page.length, limit: Math.min(limit ?? MAX_LIMIT, MAX_LIMIT), lastId: page.at(-1)?.name }) : [];
      return {
        keypairs: page.map((keypair: KeyPair) => ({ keypair: { ...renderKeyPairBrief(keypair), ...(withType ? { type: keypair.type } : {}) } })),
        ...(links.length > 0 ? { keypairs_links: links } : {}),
      };
    });

    app.get('/v2.1/os-keypairs/:keypair_name', { schema: { params: KeyPairParams } }, async (request) => {
      const userId = ownerOf(request, ONE_QUERY.select(request.microversion)(request.query) as KeyPairQuery);
      authorize(deps, request, 'os_compute_api:os-keypairs:show', { user_id: userId });
      const keypair = await keypairs.get(userId, request.params.keypair_name);
      return { keypair: { ...renderKeyPair(keypair), ...(request.microversion.isAtLeast('2.2') ? { type: keypair.type } : {}) } };
    });

    app.post('/v2.1/os-keypairs', async (request, reply) => {
      const version = request.microversion;
      const body = (CREATE.select(version)(request.body) as KeyPairCreateBody).keypair;
      const userId = body.user_id ?? userIdOf(request);
      authorize(deps, request, 'os_compute_api:os-keypairs:create', { user_id: userId });
      // The key counts against the caller's project's quota, as Nova's check_deltas for the user.
      const created = await keypairs.create({ userId, projectId: projectIdOf(request) }, body.name, body.public_key, body.type ?? 'ssh');
      const keypair = { ...renderCreatedKeyPair(created), ...(version.isAtLeast('2.2') ? { type: created.type } : {}) };
      return reply.code(STATUS.select(version).create).send({ keypair });
    });

    app.delete('/v2.1/os-keypairs/:keypair_name', { schema: { params: KeyPairParams } }, async (request, reply) => {
      const userId = ownerOf(request, ONE_QUERY.select(request.microversion)(request.query) as KeyPairQuery);
      authorize(deps, request, 'os_compute_api:os-keypairs:delete', { user_id: userId });
      await keypairs.delete(userId, request.params.keypair_name);
      return reply.code(STATUS.select(request.microversion).delete).send();
    });
  };
}
