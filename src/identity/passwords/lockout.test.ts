import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lockoutState } from './lockout.js';

const lastFailedAt = new Date('2026-11-23T10:00:00.000Z');
const after = (seconds: number): Date => new Date(lastFailedAt.getTime() + seconds * 1000);

describe('lockoutState', () => {
  test('without failure_attempts nobody is ever locked', () => {
    assert.equal(lockoutState({}, { count: 1000, lastFailedAt }, after(0)), 'unlocked');
    assert.equal(lockoutState({ failureAttempts: 0, durationSeconds: 60 }, { count: 1000, lastFailedAt }, after(0)), 'unlocked');
  });

  test('locks at the configured number of failures, not before', () => {
    const policy = { failureAttempts: 3, durationSeconds: 60 };
    assert.equal(lockoutState(policy, { count: 0, lastFailedAt: null }, after(0)), 'unlocked');
    assert.equal(lockoutState(policy, { count: 2, lastFailedAt }, after(0)), 'unlocked');
    assert.equal(lockoutState(policy, { count: 3, lastFailedAt }, after(0)), 'locked');
    assert.equal(lockoutState(policy, { count: 7, lastFailedAt }, after(59.999)), 'locked');
  });

  test('a lock with a duration expires that long after the last failure', () => {
    const policy = { failureAttempts: 3, durationSeconds: 60 };
    assert.equal(lockoutState(policy, { count: 3, lastFailedAt }, after(60)), 'lock-expired');
    assert.equal(lockoutState(policy, { count: 3, lastFailedAt }, after(3600)), 'lock-expired');
  });

  test('without a duration the lock lasts until an administrator resets the count', () => {
    assert.equal(lockoutState({ failureAttempts: 3 }, { count: 3, lastFailedAt }, after(10 ** 9)), 'locked');
  });
});
