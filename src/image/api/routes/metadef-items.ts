import type { Static } from '@sinclair/typebox';
import type { ItemFields } from '../../metadefs/metadef.js';
import type { NestedProperty, ObjectBody } from './metadef-bodies.js';

/** An object's stored definition: what the body gives besides its name and read-only attributes. */
export function objectItem(body: Pick<ObjectBody, 'name' | 'description' | 'required' | 'properties'>): ItemFields {
  const { name, description, required, properties } = body;
  return { name, body: { description, required, properties } };
}

/** A property's stored definition: its JSON schema without the name (the key it is stored under). */
export function propertyItem(name: string, definition: Static<typeof NestedProperty>): ItemFields {
  const schema: Record<string, unknown> = { ...definition };
  delete schema['name'];
  return { name, body: schema };
}
