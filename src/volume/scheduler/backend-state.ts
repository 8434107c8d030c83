/**
 * What the scheduler knows of each volume backend (Cinder's HostManager / BackendState): the
 * capabilities and capacity its volume service last reported over the bus, less what the
 * scheduler placed on it since (Cinder's consume_from_volume), until the next report.
 */
import type { BackendReport, PoolReport } from './rpc-api.js';

export interface BackendState {
  /** `host@backend#pool`: where volumes placed here live. */
  readonly name: string;
  /** `host@backend`: the volume service's topic server. */
  readonly backendHost: string;
  readonly volumeBackendName: string;
  readonly availabilityZone: string;
  readonly totalCapacityGb: number;
  readonly freeCapacityGb: number;
  readonly provisionedCapacityGb: number;
  readonly reservedPercentage: number;
  readonly maxOverSubscriptionRatio: number;
  readonly thinProvisioningSupport: boolean;
  readonly thickProvisioningSupport: boolean;
  /** Everything the backend reported, as the capabilities filter matches extra specs against it. */
  readonly capabilities: Readonly<Record<string, string | number | boolean>>;
  /** When the report arrived (ms since the epoch). */
  readonly reportedAt: number;
}

export function stateFromReport(report: BackendReport, now: number): BackendState {
  const name = `${report.backendHost}#${report.pool}`;
  return {
    name,
    backendHost: report.backendHost,
    volumeBackendName: report.capabilities.volume_backend_name,
    availabilityZone: report.availabilityZone,
    totalCapacityGb: report.capabilities.total_capacity_gb,
    freeCapacityGb: report.capabilities.free_capacity_gb,
    provisionedCapacityGb: report.capabilities.provisioned_capacity_gb,
    reservedPercentage: report.capabilities.reserved_percentage,
    maxOverSubscriptionRatio: report.capabilities.max_over_subscription_ratio,
    thinProvisioningSupport: report.capabilities.thin_provisioning_support,
    thickProvisioningSupport: report.capabilities.thick_provisioning_support,
    capabilities: report.capabilities,
    reportedAt: now,
  };
}

export interface BackendStateCacheOptions {
  /** A backend silent for longer is left out ([DEFAULT] service_down_time, 60 s). */
  readonly downTimeMs?: number;
  readonly now?: () => number;
}

export class BackendStateCache {
  readonly #states = new Map<string, BackendState>();
  readonly #downTimeMs: number;
  readonly #now: () => number;

  constructor(options: BackendStateCacheOptions = {}) {
    this.#downTimeMs = options.downTimeMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** A fresh report replaces what the scheduler consumed since the last one. */
  update(report: BackendReport): void {
    const state = stateFromReport(report, this.#now());
    this.#states.set(state.name, state);
  }

  /** The backends that reported within the down time. */
  live(): BackendState[] {
    const oldest = this.#now() - this.#downTimeMs;
    return [...this.#states.values()].filter((state) => state.reportedAt >= oldest);
  }

  /** The live backends' pools as reported, with what the scheduler consumed since and the report's time. */
  pools(): PoolReport[] {
    return this.live().map((state) => ({
      name: state.name,
      capabilities: {
        ...state.capabilities,
        free_capacity_gb: state.freeCapacityGb,
        provisioned_capacity_gb: state.provisionedCapacityGb,
        timestamp: new Date(state.reportedAt).toISOString(),
      },
    }));
  }

  /** Takes a placed volume's size off the backend's free space until its next report. */
  consume(name: string, sizeGb: number): void {
    const state = this.#states.get(name);
    if (state === undefined) return;
    this.#states.set(name, {
      ...state,
      freeCapacityGb: state.thinProvisioningSupport ? state.freeCapacityGb : state.freeCapacityGb - sizeGb,
      provisionedCapacityGb: state.provisionedCapacityGb + sizeGb,
    });
  }
}
