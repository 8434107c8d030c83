import type { RequestContext } from '../context/request-context.js';

export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];

export interface LogRecord {
  readonly time: Date;
  readonly pid: number;
  readonly level: Level;
  readonly module: string;
  readonly context: RequestContext | undefined;
  readonly instance: string | undefined;
  readonly message: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-11-22 10:04:05.123`, local time, as oslo.log prints it. */
export function formatTimestamp(t: Date): string {
  return (
    `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ` +
    `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`
  );
}

/** oslo.log's `[global_request_id request_id user project]` block, or `[-]` outside a request. */
export function formatContext(context: RequestContext | undefined): string {
  if (!context) return '[-]';
  const ids = context.globalRequestId ? `${context.globalRequestId} ${context.requestId}` : context.requestId;
  return `[${ids} ${context.userId ?? '-'} ${context.projectId ?? '-'}]`;
}

/**
 * One record as OpenStack services write it:
 * `<timestamp> <pid> <LEVEL> <module> [<request-id> <user> <project>] [instance: <uuid>] <message>`.
 * A multi-line message (a traceback) repeats the prefix on every line, so grep keeps working.
 */
export function formatRecord(record: LogRecord): string {
  const instance = record.instance ? `[instance: ${record.instance}] ` : '';
  const prefix =
    `${formatTimestamp(record.time)} ${record.pid} ${record.level} ${record.module} ` +
    `${formatContext(record.context)} ${instance}`;
  return record.message
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
