// The JSON schemas Glance Zed serves at /v2/schemas/metadefs/*, which clients read to learn the
// metadef attributes: the values of glance/api/v2/metadef_*.py's get_schema() and
// get_collection_schema() (`raw()`), rebuilt from their shared parts. The request bodies are
// checked by metadef-bodies.ts.

/** The value types a property may declare (Glance lists null too, which `type: string` refuses). */
const VALUE_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string', null];

const NUMBER_DEFINITIONS = {
  "positiveInteger": {
    "type": "integer",
    "minimum": 0
  },
  "positiveIntegerDefault0": {
    "allOf": [
      {
        "$ref": "#/definitions/positiveInteger"
      },
      {
        "default": 0
      }
    ]
  }
};

const STRING_ARRAY = { type: 'array', items: { type: 'string' }, uniqueItems: true };

/** The attributes of a property definition (Glance's PropertyType). */
const PROPERTY_FIELDS = {
  "name": {
    "type": "string",
    "maxLength": 80
  },
  "title": {
    "type": "string"
  },
  "description": {
    "type": "string"
  },
  "operators": {
    "type": "array",
    "items": {
      "type": "string"
    }
  },
  "type": {
    "type": "string",
    "enum": VALUE_TYPES
  },
  "required": {
    "$ref": "#/definitions/stringArray"
  },
  "minimum": {
    "type": "number"
  },
  "maximum": {
    "type": "number"
  },
  "maxLength": {
    "$ref": "#/definitions/positiveInteger"
  },
  "minLength": {
    "$ref": "#/definitions/positiveIntegerDefault0"
  },
  "pattern": {
    "type": "string",
    "format": "regex"
  },
  "enum": {
    "type": "array"
  },
  "readonly": {
    "type": "boolean"
  },
  "default": {},
  "items": {
    "type": "object",
    "properties": {
      "type": {
        "type": "string",
        "enum": VALUE_TYPES
      },
      "enum": {
        "type": "array"
      }
    }
  },
  "maxItems": {
    "$ref": "#/definitions/positiveInteger"
  },
  "minItems": {
    "$ref": "#/definitions/positiveIntegerDefault0"
  },
  "uniqueItems": {
    "type": "boolean",
    "default": false
  },
  "additionalItems": {
    "type": "boolean"
  }
};

/** The definitions of the namespace and object schemas: property definitions keyed by name. */
const CONTAINER_DEFINITIONS = {
  ...NUMBER_DEFINITIONS,
  stringArray: STRING_ARRAY,
  property: { type: 'object', additionalProperties: { type: 'object', required: ['title', 'type'], properties: PROPERTY_FIELDS } },
};

/** The read-only timestamps of a metadef record, described in Glance's words. */
function timestamps(created: string, modified: string) {
  return {
    created_at: { type: 'string', readOnly: true, description: `Date and time of ${created}`, format: 'date-time' },
    updated_at: { type: 'string', readOnly: true, description: `Date and time of the last ${modified} modification`, format: 'date-time' },
  };
}

/** An array of objects with these properties, as Glance nests associations, objects and tags. */
function listOf(properties: object) {
  return { type: 'array', items: { type: 'object', properties } };
}

/** The read-only links of a record: its schema's path and its own. */
const LINKS = { schema: { readOnly: true, type: 'string' }, self: { readOnly: true, type: 'string' } };

/** What an object holds besides its name, in a namespace's `objects` and in the object schema. */
const OBJECT_CONTENT = {
  description: { type: 'string' },
  required: { $ref: '#/definitions/stringArray' },
  properties: { $ref: '#/definitions/property' },
};

const NAMESPACE_FIELDS = {
  "namespace": {
    "type": "string",
    "description": "The unique namespace text.",
    "maxLength": 80
  },
  "display_name": {
    "type": "string",
    "description": "The user friendly name for the namespace. Used by UI if available.",
    "maxLength": 80
  },
  "description": {
    "type": "string",
    "description": "Provides a user friendly description of the namespace.",
    "maxLength": 500
  },
  "visibility": {
    "type": "string",
    "description": "Scope of namespace accessibility.",
    "enum": [
      "public",
      "private"
    ]
  },
  "protected": {
    "type": "boolean",
    "description": "If true, namespace will not be deletable."
  },
  "owner": {
    "type": "string",
    "description": "Owner of the namespace.",
    "maxLength": 255
  },
  ...timestamps('namespace creation', 'namespace'),
  ...LINKS,
  "resource_type_associations": listOf({
    "name": {
      "type": "string"
    },
    "prefix": {
      "type": "string"
    },
    "properties_target": {
      "type": "string"
    }
  }),
  "properties": {
    "$ref": "#/definitions/property"
  },
  "objects": listOf({
    "name": {
      "type": "string"
    },
    ...OBJECT_CONTENT,
  }),
  "tags": listOf({
    "name": {
      "type": "string"
    }
  })
};

const OBJECT_FIELDS = {
  "name": {
    "type": "string",
    "maxLength": 80
  },
  ...OBJECT_CONTENT,
  ...LINKS,
  ...timestamps('object creation', 'object')
};

const namespace = { name: 'namespace', properties: NAMESPACE_FIELDS, additionalProperties: false, required: ['namespace'] };
const object = { name: 'object', properties: OBJECT_FIELDS, additionalProperties: false, required: ['name'] };
const property = { name: 'property', properties: PROPERTY_FIELDS, additionalProperties: false, required: ['type', 'title', 'name'] };
const tag = {
  "name": "tag",
  "properties": {
    "name": {
      "type": "string",
      "maxLength": 80
    },
    ...timestamps('tag creation', 'tag')
  },
  "additionalProperties": false,
  "required": [
    "name"
  ]
};
const resourceType = {
  "name": "resource_type_association",
  "properties": {
    "name": {
      "type": "string",
      "description": "Resource type names should be aligned with Heat resource types whenever possible: https://docs.openstack.org/heat/latest/template_guide/openstack.html",
      "maxLength": 80
    },
    "prefix": {
      "type": "string",
      "description": "Specifies the prefix to use for the given resource type. Any properties in the namespace should be prefixed with this prefix when being applied to the specified resource type. Must include prefix separator (e.g. a colon :).",
      "maxLength": 80
    },
    "properties_target": {
      "type": "string",
      "description": "Some resource types allow more than one key / value pair per instance.  For example, Cinder allows user and image metadata on volumes. Only the image properties metadata is evaluated by Nova (scheduling or drivers). This property allows a namespace target to remove the ambiguity.",
      "maxLength": 80
    },
    ...timestamps('resource type association', 'resource type association')
  },
  "additionalProperties": false,
  "required": [
    "name"
  ]
};

/** Glance's collection schema: the members under `key`, and the paging links. */
function collection(name: string, key: string, members: object, definitions?: object) {
  return {
    name,
    properties: { [key]: members, first: { type: 'string' }, next: { type: 'string' }, schema: { type: 'string' } },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
    ...(definitions === undefined ? {} : { definitions }),
  };
}

/** Each schema by the last segment of its path. */
export const METADEF_SCHEMAS: Readonly<Record<string, unknown>> = {
  namespace: { ...namespace, definitions: CONTAINER_DEFINITIONS },
  namespaces: collection('namespaces', 'namespaces', { type: 'array', items: namespace }, CONTAINER_DEFINITIONS),
  object: { ...object, definitions: CONTAINER_DEFINITIONS },
  objects: collection('objects', 'objects', { type: 'array', items: object }, CONTAINER_DEFINITIONS),
  property: { ...property, definitions: { ...NUMBER_DEFINITIONS, stringArray: { ...STRING_ARRAY, minItems: 1 } } },
  properties: collection(
    'properties',
    'properties',
    { type: 'object', additionalProperties: { ...property, required: ['type', 'title'] } },
    { ...NUMBER_DEFINITIONS, stringArray: { ...STRING_ARRAY, minItems: 1 } },
  ),
  tag,
  tags: collection('tags', 'tags', { type: 'array', items: tag }),
  resource_type: resourceType,
  resource_types: collection('resource_type_associations', 'resource_type_associations', { type: 'array', items: resourceType }),
};
