import { BadRequest, Conflict, Forbidden } from '../../common/errors/errors.js';
import { BASE_ATTRIBUTES, CONTAINER_FORMATS, DISK_FORMATS, READ_ONLY_ATTRIBUTES, VISIBILITIES, isReservedProperty, type ImageRef } from './image.js';
import type { ImageChanges } from '../db/image-record-store.js';

/** The media types of Glance's PATCH and the JSON-schema draft each follows. */
export const JSON_PATCH_MEDIA_TYPES: Readonly<Record<string, 4 | 10>> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};

const OPERATIONS = ['add', 'remove', 'replace'] as const;
type Operation = (typeof OPERATIONS)[number];

/** One validated change: `path` is the decoded pointer (`['name']`, `['tags', '0']`). */
export interface PatchChange {
  readonly op: Operation;
  readonly path: readonly string[];
  readonly value?: unknown;
}

function operationOf(raw: Record<string, unknown>, draft: 4 | 10): { op: Operation; pointer: unknown } {
  if (draft === 10) {
    const op = raw['op'];
    if (op === undefined) {
      throw new BadRequest(`Unable to find \`op\` in JSON Schema change. It must be one of the following: ${OPERATIONS.join(', ')}.`);
    }
    const known = OPERATIONS.find((candidate) => candidate === op);
    if (known === undefined) {
      throw new BadRequest(`Invalid operation: \`${typeof op === 'string' ? op : JSON.stringify(op)}\`. It must be one of the following: ${OPERATIONS.join(', ')}.`);
    }
    if (!('path' in raw)) throw new BadRequest("Unable to find 'path' in JSON Schema change");
    return { op: known, pointer: raw['path'] };
  }
  const present = OPERATIONS.filter((op) => op in raw);
  const [op] = present;
  if (op === undefined || present.length > 1) {
    throw new BadRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
  }
  return { op, pointer: raw[op] };
}

/** Glance's limited JSON pointers: `/a` or `/a/b`, `~0`/`~1` escapes, no empty tokens. */
function decodePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) throw new BadRequest(`Pointer \`${String(pointer)}\` does not start with "/".`);
  if (/\/\s*?\//.test(pointer.slice(1))) throw new BadRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith('/')) throw new BadRequest(`Pointer \`${pointer}\` end with "/".`);
  if (/~[^01]/.test(pointer) || pointer.endsWith('~')) {
    throw new BadRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~').trim());
}

/**
 * Paths one level deep, except a tag by index (`/tags/0`, `/tags/-`), which jsonpatch-made diffs
 * use, and Glance's depth limits for locations (one by index to add or remove, all to replace).
 */
function checkDepth(op: Operation, path: readonly string[]): void {
  const tagIndex = path.length === 2 && path[0] === 'tags' && /^(\d+|-)$/.test(path[1] ?? '');
  const depth = path[0] === 'locations' && op !== 'replace' ? 2 : 1;
  if (path.length !== depth && !tagIndex) throw new BadRequest(`Invalid JSON pointer for this resource: '/${path.join('/')}'`);
}

const LOCATION_VERBS: Readonly<Record<Operation, string>> = { add: 'add', remove: 'remove', replace: 'update' };

/** Locations are never shown here (Glance's `show_multiple_locations = False`), so never changed. */
function refuseLocations(op: Operation, value: unknown): never {
  if (op === 'replace' && (value === null || (Array.isArray(value) && value.length === 0))) throw new Forbidden('Cannot set locations to empty list.');
  throw new Forbidden(`It's not allowed to ${LOCATION_VERBS[op]} locations if locations are invisible.`);
}

function checkWritable(root: string): void {
  if ((READ_ONLY_ATTRIBUTES as readonly string[]).includes(root)) throw new Forbidden(`Attribute '${root}' is read-only.`);
  if (isReservedProperty(root)) throw new Forbidden(`Attribute '${root}' is reserved.`);
}

/** Parses and validates a PATCH body, in Glance's order: shape, pointer, depth, writability, value. */
export function parseJsonPatch(body: unknown, draft: 4 | 10): PatchChange[] {
  if (!Array.isArray(body)) throw new BadRequest('Request body must be a JSON array of operation objects.');
  return body.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequest('Operations must be JSON objects.');
    const change = raw as Record<string, unknown>;
    const { op, pointer } = operationOf(change, draft);
    const path = decodePointer(pointer);
    checkDepth(op, path);
    if (op !== 'remove' && !('value' in change)) throw new BadRequest(`Operation "${op}" requires a member named "value".`);
    if (path[0] === 'locations') refuseLocations(op, change['value']);
    checkWritable(path[0] ?? '');
    if (op === 'remove') return { op, path };
    checkValue(path, change['value']);
    return { op, path, value: change['value'] };
  });
}

const INT32_MAX = 2147483647;

/** The image schema's rule for one attribute, as a 400 message when the value breaks it. */
function checkValue(path: readonly string[], value: unknown): void {
  const [root = ''] = path;
  const fail = (why: string) => {
    throw new BadRequest(`Invalid value for '${root}': ${why}`);
  };
  const isString = typeof value === 'string';
  const oneOf = (allowed: readonly (string | null)[]) => {
    if (!allowed.includes(value as string | null)) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`);
  };
  if (root === 'tags') {
    const tags = path.length === 2 ? [value] : value;
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag.length > 255)) fail('tags must be strings of at most 255 characters');
  } else if (root === 'name' || root === 'owner') {
    if (value !== null && (!isString || value.length > 255)) fail(`${JSON.stringify(value)} is not a string of at most 255 characters`);
  } else if (root === 'visibility') {
    oneOf(VISIBILITIES);
  } else if (root === 'disk_format') {
    oneOf([null, ...DISK_FORMATS]);
  } else if (root === 'container_format') {
    oneOf([null, ...CONTAINER_FORMATS]);
  } else if (root === 'protected' || root === 'os_hidden') {
    if (typeof value !== 'boolean') fail(`${JSON.stringify(value)} is not of type 'boolean'`);
  } else if (root === 'min_ram' || root === 'min_disk') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > INT32_MAX) fail(`${JSON.stringify(value)} is not a non-negative integer`);
  } else if (!BASE_ATTRIBUTES.has(root)) {
    if (root.length > 255) fail('Custom property should not be greater than 255 characters.');
    if (!isString) fail(`${JSON.stringify(value)} is not of type 'string'`);
  }
}

/** The visibility a patch asks for, if it changes it (publicize/communitize need their own policy). */
export function requestedVisibility(changes: readonly PatchChange[]): string | undefined {
  const last = changes.filter((change) => change.path[0] === 'visibility' && change.op !== 'remove').pop();
  return typeof last?.value === 'string' ? last.value : undefined;
}

/**
 * Applies the changes to the image as Glance's `_do_add`/`_do_replace`/`_do_remove` do, and
 * returns what to write: attributes cannot be removed, an unknown extra property cannot be
 * replaced or removed (409), formats change only while the image is queued, and only an
 * administrator moves an image to another owner (Glance checks `replace`; `add` on an attribute
 * is the same write, so it is refused too).
 */
export function applyJsonPatch(image: ImageRef, changes: readonly PatchChange[], callerIsAdmin: boolean): ImageChanges {
  const columns: Record<string, unknown> = {};
  const properties = new Map<string, string | undefined>(Object.entries(image.properties));
  let tags = [...image.tags];
  let tagsChanged = false;

  for (const { op, path, value } of changes) {
    const [root = '', index] = path;
    if (root === 'tags') {
      tags = patchTags(tags, op, index, value);
      tagsChanged = true;
    } else if (BASE_ATTRIBUTES.has(root)) {
      if (op === 'remove') throw new Forbidden(`Property ${root} may not be removed.`);
      if (root === 'owner' && !callerIsAdmin) throw new Forbidden("Owner can't be updated by non admin.");
      if ((root === 'disk_format' || root === 'container_format') && image.status !== 'queued') {
        throw new Forbidden(`Attribute ${root} can be only replaced for a queued image.`);
      }
      columns[root] = value;
    } else if (op === 'add') {
      properties.set(root, String(value));
    } else if (properties.get(root) === undefined) {
      throw new Conflict(`Property ${root} does not exist.`);
    } else {
      properties.set(root, op === 'remove' ? undefined : String(value));
    }
  }

  const setProperties = Object.fromEntries(
    [...properties].filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== image.properties[entry[0]]),
  );
  const removeProperties = [...properties].filter(([, value]) => value === undefined).map(([name]) => name);
  return { columns, setProperties, removeProperties, ...(tagsChanged ? { tags } : {}) };
}

function patchTags(tags: string[], op: Operation, index: string | undefined, value: unknown): string[] {
  if (index === undefined) {
    if (op === 'remove') throw new Forbidden('Property tags may not be removed.');
    return [...new Set(value as string[])];
  }
  const position = index === '-' ? tags.length : Number(index);
  if (position > tags.length || (op !== 'add' && position >= tags.length)) {
    throw new Conflict(`Tag index ${index} does not exist.`);
  }
  const next = [...tags];
  if (op === 'add') next.splice(position, 0, value as string);
  else if (op === 'replace') next[position] = value as string;
  else next.splice(position, 1);
  return [...new Set(next)];
}
