/** Cinder's parameter types (cinder/api/validation/parameter_types.py) as TypeBox schemas. */
import { Type } from '@sinclair/typebox';

export const NullableString = (maxLength = 255) => Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength });
/** Metadata and extra specs (parameter_types.extra_specs): keys of 1–255 of Cinder's characters, string values of up to 255. */
export const Metadata = Type.Record(Type.String({ pattern: '^[a-zA-Z0-9-_:. /]{1,255}$' }), Type.String({ maxLength: 255 }));
export const NullableMetadata = Type.Unsafe<Record<string, string> | null>({
  type: ['object', 'null'],
  patternProperties: { '^[a-zA-Z0-9-_:. /]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
});
/** Cinder's boolean: JSON booleans or the usual spellings. */
export const CinderBoolean = Type.Unsafe<boolean | string>({
  type: ['boolean', 'string'],
  enum: [true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'y', 't', false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'],
});
/** A size in GiB: an integer of at least 1, or a string of digits. */
export const VolumeSize = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 });
/** The create body's size: absent or null takes the source's. */
export const VolumeSizeOrNull = Type.Unsafe<number | string | null>({ type: ['integer', 'string', 'null'], pattern: '^[0-9]+$', minimum: 1, maximum: 2147483647 });

export function toBoolean(value: boolean | string): boolean {
  return typeof value === 'boolean' ? value : ['true', '1', 'on', 'yes', 'y', 't'].includes(value.toLowerCase());
}

export function toSize(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}
