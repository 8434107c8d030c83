/**
 * GET /v2.1/os-instance_usage_audit_log[/{before}]: how far each compute host got with the usage
 * audit of the last completed month. Nimbus runs no periodic usage audit, so no host has a task
 * log: every compute service is listed as not run, as Nova lists a host that never reported.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../../../common/errors/errors.js';
import type { ComputeAdmin } from '../../admin/compute-admin.js';
import { lastCompletedAuditPeriod, pythonDateTime } from '../../admin/audit-period.js';
import { COMPUTE_BINARY } from '../../agent/rpc-api.js';
import { authorize, type ComputeRouteDeps } from './route-deps.js';

const BeforeParams = Type.Object({ before: Type.String() });

/** Nova's `%Y-%m-%d %H:%M:%S[.%f]`, read as UTC; undefined when the text is not one. */
function parseBefore(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, Math.trunc(Number(`0.${match[7] ?? '0'}`) * 1000)));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 ? date : undefined;
}

export function instanceUsageAuditLogRoutes(deps: ComputeRouteDeps, admin: ComputeAdmin): FastifyPluginAsyncTypebox {
  const auditLog = async (before: Date) => {
    const { begin, end } = lastCompletedAuditPeriod(before);
    // Disabled compute services count: they can still hold instances.
    const hosts = [...new Set((await admin.services.list({ binary: COMPUTE_BINARY })).map(({ record }) => record.host))];
    return {
      period_beginning: pythonDateTime(begin),
      period_ending: pythonDateTime(end),
      num_hosts: hosts.length,
      num_hosts_done: 0,
      num_hosts_running: 0,
      num_hosts_not_run: hosts.length,
      hosts_not_run: hosts,
      total_instances: 0,
      total_errors: 0,
      overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${hosts.length}`} hosts done. 0 errors.`,
      log: {},
    };
  };
  return async (app) => {
    app.get('/v2.1/os-instance_usage_audit_log', async (request) => {
      authorize(deps, request, 'os_compute_api:os-instance-usage-audit-log:list', {});
      return { instance_usage_audit_logs: await auditLog(new Date()) };
    });

    app.get('/v2.1/os-instance_usage_audit_log/:before', { schema: { params: BeforeParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-instance-usage-audit-log:show', {});
      const before = parseBefore(request.params.before);
      if (before === undefined) throw new BadRequest(`Invalid timestamp for date ${request.params.before}`);
      return { instance_usage_audit_log: await auditLog(before) };
    });
  };
}
