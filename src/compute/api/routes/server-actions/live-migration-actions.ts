/** os-migrateLive (admin): body by microversion — disk_over_commit until 2.24, block_migration "auto" from 2.25, force 2.30–2.67, async from 2.34. */
import { Type, type TSchema } from '@sinclair/typebox';
import { BadRequest } from '../../../../common/errors/errors.js';
import { bodyValidator } from '../../../../common/http/validation.js';
import { versioned } from '../../../../common/http/versioned.js';
import { boolFromString, NovaBoolean } from '../nova-types.js';
import { serverAction } from './server-action.js';

/** parameter_types.fqdn, or null for the scheduler's choice. */
export const MoveHost = Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' });
const BlockMigrationOrAuto = Type.Unsafe<boolean | string>({ type: ['boolean', 'string'], enum: [...(NovaBoolean.enum as unknown[]), 'auto'] });

const LiveMigrateBody = (properties: Record<string, TSchema>, required: readonly string[]) => {
  const inner = Type.Object(properties, { additionalProperties: false });
  return Type.Object({ 'os-migrateLive': { ...inner, required: [...required] } }, { additionalProperties: false });
};

const V2_25 = { block_migration: BlockMigrationOrAuto, host: MoveHost };
const BODIES = versioned([
  { min: '2.1', max: '2.24', value: bodyValidator(LiveMigrateBody({ block_migration: NovaBoolean, disk_over_commit: NovaBoolean, host: MoveHost }, ['block_migration', 'disk_over_commit', 'host'])) },
  { min: '2.25', max: '2.29', value: bodyValidator(LiveMigrateBody(V2_25, ['block_migration', 'host'])) },
  { min: '2.30', max: '2.67', value: bodyValidator(LiveMigrateBody({ ...V2_25, force: NovaBoolean }, ['block_migration', 'host'])) },
  { min: '2.68', value: bodyValidator(LiveMigrateBody(V2_25, ['block_migration', 'host'])) },
]);

/** Every version's fields; the version's own schema is checked in `run`. */
const AnyVersion = Type.Object(
  { block_migration: BlockMigrationOrAuto, disk_over_commit: Type.Optional(NovaBoolean), host: MoveHost, force: Type.Optional(NovaBoolean) },
  { additionalProperties: false },
);

export const liveMigrationActions = [
  serverAction({
    key: 'os-migrateLive',
    schema: AnyVersion,
    policy: 'os_compute_api:os-migrate-server:migrate_live',
    run: async ({ request, context, server, servers, body }) => {
      const version = request.microversion;
      BODIES.select(version)({ 'os-migrateLive': body });
      const host = body.host;
      const forced = body.force === undefined ? false : boolFromString(body.force) === true;
      if (forced && host === null) throw new BadRequest("Can't force to a non-provided destination");
      // Before 2.30 a named host skips the scheduler, as forcing it does until 2.67.
      const force = host !== null && (!version.isAtLeast('2.30') || forced);
      const blockMigration = body.block_migration === 'auto' ? null : (boolFromString(body.block_migration) ?? false);
      await servers.liveMigrations.liveMigrate(context, server, { host, blockMigration, force, async: version.isAtLeast('2.34') });
    },
  }),
];
