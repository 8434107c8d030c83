/**
 * Power states as the hypervisor reports them (Nova's `nova/compute/power_state.py`). The
 * hypervisor is the authority: the stored power_state is a snapshot of what `getInfo()` last
 * said, refreshed by the agent's periodic sync and at the end of each task. The numbers are
 * Nova's, because the API returns them as `OS-EXT-STS:power_state`; 2 and 5 are unused there too.
 */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;

export type PowerState = (typeof PowerState)[keyof typeof PowerState];

/** Nova's names for each state (`InstancePowerState`), used in logs and error messages. */
export const POWER_STATE_NAMES: Readonly<Record<PowerState, string>> = {
  [PowerState.NOSTATE]: 'pending',
  [PowerState.RUNNING]: 'running',
  [PowerState.PAUSED]: 'paused',
  [PowerState.SHUTDOWN]: 'shutdown',
  [PowerState.CRASHED]: 'crashed',
  [PowerState.SUSPENDED]: 'suspended',
};

export function powerStateName(state: PowerState): string {
  return POWER_STATE_NAMES[state];
}
