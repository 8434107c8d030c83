/**
 * Keystone's account lockout (`[security_compliance] lockout_failure_attempts` and
 * `lockout_duration`) as a pure decision; the caller keeps the counter on the user.
 */
export interface LockoutPolicy {
  /** Failed logins in a row that lock the account; 0 or absent disables lockout. */
  readonly failureAttempts?: number;
  /** Seconds a lock lasts after the last failure; 0 or absent locks until an administrator unlocks. */
  readonly durationSeconds?: number;
}

export interface FailedLogins {
  /** Consecutive failed password checks; a success resets it to 0. */
  readonly count: number;
  readonly lastFailedAt: Date | null;
}

/**
 * - `unlocked`: check the password (a failure adds one to the count, a success resets it);
 * - `locked`: refuse without checking the password, even a correct one (Keystone's AccountLocked, 401);
 * - `lock-expired`: the lock has run its course: reset the count to 0, then proceed as unlocked.
 */
export type LockoutState = 'unlocked' | 'locked' | 'lock-expired';

export function lockoutState(policy: LockoutPolicy, failures: FailedLogins, now: Date): LockoutState {
  const attempts = policy.failureAttempts ?? 0;
  if (attempts <= 0 || failures.count < attempts) return 'unlocked';
  const duration = policy.durationSeconds ?? 0;
  if (duration <= 0 || failures.lastFailedAt === null) return 'locked';
  return failures.lastFailedAt.getTime() + duration * 1000 > now.getTime() ? 'locked' : 'lock-expired';
}
