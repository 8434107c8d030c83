/** evacuate (admin): onSharedStorage until 2.13 (and the adminPass answer), force 2.29–2.67. */
import { Type, type TSchema } from '@sinclair/typebox';
import { BadRequest } from '../../../../common/errors/errors.js';
import { bodyValidator } from '../../../../common/http/validation.js';
import { versioned } from '../../../../common/http/versioned.js';
import { boolFromString, NovaBoolean } from '../nova-types.js';
import { serverAction } from './server-action.js';

const Host = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' });

const EvacuateBody = (properties: Record<string, TSchema>, required: readonly string[] = []) => {
  const inner = Type.Object(properties, { additionalProperties: false });
  return Type.Object({ evacuate: required.length === 0 ? inner : { ...inner, required: [...required] } }, { additionalProperties: false });
};

const V2_14 = { host: Type.Optional(Host), adminPass: Type.Optional(Type.String()) };
const BODIES = versioned([
  { min: '2.1', max: '2.13', value: bodyValidator(EvacuateBody({ ...V2_14, onSharedStorage: NovaBoolean }, ['onSharedStorage'])) },
  { min: '2.14', max: '2.28', value: bodyValidator(EvacuateBody(V2_14)) },
  { min: '2.29', max: '2.67', value: bodyValidator(EvacuateBody({ ...V2_14, force: Type.Optional(NovaBoolean) })) },
  { min: '2.68', value: bodyValidator(EvacuateBody(V2_14)) },
]);

const AnyVersion = Type.Object(
  { host: Type.Optional(Host), adminPass: Type.Optional(Type.String()), onSharedStorage: Type.Optional(NovaBoolean), force: Type.Optional(NovaBoolean) },
  { additionalProperties: false },
);

export const evacuateAction = serverAction({
  key: 'evacuate',
  schema: AnyVersion,
  policy: 'os_compute_api:os-evacuate',
  run: async ({ request, context, server, servers, body }) => {
    const version = request.microversion;
    BODIES.select(version)({ evacuate: body });
    const host = body.host ?? null;
    const forced = body.force === undefined ? false : boolFromString(body.force) === true;
    if (forced && host === null) throw new BadRequest("Can't force to a non-provided destination");
    const onSharedStorage = version.isAtLeast('2.14') || body.onSharedStorage === undefined ? null : (boolFromString(body.onSharedStorage) ?? false);
    if (onSharedStorage === true && body.adminPass !== undefined) throw new BadRequest("admin password can't be changed on existing disk");
    // Before 2.29 a named host skips the scheduler, as forcing it does until 2.67.
    const force = host !== null && (!version.isAtLeast('2.29') || forced);
    const adminPassword = await servers.evacuations.evacuate(context, server, { host, force, adminPassword: body.adminPass ?? null, onSharedStorage });
    return version.isAtLeast('2.14') ? { status: 200 } : { status: 200, body: { adminPass: adminPassword } };
  },
});
