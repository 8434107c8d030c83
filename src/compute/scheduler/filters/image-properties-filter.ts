/**
 * ImagePropertiesFilter: the image's architecture, hypervisor type and VM mode must appear in one
 * of the host's supported_instances, and its img_hv_requested_version must match the hypervisor.
 */
import type { HostState } from '../host-state.js';
import type { RequestSpec } from '../request-spec.js';
import { PASS, reject, type HostFilter } from './filter.js';

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  i386: 'i686',
  i486: 'i686',
  i586: 'i686',
  x86_32: 'i686',
  x86_32p: 'i686',
  amd64: 'x86_64',
};
const HV_ALIASES: Readonly<Record<string, string>> = { xapi: 'xen' };
const VM_MODE_ALIASES: Readonly<Record<string, string>> = { pv: 'xen', hv: 'hvm', baremetal: 'hvm' };

function canonical(value: string | undefined, aliases: Readonly<Record<string, string>>): string | undefined {
  if (value === undefined || value === '') return undefined;
  const lower = value.toLowerCase();
  return aliases[lower] ?? lower;
}

/** Nova's integer hypervisor version (8002000) as dotted parts ([8, 2, 0]). */
function versionParts(encoded: number): number[] {
  return [Math.floor(encoded / 1_000_000), Math.floor(encoded / 1000) % 1000, encoded % 1000];
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const VERSION_OPS: Readonly<Record<string, (cmp: number) => boolean>> = {
  '>=': (c) => c >= 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '<': (c) => c < 0,
  '==': (c) => c === 0,
  '!=': (c) => c !== 0,
};

/** `">=6.0, <7"` against the host's version; an unparsable clause fails the host. */
function satisfiesVersion(hostVersion: number, predicate: string): boolean {
  const host = versionParts(hostVersion);
  return predicate.split(',').every((clause) => {
    const match = /^\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)*)\s*$/.exec(clause);
    const test = match ? VERSION_OPS[match[1] ?? ''] : undefined;
    if (!match || !test) return false;
    return test(compareVersions(host, (match[2] ?? '').split('.').map(Number)));
  });
}

function requestedProps(spec: Readonly<RequestSpec>): (string | undefined)[] {
  const props = spec.image.properties;
  return [
    canonical(props['hw_architecture'] ?? props['architecture'], ARCH_ALIASES),
    canonical(props['img_hv_type'] ?? props['hypervisor_type'], HV_ALIASES),
    canonical(props['hw_vm_mode'] ?? props['vm_mode'], VM_MODE_ALIASES),
  ];
}

function supports(host: Readonly<HostState>, wanted: readonly (string | undefined)[]): boolean {
  // Nova checks membership in the triple, not position.
  return host.supportedInstances.some((triple) => wanted.every((prop) => prop === undefined || triple.includes(prop)));
}

export const imagePropertiesFilter: HostFilter = {
  name: 'ImagePropertiesFilter',
  runOnRebuild: true,
  runOncePerRequest: true,
  cost: 3,
  hostPasses(host, spec) {
    const wanted = requestedProps(spec);
    const version = spec.image.properties['img_hv_requested_version'];
    if (wanted.every((prop) => prop === undefined)) return PASS;
    if (host.supportedInstances.length === 0) {
      return reject(`${host.host} advertises no supported_instances for image properties ${wanted.filter(Boolean).join(', ')}`);
    }
    if (!supports(host, wanted)) {
      return reject(`${host.host} supports none of ${wanted.map((p) => p ?? '*').join('/')}`);
    }
    if (version && host.hypervisorVersion && !satisfiesVersion(host.hypervisorVersion, version)) {
      return reject(`${host.host} hypervisor version ${versionParts(host.hypervisorVersion).join('.')} does not satisfy ${version}`);
    }
    return PASS;
  },
};
