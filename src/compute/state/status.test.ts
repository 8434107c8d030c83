import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { statesFromStatus, statusFromState } from './status.js';

describe('server status from vm_state and task_state (Nova _STATE_MAP)', () => {
  test('defaults and task overrides', () => {
    const cases: [string, string | null, string][] = [
      ['active', null, 'ACTIVE'],
      ['active', 'rebooting', 'REBOOT'],
      ['active', 'reboot_started_hard', 'HARD_REBOOT'],
      ['active', 'rebuild_spawning', 'REBUILD'],
      ['active', 'resize_prep', 'RESIZE'],
      ['active', 'migrating', 'MIGRATING'],
      ['active', 'powering-off', 'ACTIVE'],
      ['building', 'spawning', 'BUILD'],
      ['stopped', null, 'SHUTOFF'],
      ['stopped', 'resize_finish', 'RESIZE'],
      ['resized', null, 'VERIFY_RESIZE'],
      ['resized', 'resize_reverting', 'REVERT_RESIZE'],
      ['paused', 'migrating', 'MIGRATING'],
      ['rescued', null, 'RESCUE'],
      ['error', 'rebuilding', 'REBUILD'],
      ['error', 'deleting', 'ERROR'],
      ['soft-delete', null, 'SOFT_DELETED'],
      ['shelved_offloaded', 'unshelving', 'SHELVED_OFFLOADED'],
      ['bogus', null, 'UNKNOWN'],
    ];
    for (const [vm, task, status] of cases) assert.equal(statusFromState(vm, task), status, `${vm}/${String(task)}`);
  });

  test('reverse mapping for the status filter', () => {
    assert.deepEqual(statesFromStatus(['active']), { vmStates: ['active'] }, 'a default status puts no constraint on the task');
    assert.deepEqual(statesFromStatus(['HARD_REBOOT']), {
      vmStates: ['active'],
      taskStates: ['reboot_pending_hard', 'reboot_started_hard', 'rebooting_hard'],
    });
    assert.deepEqual(statesFromStatus(['REBUILD']).vmStates, ['active', 'error', 'stopped']);
    assert.deepEqual(statesFromStatus(['SHUTOFF', 'PAUSED']), { vmStates: ['paused', 'stopped'] });
    assert.deepEqual(statesFromStatus(['nonsense']), { vmStates: [], taskStates: [] });
  });
});
