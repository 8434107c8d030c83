/**
 * ComputeCapabilitiesFilter: flavor extra specs in the `capabilities:` scope (and unscoped keys
 * naming a host attribute or stat) must match the host, with Nova's operators.
 */
import type { HostState } from '../host-state.js';
import { matchesExtraSpec } from '../../../common/scheduling/extra-specs-ops.js';
import { PASS, reject, type HostFilter } from './filter.js';

const SCOPE = 'capabilities';

/** The HostState attributes Nova lets a capability spec name directly. */
function hostAttribute(host: Readonly<HostState>, name: string): string | undefined {
  switch (name) {
    case 'host':
      return host.host;
    case 'nodename':
      return host.node;
    case 'hypervisor_type':
      return host.hypervisorType;
    case 'hypervisor_version':
      return String(host.hypervisorVersion);
    case 'vcpus_total':
      return String(host.vcpus);
    case 'vcpus_used':
      return String(host.vcpusUsed);
    case 'total_usable_ram_mb':
      return String(host.memoryMb);
    case 'free_ram_mb':
      return String(host.memoryMb - host.memoryMbUsed);
    case 'num_instances':
      return String(host.numInstances);
    default:
      return undefined;
  }
}

/** `cpu_info:arch`: a flat stat of that name, else a walk into a JSON-valued stat. */
function capability(host: Readonly<HostState>, path: readonly string[]): string | undefined {
  const flat = host.capabilities[path.join(':')] ?? (path.length === 1 ? hostAttribute(host, path[0] ?? '') : undefined);
  if (flat !== undefined || path.length === 1) return flat;
  const root = host.capabilities[path[0] ?? ''];
  if (root === undefined) return undefined;
  let node: unknown;
  try {
    node = JSON.parse(root);
  } catch {
    return undefined;
  }
  for (const step of path.slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
  return node === undefined || node === null ? undefined : JSON.stringify(node);
}

export const computeCapabilitiesFilter: HostFilter = {
  name: 'ComputeCapabilitiesFilter',
  runOnRebuild: false,
  runOncePerRequest: true,
  cost: 3,
  hostPasses(host, spec) {
    for (const [key, requirement] of Object.entries(spec.flavor.extraSpecs)) {
      const scope = key.split(':');
      if (scope.length === 1) {
        // Unscoped keys only count when they name something the host has (Nova's back-compat).
        if (hostAttribute(host, key) === undefined && !(key in host.capabilities)) continue;
      } else if (scope[0] !== SCOPE) {
        continue;
      } else {
        scope.shift();
      }
      const value = capability(host, scope);
      if (value === undefined) return reject(`${host.host} fails. There are no capabilities to retrieve for ${key}.`);
      if (!matchesExtraSpec(value, requirement)) {
        return reject(`${host.host} fails extra_spec requirements. '${requirement}' does not match '${value}'`);
      }
    }
    return PASS;
  },
};
