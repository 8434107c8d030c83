/**
 * Nova's last_completed_audit_period for its default `instance_usage_audit_period` (month): the
 * whole calendar month (UTC) that ended last before `before`.
 */
export interface AuditPeriod {
  readonly begin: Date;
  readonly end: Date;
}

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));

export function lastCompletedAuditPeriod(before: Date): AuditPeriod {
  let end = monthStart(before.getUTCFullYear(), before.getUTCMonth());
  // A period ends only once its last instant has passed.
  if (end.getTime() >= before.getTime()) end = monthStart(end.getUTCFullYear(), end.getUTCMonth() - 1);
  return { begin: monthStart(end.getUTCFullYear(), end.getUTCMonth() - 1), end };
}

/** A date as Python's str(datetime) prints it: `2026-11-01 00:00:00`. */
export function pythonDateTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');
}
