/**
 * The scheduler's in-memory view of every compute host (Nova's HostState / HostManager), updated
 * incrementally from compute reports, service changes, aggregate changes and claims. No DB here:
 * the scheduler service feeds this cache; filters only ever see `Readonly<HostState>`.
 *
 * One compute node per host (the libvirt/QEMU and fake drivers), so hosts are keyed by name.
 */
import type { HostResources } from '../virt/host-resources.js';
import type { Resources } from './resources.js';

/** Nova's initial_*_allocation_ratio defaults. */
export const DEFAULT_ALLOCATION_RATIOS: AllocationRatios = { cpu: 16.0, ram: 1.5, disk: 1.0 };
const DEFAULT_AVAILABILITY_ZONE = 'nova';
const DEFAULT_CELL_UUID = 'cell1';

export interface AllocationRatios {
  readonly cpu: number;
  readonly ram: number;
  readonly disk: number;
}

/** One `(architecture, hypervisor_type, vm_mode)` triple the node can run, as Nova reports it. */
export type SupportedInstance = readonly [architecture: string, hypervisorType: string, vmMode: string];

export interface AggregateRef {
  readonly id: number;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface Aggregate extends AggregateRef {
  readonly hosts: readonly string[];
}

/** A host's capacity and what is used of it, as the agents report it and the scheduler tracks it (localGbUsed may be fractional: swap is claimed in MB). */
export type NodeUsage = Pick<HostResources, 'vcpus' | 'vcpusUsed' | 'memoryMb' | 'memoryMbUsed' | 'localGb' | 'localGbUsed'>;

export interface HostState extends NodeUsage {
  readonly host: string;
  readonly node: string;
  readonly cellUuid: string;
  /** From the `availability_zone` metadata of the host's aggregates; the default zone if none. */
  readonly availabilityZones: readonly string[];
  readonly aggregates: readonly AggregateRef[];
  readonly serviceUp: boolean;
  readonly serviceDisabled: boolean;
  readonly disabledReason: string | null;
  readonly forcedDown: boolean;
  readonly cpuAllocationRatio: number;
  readonly ramAllocationRatio: number;
  readonly diskAllocationRatio: number;
  readonly hypervisorType: string;
  /** Nova's integer encoding: 8.2.0 → 8002000. */
  readonly hypervisorVersion: number;
  readonly supportedInstances: readonly SupportedInstance[];
  /** Host stats compared with `capabilities:` flavor extra specs. */
  readonly capabilities: Readonly<Record<string, string>>;
  readonly numInstances: number;
  /** Instances on the host: the last report's plus those claimed since. */
  readonly instances: ReadonlySet<string>;
}

/** What a compute agent's periodic resource audit reports (Nova's ComputeNode fields). */
export interface NodeReport extends NodeUsage {
  readonly host: string;
  readonly node?: string;
  readonly cellUuid?: string;
  readonly hypervisorType: string;
  readonly hypervisorVersion: number;
  readonly supportedInstances?: readonly SupportedInstance[];
  readonly capabilities?: Readonly<Record<string, string>>;
  readonly allocationRatios?: Partial<AllocationRatios>;
  readonly instanceUuids: readonly string[];
}

export interface ServiceStatus {
  readonly up?: boolean;
  readonly disabled?: boolean;
  readonly disabledReason?: string | null;
  readonly forcedDown?: boolean;
}

/** A resource claim as the cache records it; created by claims.ts. */
export interface HostClaim {
  readonly id: number;
  readonly host: string;
  readonly instanceUuid: string;
  /** Set for resize/migration claims, which are keyed by migration instead of instance. */
  readonly migrationId?: string;
  readonly resources: Resources;
}

export interface HostStateCacheOptions {
  readonly defaultAvailabilityZone?: string;
  readonly allocationRatios?: Partial<AllocationRatios>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface HostRecord {
  readonly state: Mutable<HostState>;
  /** The set `state.instances` exposes read-only. */
  readonly instances: Set<string>;
  reportedInstances: ReadonlySet<string>;
  reportedUsage: { vcpus: number; memoryMb: number; localGb: number };
  readonly claims: Map<string, HostClaim>;
}

export function claimKey(claim: Pick<HostClaim, 'instanceUuid' | 'migrationId'>): string {
  return claim.migrationId === undefined ? `instance:${claim.instanceUuid}` : `migration:${claim.migrationId}`;
}

/**
 * An instance claim stops counting once a report lists its instance: the report's usage includes
 * it from then on. A migration claim counts until released — the report cannot tell the resize's
 * new flavor from the old, and counting it twice for a while only errs on the safe side.
 */
function isAbsorbed(record: HostRecord, claim: HostClaim): boolean {
  return claim.migrationId === undefined && record.reportedInstances.has(claim.instanceUuid);
}

const NO_SERVICE_INFO: Required<ServiceStatus> = { up: true, disabled: false, disabledReason: null, forcedDown: false };

export class HostStateCache {
  readonly #defaultAz: string;
  readonly #ratios: AllocationRatios;
  readonly #records = new Map<string, HostRecord>();
  /** Dense list in insertion order, so a decision iterates without allocating. */
  readonly #list: HostState[] = [];
  readonly #services = new Map<string, Required<ServiceStatus>>();
  readonly #aggregates = new Map<number, Aggregate>();
  /** Host name → ids of the aggregates it belongs to, so a change touches only its members. */
  readonly #memberships = new Map<string, Set<number>>();

  constructor(options: HostStateCacheOptions = {}) {
    this.#defaultAz = options.defaultAvailabilityZone ?? DEFAULT_AVAILABILITY_ZONE;
    this.#ratios = { ...DEFAULT_ALLOCATION_RATIOS, ...options.allocationRatios };
  }

  get size(): number {
    return this.#list.length;
  }

  get defaultAvailabilityZone(): string {
    return this.#defaultAz;
  }

  /** Every known host; the array is live and must not be held across updates. */
  hosts(): readonly HostState[] {
    return this.#list;
  }

  get(host: string): Readonly<HostState> | undefined {
    return this.#records.get(host)?.state;
  }

  /** Applies a compute node report: inventory and reported usage replace the old ones. */
  upsertNode(report: NodeReport): Readonly<HostState> {
    const ratios = { ...this.#ratios, ...report.allocationRatios };
    let record = this.#records.get(report.host);
    if (!record) {
      record = this.#newRecord(report.host);
      this.#records.set(report.host, record);
      this.#list.push(record.state);
    }
    const state = record.state;
    state.node = report.node ?? report.host;
    state.cellUuid = report.cellUuid ?? DEFAULT_CELL_UUID;
    state.vcpus = report.vcpus;
    state.memoryMb = report.memoryMb;
    state.localGb = report.localGb;
    state.cpuAllocationRatio = ratios.cpu;
    state.ramAllocationRatio = ratios.ram;
    state.diskAllocationRatio = ratios.disk;
    state.hypervisorType = report.hypervisorType;
    state.hypervisorVersion = report.hypervisorVersion;
    state.supportedInstances = report.supportedInstances ?? [];
    state.capabilities = report.capabilities ?? {};
    record.reportedInstances = new Set(report.instanceUuids);
    record.reportedUsage = { vcpus: report.vcpusUsed, memoryMb: report.memoryMbUsed, localGb: report.localGbUsed };
    this.#recount(record);
    return state;
  }

  removeHost(host: string): boolean {
    const record = this.#records.get(host);
    if (!record) return false;
    this.#records.delete(host);
    const index = this.#list.indexOf(record.state);
    const last = this.#list.pop();
    if (last && last !== record.state) this.#list[index] = last;
    return true;
  }

  /** Records the nova-compute service's state for `host` (heartbeats, enable/disable, force-down). */
  markService(host: string, status: ServiceStatus): void {
    const merged = { ...(this.#services.get(host) ?? NO_SERVICE_INFO), ...status };
    if (status.disabled === false && status.disabledReason === undefined) merged.disabledReason = null;
    this.#services.set(host, merged);
    const record = this.#records.get(host);
    if (record) this.#applyService(record);
  }

  /** Creates or replaces an aggregate; hosts that joined or left it are updated. */
  upsertAggregate(aggregate: Aggregate): void {
    const before = this.#aggregates.get(aggregate.id)?.hosts ?? [];
    for (const host of before) this.#memberships.get(host)?.delete(aggregate.id);
    this.#aggregates.set(aggregate.id, { ...aggregate, hosts: [...aggregate.hosts] });
    for (const host of aggregate.hosts) {
      const ids = this.#memberships.get(host) ?? new Set<number>();
      ids.add(aggregate.id);
      this.#memberships.set(host, ids);
    }
    this.#refreshAggregates(new Set([...before, ...aggregate.hosts]));
  }

  removeAggregate(id: number): void {
    const before = this.#aggregates.get(id);
    if (!before) return;
    this.#aggregates.delete(id);
    for (const host of before.hosts) this.#memberships.get(host)?.delete(id);
    this.#refreshAggregates(new Set(before.hosts));
  }

  /**
   * Records a claim without checking that it fits: claims.ts checks and applies in one
   * synchronous step. Throws if the host is unknown or already holds a claim under the same key.
   */
  applyClaim(claim: HostClaim): void {
    const record = this.#records.get(claim.host);
    if (!record) throw new Error(`Unknown compute host ${claim.host}`);
    const key = claimKey(claim);
    if (record.claims.has(key)) throw new Error(`Host ${claim.host} already holds a claim for ${key}`);
    record.claims.set(key, claim);
    record.instances.add(claim.instanceUuid);
    if (!isAbsorbed(record, claim)) this.#addUsage(record, claim.resources, 1);
    record.state.numInstances = record.instances.size;
  }

  /** Removes exactly this claim; false when it is not (or no longer) held. */
  releaseClaim(claim: HostClaim): boolean {
    const record = this.#records.get(claim.host);
    const key = claimKey(claim);
    if (record?.claims.get(key)?.id !== claim.id) return false;
    record.claims.delete(key);
    if (!isAbsorbed(record, claim)) this.#addUsage(record, claim.resources, -1);
    const stillClaimed = [...record.claims.values()].some((other) => other.instanceUuid === claim.instanceUuid);
    if (!stillClaimed && !record.reportedInstances.has(claim.instanceUuid)) record.instances.delete(claim.instanceUuid);
    record.state.numInstances = record.instances.size;
    return true;
  }

  hasClaim(host: string, key: string): boolean {
    return this.#records.get(host)?.claims.has(key) ?? false;
  }

  claimsOn(host: string): readonly HostClaim[] {
    return [...(this.#records.get(host)?.claims.values() ?? [])];
  }

  #newRecord(host: string): HostRecord {
    const instances = new Set<string>();
    const state: Mutable<HostState> = {
      host,
      node: host,
      cellUuid: DEFAULT_CELL_UUID,
      availabilityZones: [this.#defaultAz],
      aggregates: [],
      serviceUp: true,
      serviceDisabled: false,
      disabledReason: null,
      forcedDown: false,
      vcpus: 0,
      vcpusUsed: 0,
      memoryMb: 0,
      memoryMbUsed: 0,
      localGb: 0,
      localGbUsed: 0,
      cpuAllocationRatio: this.#ratios.cpu,
      ramAllocationRatio: this.#ratios.ram,
      diskAllocationRatio: this.#ratios.disk,
      hypervisorType: '',
      hypervisorVersion: 0,
      supportedInstances: [],
      capabilities: {},
      numInstances: 0,
      instances,
    };
    const record: HostRecord = {
      state,
      instances,
      reportedInstances: new Set(),
      reportedUsage: { vcpus: 0, memoryMb: 0, localGb: 0 },
      claims: new Map(),
    };
    this.#applyService(record);
    this.#applyAggregates(record);
    return record;
  }

  /** Usage = reported usage + claims the report does not include yet. */
  #recount(record: HostRecord): void {
    const { state, reportedUsage } = record;
    state.vcpusUsed = reportedUsage.vcpus;
    state.memoryMbUsed = reportedUsage.memoryMb;
    state.localGbUsed = reportedUsage.localGb;
    record.instances.clear();
    for (const uuid of record.reportedInstances) record.instances.add(uuid);
    for (const claim of record.claims.values()) {
      record.instances.add(claim.instanceUuid);
      if (!isAbsorbed(record, claim)) this.#addUsage(record, claim.resources, 1);
    }
    state.numInstances = record.instances.size;
  }

  #addUsage(record: HostRecord, resources: Resources, sign: 1 | -1): void {
    const state = record.state;
    state.vcpusUsed += sign * resources.vcpus;
    state.memoryMbUsed += sign * resources.memoryMb;
    // MB / 1024 is exact in binary floating point, so claims and releases cancel out exactly.
    state.localGbUsed += (sign * resources.diskMb) / 1024;
  }

  #applyService(record: HostRecord): void {
    const service = this.#services.get(record.state.host) ?? NO_SERVICE_INFO;
    record.state.serviceUp = service.up;
    record.state.serviceDisabled = service.disabled;
    record.state.disabledReason = service.disabledReason;
    record.state.forcedDown = service.forcedDown;
  }

  #refreshAggregates(hosts: ReadonlySet<string>): void {
    for (const host of hosts) {
      const record = this.#records.get(host);
      if (record) this.#applyAggregates(record);
    }
  }

  #applyAggregates(record: HostRecord): void {
    const refs: AggregateRef[] = [];
    const zones: string[] = [];
    for (const id of this.#memberships.get(record.state.host) ?? []) {
      const aggregate = this.#aggregates.get(id);
      if (!aggregate) continue;
      refs.push({ id: aggregate.id, name: aggregate.name, metadata: aggregate.metadata });
      const zone = aggregate.metadata['availability_zone'];
      if (zone !== undefined && !zones.includes(zone)) zones.push(zone);
    }
    record.state.aggregates = refs;
    record.state.availabilityZones = zones.length > 0 ? zones : [this.#defaultAz];
  }
}
