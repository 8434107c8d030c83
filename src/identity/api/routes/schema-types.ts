import { Type, type TSchema } from '@sinclair/typebox';

// Keystone's parameter_types, for the entity schemas beside each route.

export const IdString = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' });
/** Project and domain names. */
export const Name64 = Type.String({ minLength: 1, maxLength: 64, pattern: '[\\S]+' });
/** User, group and role names. */
export const Name255 = Type.String({ minLength: 1, maxLength: 255, pattern: '[\\S]+' });
/** keystone/resource/schema.py project_tag_create: no comma or slash. */
export const Tag = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^,/]*$' });
export const Tags = Type.Array(Tag, {
  maxItems: 80,
  uniqueItems: true,
});
/** Resource options: accepted and kept as sent, as Keystone's registry does for unknown ones. */
export const Options = Type.Object({}, { additionalProperties: true });

export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** Path parameters of an entity route: `/v3/projects/:id`. */
export const IdParams = Type.Object({ id: Type.String() });

/** Keystone's list filters are strings; booleans such as `enabled` are read with queryFlag. */
export const OptionalString = Type.Optional(Type.String());

/** The fields of an entity body its schema does not name: Keystone keeps them as "extra". */
export function extraOf(entity: object, schemaProperties: object): Record<string, unknown> {
  const known = new Set(Object.keys(schemaProperties));
  return Object.fromEntries(Object.entries(entity).filter(([key]) => !known.has(key)));
}
