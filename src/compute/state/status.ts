import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

/** The `status` a server shows (Nova's API statuses). */
export type ServerStatus =
  | 'ACTIVE'
  | 'BUILD'
  | 'REBOOT'
  | 'HARD_REBOOT'
  | 'PASSWORD'
  | 'REBUILD'
  | 'MIGRATING'
  | 'RESIZE'
  | 'VERIFY_RESIZE'
  | 'REVERT_RESIZE'
  | 'SHUTOFF'
  | 'PAUSED'
  | 'SUSPENDED'
  | 'RESCUE'
  | 'ERROR'
  | 'DELETED'
  | 'SOFT_DELETED'
  | 'SHELVED'
  | 'SHELVED_OFFLOADED'
  | 'UNKNOWN';

interface TaskMap {
  readonly default: ServerStatus;
  readonly byTask?: Partial<Readonly<Record<TaskState, ServerStatus>>>;
}

const REBUILD = {
  [TaskState.REBUILDING]: 'REBUILD',
  [TaskState.REBUILD_BLOCK_DEVICE_MAPPING]: 'REBUILD',
  [TaskState.REBUILD_SPAWNING]: 'REBUILD',
} as const;

const RESIZE = {
  [TaskState.RESIZE_PREP]: 'RESIZE',
  [TaskState.RESIZE_MIGRATING]: 'RESIZE',
  [TaskState.RESIZE_MIGRATED]: 'RESIZE',
  [TaskState.RESIZE_FINISH]: 'RESIZE',
} as const;

/** Nova's _STATE_MAP (nova/api/openstack/common.py): (vm_state, task_state) → status. */
const STATE_MAP: Readonly<Record<VmState, TaskMap>> = {
  [VmState.ACTIVE]: {
    default: 'ACTIVE',
    byTask: {
      [TaskState.REBOOTING]: 'REBOOT',
      [TaskState.REBOOT_PENDING]: 'REBOOT',
      [TaskState.REBOOT_STARTED]: 'REBOOT',
      [TaskState.REBOOTING_HARD]: 'HARD_REBOOT',
      [TaskState.REBOOT_PENDING_HARD]: 'HARD_REBOOT',
      [TaskState.REBOOT_STARTED_HARD]: 'HARD_REBOOT',
      [TaskState.UPDATING_PASSWORD]: 'PASSWORD',
      [TaskState.MIGRATING]: 'MIGRATING',
      ...REBUILD,
      ...RESIZE,
    },
  },
  [VmState.BUILDING]: { default: 'BUILD' },
  [VmState.STOPPED]: { default: 'SHUTOFF', byTask: { ...RESIZE, ...REBUILD } },
  [VmState.RESIZED]: { default: 'VERIFY_RESIZE', byTask: { [TaskState.RESIZE_REVERTING]: 'REVERT_RESIZE' } },
  [VmState.PAUSED]: { default: 'PAUSED', byTask: { [TaskState.MIGRATING]: 'MIGRATING' } },
  [VmState.SUSPENDED]: { default: 'SUSPENDED' },
  [VmState.RESCUED]: { default: 'RESCUE' },
  [VmState.ERROR]: { default: 'ERROR', byTask: REBUILD },
  [VmState.DELETED]: { default: 'DELETED' },
  [VmState.SOFT_DELETED]: { default: 'SOFT_DELETED' },
  [VmState.SHELVED]: { default: 'SHELVED' },
  [VmState.SHELVED_OFFLOADED]: { default: 'SHELVED_OFFLOADED' },
};

/** The API status of an instance; an unknown vm_state (a corrupt row) is UNKNOWN, as in Nova. */
export function statusFromState(vmState: string, taskState: string | null): ServerStatus {
  const map = (STATE_MAP as Readonly<Record<string, TaskMap | undefined>>)[vmState];
  if (map === undefined) return 'UNKNOWN';
  const byTask = map.byTask as Readonly<Record<string, ServerStatus | undefined>> | undefined;
  return (taskState === null ? undefined : byTask?.[taskState]) ?? map.default;
}

/** What a `status` list filter matches, as Nova's task_and_vm_state_from_status reads its map. */
export interface StateFilter {
  readonly vmStates: readonly VmState[];
  /** Task states to match; undefined when any task state matches (a default status). */
  readonly taskStates?: readonly TaskState[];
}

/**
 * The vm_states and task_states whose mapping yields any of `statuses` (case-insensitive).
 * Like Nova, a default status adds its vm_state with no task-state restriction; a task-driven
 * status adds the vm_states and task states it comes from. Unknown statuses match nothing.
 */
export function statesFromStatus(statuses: readonly string[]): StateFilter {
  const wanted = new Set(statuses.map((status) => status.toUpperCase()));
  const vmStates = new Set<VmState>();
  const taskStates = new Set<TaskState>();
  let anyTask = false;
  for (const [vmState, map] of Object.entries(STATE_MAP) as [VmState, TaskMap][]) {
    if (wanted.has(map.default)) {
      vmStates.add(vmState);
      anyTask = true;
    }
    for (const [taskState, status] of Object.entries(map.byTask ?? {}) as [TaskState, ServerStatus][]) {
      if (!wanted.has(status)) continue;
      vmStates.add(vmState);
      taskStates.add(taskState);
    }
  }
  return anyTask ? { vmStates: [...vmStates].sort() } : { vmStates: [...vmStates].sort(), taskStates: [...taskStates].sort() };
}
