import type { Flavor } from '../../flavors/flavor.js';
import type { CreatedKeyPair, KeyPair } from '../../keypairs/keypair.js';
import type { Microversion } from '../../../common/http/microversion.js';
import { versioned } from '../../../common/http/versioned.js';
import { resourceLinks } from './links.js';

/** What a flavor view shows beyond 2.1: the description (2.55), the extra specs (2.61, when policy allows). */
export interface FlavorViewOptions {
  readonly microversion: Microversion;
  readonly extraSpecs: boolean;
}

/** GET /flavors: id, name and links (and the description from 2.55). */
export function renderFlavorBrief(publicUrl: string, flavor: Flavor, options: FlavorViewOptions): Record<string, unknown> {
  return {
    id: flavor.flavorid,
    name: flavor.name,
    links: resourceLinks(publicUrl, 'flavors', flavor.flavorid),
    ...(options.microversion.isAtLeast('2.55') ? { description: flavor.description } : {}),
  };
}

/** views/flavors.py show: swap and rxtx_factor are "" when unset (swap 0 from 2.75). */
export function renderFlavor(publicUrl: string, flavor: Flavor, options: FlavorViewOptions): Record<string, unknown> {
  const { microversion } = options;
  return {
    id: flavor.flavorid,
    name: flavor.name,
    ram: flavor.memory_mb,
    disk: flavor.root_gb,
    swap: flavor.swap === 0 ? NO_SWAP.select(microversion) : flavor.swap,
    'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': flavor.disabled,
    vcpus: flavor.vcpus,
    'os-flavor-access:is_public': flavor.is_public,
    rxtx_factor: flavor.rxtx_factor === 0 ? '' : flavor.rxtx_factor,
    links: resourceLinks(publicUrl, 'flavors', flavor.flavorid),
    ...(microversion.isAtLeast('2.55') ? { description: flavor.description } : {}),
    ...(microversion.isAtLeast('2.61') && options.extraSpecs ? { extra_specs: flavor.extra_specs } : {}),
  };
}

/** A flavor without swap says "" until 2.74 and 0 from 2.75. */
const NO_SWAP = versioned<'' | 0>([
  { min: '2.1', max: '2.74', value: '' },
  { min: '2.75', value: 0 },
]);

export function renderFlavorAccess(flavorid: string, projects: readonly string[]): { flavor_access: { flavor_id: string; tenant_id: string }[] } {
  return { flavor_access: projects.map((project) => ({ flavor_id: flavorid, tenant_id: project })) };
}

/** Python's naive datetime.isoformat() as Nova prints DB times: microseconds, no zone. */
export function novaTime(stored: string | null): string | null {
  return stored === null ? null : `${stored.slice(0, 19)}.${stored.slice(20, 23)}000`;
}

/** A key pair in a 2.1 list. */
export function renderKeyPairBrief(keypair: KeyPair): Record<string, unknown> {
  return { name: keypair.name, public_key: keypair.public_key, fingerprint: keypair.fingerprint };
}

/** The 2.1 create answer; the private key only when Nova generated it. */
export function renderCreatedKeyPair(keypair: CreatedKeyPair): Record<string, unknown> {
  return {
    ...(keypair.private_key === undefined ? {} : { private_key: keypair.private_key }),
    ...renderKeyPairBrief(keypair),
    user_id: keypair.user_id,
  };
}

/** The 2.1 show answer, with Nova's soft-delete columns (never deleted here). */
export function renderKeyPair(keypair: KeyPair): Record<string, unknown> {
  return {
    ...renderKeyPairBrief(keypair),
    user_id: keypair.user_id,
    created_at: novaTime(keypair.created_at),
    deleted: false,
    deleted_at: null,
    id: keypair.id,
    updated_at: novaTime(keypair.updated_at),
  };
}
