import { Conflict } from '../../common/errors/errors.js';
import type { FlavorStore } from '../db/flavor-store.js';

/**
 * The flavors a fresh cloud gets, under DevStack's ids (Tempest's flavor_ref 1 and
 * flavor_ref_alt 2). m1.tiny is 128 MB rather than Nova's 512 so that small guests (cirros) boot
 * in little memory; m1.nano's 64 MB is too small for them and is left out.
 */
export const DEFAULT_FLAVORS = [
  { flavorid: '1', name: 'm1.tiny', memory_mb: 128, vcpus: 1, root_gb: 1 },
  { flavorid: '2', name: 'm1.small', memory_mb: 512, vcpus: 1, root_gb: 5 },
  { flavorid: '3', name: 'm1.medium', memory_mb: 2048, vcpus: 2, root_gb: 10 },
  { flavorid: '4', name: 'm1.large', memory_mb: 4096, vcpus: 4, root_gb: 20 },
  { flavorid: '5', name: 'm1.xlarge', memory_mb: 8192, vcpus: 8, root_gb: 40 },
] as const;

/**
 * Creates the default flavors once: only when no flavor exists at all, so an operator who
 * deleted or replaced them does not get them back on the next start. Nodes starting together may
 * race: a flavor another node created first is left as it is. Returns the names this call created.
 */
export async function ensureDefaultFlavors(flavors: FlavorStore): Promise<string[]> {
  const existing = await flavors.list({ isAdmin: true }, { isPublic: null, hideDisabled: false, sortKey: 'flavorid', sortDir: 'asc', limit: 1 });
  if (existing.length > 0) return [];
  const created: string[] = [];
  for (const flavor of DEFAULT_FLAVORS) {
    try {
      await flavors.create(flavor);
      created.push(flavor.name);
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
    }
  }
  return created;
}
