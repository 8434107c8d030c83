import { Type, type Static, type TString } from '@sinclair/typebox';
import { Forbidden } from '../../../common/errors/errors.js';
import { METADEF_VISIBILITIES } from '../../metadefs/metadef.js';

// Request bodies of the metadef routes, as Glance's schemas (glance/api/v2/metadef_*.py) check
// them: unknown attributes are a 400; the attributes Glance computes are accepted here only so
// that naming one is its 403 "read-only".

/** Attributes a client may not set (Glance's `_disallowed_properties`). */
const READ_ONLY = ['self', 'schema', 'created_at', 'updated_at'] as const;
const READ_ONLY_FIELDS = Object.fromEntries(READ_ONLY.map((name) => [name, Type.Optional(Type.Unknown())]));

/** Glance's 403 for a body naming a computed attribute. */
export function refuseReadOnly(body: Readonly<Record<string, unknown>>): void {
  for (const name of READ_ONLY) {
    if (name in body) throw new Forbidden(`Attribute '${name}' is read-only.`);
  }
}

/** The value types a property definition may declare (Glance's enum also lists null, which its `type: string` refuses). */
const PropertyTypeName = Type.Unsafe<string>({ type: 'string', enum: ['array', 'boolean', 'integer', 'number', 'object', 'string'] });
/** Glance's `stringArray`: names, each once; the properties route's own schema wants at least one. */
const StringArray = Type.Array(Type.String(), { uniqueItems: true });

const definitionFields = {
  title: Type.String(),
  description: Type.Optional(Type.String()),
  operators: Type.Optional(Type.Array(Type.String())),
  type: PropertyTypeName,
  required: Type.Optional(StringArray),
  minimum: Type.Optional(Type.Number()),
  maximum: Type.Optional(Type.Number()),
  maxLength: Type.Optional(Type.Integer({ minimum: 0 })),
  minLength: Type.Optional(Type.Integer({ minimum: 0 })),
  pattern: Type.Optional(Type.String()),
  enum: Type.Optional(Type.Array(Type.Unknown())),
  readonly: Type.Optional(Type.Boolean()),
  default: Type.Optional(Type.Unknown()),
  items: Type.Optional(Type.Object({ type: Type.Optional(PropertyTypeName), enum: Type.Optional(Type.Array(Type.Unknown())) }, { additionalProperties: false })),
  maxItems: Type.Optional(Type.Integer({ minimum: 0 })),
  minItems: Type.Optional(Type.Integer({ minimum: 0 })),
  uniqueItems: Type.Optional(Type.Boolean()),
  additionalItems: Type.Optional(Type.Boolean()),
};

/** A property definition inside a namespace or object: keyed by its name, which it may repeat. */
export const NestedProperty = Type.Object({ name: Type.Optional(Type.String({ maxLength: 80 })), ...definitionFields }, { additionalProperties: false });
const NestedProperties = Type.Record(Type.String({ pattern: '^.+$' }), NestedProperty);

/** POST /properties, PUT /properties/{name}. */
export const PropertyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 80 }), ...definitionFields, required: Type.Optional(Type.Array(Type.String(), { minItems: 1, uniqueItems: true })) },
  { additionalProperties: false },
);
export type PropertyBody = Static<typeof PropertyBody>;

const objectFields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  description: Type.Optional(Type.String()),
  required: Type.Optional(StringArray),
  properties: Type.Optional(NestedProperties),
};

/** POST /objects, PUT /objects/{name}. */
export const ObjectBody = Type.Object({ ...objectFields, ...READ_ONLY_FIELDS }, { additionalProperties: false });
export type ObjectBody = Static<typeof ObjectBody>;

const tagFields = { name: Type.String({ minLength: 1, maxLength: 80 }) };

/** PUT /tags/{name}. */
export const TagBody = Type.Object({ ...tagFields, ...READ_ONLY_FIELDS }, { additionalProperties: false });

/** POST /tags: several at once. */
export const TagsBody = Type.Object({ tags: Type.Array(Type.Object(tagFields, { additionalProperties: false })) }, { additionalProperties: false });

const associationFields = {
  name: Type.String({ minLength: 1, maxLength: 80 }),
  prefix: Type.Optional(Type.String({ maxLength: 80 })),
  properties_target: Type.Optional(Type.String({ maxLength: 80 })),
};

/** POST /namespaces/{ns}/resource_types. */
export const AssociationBody = Type.Object({ ...associationFields, created_at: Type.Optional(Type.Unknown()), updated_at: Type.Optional(Type.Unknown()) }, { additionalProperties: false });

/** POST /namespaces and PUT /namespaces/{ns}: the namespace, and on create what it holds. */
export const NamespaceBody = Type.Object(
  {
    namespace: Type.String({ minLength: 1, maxLength: 80 }),
    display_name: Type.Optional(Type.String({ maxLength: 80 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    visibility: Type.Optional(Type.Union(METADEF_VISIBILITIES.map((visibility) => Type.Literal(visibility)))),
    protected: Type.Optional(Type.Boolean()),
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    resource_type_associations: Type.Optional(Type.Array(Type.Object(associationFields, { additionalProperties: false }))),
    properties: Type.Optional(NestedProperties),
    objects: Type.Optional(Type.Array(Type.Object(objectFields, { additionalProperties: false }))),
    tags: Type.Optional(Type.Array(Type.Object(tagFields, { additionalProperties: false }))),
    ...READ_ONLY_FIELDS,
  },
  { additionalProperties: false },
);
export type NamespaceBody = Static<typeof NamespaceBody>;

export const NamespaceParams = Type.Object({ namespace: Type.String({ maxLength: 80 }) });
/** The path parameters of one item of a namespace: the namespace and the item's name under `item`. */
export function NamespaceItemParams<K extends string>(item: K) {
  const itemName = { [item]: Type.String({ maxLength: 255 }) } as Record<K, TString>;
  return Type.Object({ namespace: Type.String({ maxLength: 80 }), ...itemName });
}
