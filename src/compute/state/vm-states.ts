/** Nova's vm_state values (nova/compute/vm_states.py): the stable state an instance rests in. */
export const VmState = {
  ACTIVE: 'active',
  BUILDING: 'building',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  STOPPED: 'stopped',
  RESCUED: 'rescued',
  RESIZED: 'resized',
  SOFT_DELETED: 'soft-delete',
  DELETED: 'deleted',
  ERROR: 'error',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
} as const;

export type VmState = (typeof VmState)[keyof typeof VmState];

/** States a soft reboot is allowed from. */
export const ALLOW_SOFT_REBOOT: readonly VmState[] = [VmState.ACTIVE];

/** States a hard reboot is allowed from. */
export const ALLOW_HARD_REBOOT: readonly VmState[] = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED, VmState.ERROR];
