/** What every group of agent operations works with: the manager's dependencies and the action runner. */
import type { ComputeAgentApi } from '../rpc-api.js';
import type { ConductorClient } from '../../conductor/rpc-client.js';
import type { ComputeDriver } from '../../virt/driver.js';
import type { ComputeVolumeApi } from '../../volumes/volume-api.js';
import type { ImageAccess } from '../image-access.js';
import type { InstanceActionRunner } from '../instance-action-runner.js';
import type { InstanceEvents } from '../instance-events.js';
import type { InstanceNetwork } from '../../network/instance-network.js';
import type { HostFaults } from '../../faults/host-faults.js';

export interface ComputeManagerDeps {
  readonly host: string;
  readonly driver: ComputeDriver;
  readonly conductor: ConductorClient;
  readonly images: ImageAccess;
  /** The volume API (Cinder); absent on hosts configured without one, whose volume work then fails with a fault. */
  readonly volumes?: ComputeVolumeApi;
  /** Casts and calls to other hosts' agents (a resize's destination, a live migration's target). */
  readonly agents: ComputeAgentApi;
  /** Reports the host's resources now, after a guest appeared or went away. */
  readonly reportResources: () => Promise<void>;
  /** `[DEFAULT] shutdown_timeout`: seconds a clean stop waits for the guest (Nova: 60). */
  readonly shutdownTimeoutSeconds?: number;
  /** `[DEFAULT] shelved_offload_time`: seconds a shelved instance keeps its host (0: offloaded at once, -1: never). */
  readonly shelvedOffloadTimeSeconds?: number;
  /** `[DEFAULT] force_config_drive`: a build gives the guest a config drive even unasked. */
  readonly forceConfigDrive?: boolean;
  /** The instance's ports through the network API; absent on a host without one (no NICs). */
  readonly network?: InstanceNetwork;
  /** External events (Neutron's network-vif-plugged …) operations wait for. */
  readonly events: InstanceEvents;
  /** `[DEFAULT] vif_plugging_timeout`: seconds a build waits for network-vif-plugged (300; 0: no wait). */
  readonly vifPluggingTimeoutSeconds?: number;
  /** `[DEFAULT] vif_plugging_is_fatal`: a build whose ports are not plugged in time fails (true). */
  readonly vifPluggingIsFatal?: boolean;
  /** The failures injected into this host (/v2.1/nimbus/faults); absent: inject_fault and clear_fault change nothing. */
  readonly faults?: HostFaults;
}

export interface OperationContext {
  readonly deps: ComputeManagerDeps;
  readonly runner: InstanceActionRunner;
}

/** Nova's clean shutdown: ACPI for `shutdown_timeout` seconds (0 when not clean), a press every 10 s. */
export function powerOffOptions(deps: ComputeManagerDeps, clean: boolean): { timeoutSeconds: number; retryIntervalSeconds: number } {
  return { timeoutSeconds: clean ? (deps.shutdownTimeoutSeconds ?? 60) : 0, retryIntervalSeconds: 10 };
}
