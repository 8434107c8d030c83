import { BadRequest } from '../../common/errors/errors.js';
import type { FlavorCreate } from './flavor.js';

/** Nova's db constants: the largest int column value and single-precision float. */
const MAX_INT = 2147483647;
const SQL_SP_FLOAT_MAX = 3.40282e38;

export interface ValidFlavor {
  readonly name: string;
  readonly flavorid?: string;
  readonly memory_mb: number;
  readonly vcpus: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  readonly swap: number;
  readonly rxtx_factor: number;
  readonly is_public: boolean;
  readonly description: string | null;
}

function invalid(reason: string): BadRequest {
  return new BadRequest(`Invalid input received: ${reason}`);
}

/** oslo's validate_integer: an int or an all-digit string, within bounds, worded as oslo words it. */
function integer(value: number | string, name: string, min: number): number {
  const parsed = typeof value === 'number' ? value : /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed)) throw invalid(`${name} must be an integer`);
  if (parsed < min) throw invalid(`${name} must be >= ${min}`);
  if (parsed > MAX_INT) throw invalid(`${name} must be <= ${MAX_INT}`);
  return parsed;
}

/**
 * The checks of nova/compute/flavors.py create(), after the request schema: name stripped and
 * not blank, ram and vcpus ≥ 1, disk, ephemeral and swap ≥ 0, rxtx_factor a positive float, and
 * a given id turned into a string (JSON numbers are accepted, as Nova's schema allows).
 */
export function validateFlavorCreate(input: FlavorCreate): ValidFlavor {
  const name = input.name.trim();
  if (name === '') throw invalid('name must not be blank');
  const rxtx = Number(input.rxtx_factor ?? 1);
  if (!(rxtx > 0 && rxtx <= SQL_SP_FLOAT_MAX)) throw invalid(`'rxtx_factor' argument must be a float between 0 and ${SQL_SP_FLOAT_MAX}`);
  const flavorid = input.flavorid === undefined || input.flavorid === null || input.flavorid === '' ? undefined : String(input.flavorid);
  return {
    name,
    ...(flavorid === undefined ? {} : { flavorid }),
    memory_mb: integer(input.memory_mb, 'ram', 1),
    vcpus: integer(input.vcpus, 'vcpus', 1),
    root_gb: integer(input.root_gb, 'disk', 0),
    ephemeral_gb: integer(input.ephemeral_gb ?? 0, 'ephemeral', 0),
    swap: integer(input.swap ?? 0, 'swap', 0),
    rxtx_factor: rxtx,
    is_public: input.is_public ?? true,
    description: input.description ?? null,
  };
}
