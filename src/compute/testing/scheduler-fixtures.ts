/** Builders shared by the scheduler's tests and bench: a node report and a request spec with defaults. */
import type { NodeReport } from '../scheduler/host-state.js';
import type { FlavorResources, RequestSpec } from '../scheduler/request-spec.js';

export function nodeReport(host: string, overrides: Partial<NodeReport> = {}): NodeReport {
  return {
    host,
    vcpus: 8,
    vcpusUsed: 0,
    memoryMb: 16_384,
    memoryMbUsed: 0,
    localGb: 100,
    localGbUsed: 0,
    hypervisorType: 'QEMU',
    hypervisorVersion: 8_002_000,
    supportedInstances: [['x86_64', 'qemu', 'hvm']],
    instanceUuids: [],
    ...overrides,
  };
}

export function flavor(overrides: Partial<FlavorResources> = {}): FlavorResources {
  return { vcpus: 1, memoryMb: 1024, rootGb: 10, ephemeralGb: 0, swapMb: 0, extraSpecs: {}, ...overrides };
}

export function requestSpec(overrides: Partial<RequestSpec> = {}): RequestSpec {
  return {
    instanceUuid: 'inst-1',
    instanceUuids: ['inst-1'],
    numInstances: 1,
    flavor: flavor(),
    image: { id: 'img-1', properties: {} },
    schedulerHints: {},
    ...overrides,
  };
}
