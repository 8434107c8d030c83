/** Fault injections as `nimbus fault list` and `nimbus status` print them. */
import { table } from './text-table.js';

/** An injection as /v2.1/nimbus/faults answers it. */
export interface FaultView {
  readonly id: string;
  readonly host: string;
  readonly kind: string;
  readonly operation: string | null;
  readonly instance: string | null;
  readonly delay_ms: number | null;
  readonly remaining: number | null;
  readonly expires_at: string | null;
}

export function faultTable(faults: readonly FaultView[]): string {
  const rows = [['fault', 'host', 'kind', 'operation', 'instance', 'delay ms', 'left', 'until']];
  for (const fault of faults) {
    rows.push([
      fault.id,
      fault.host,
      fault.kind,
      fault.operation ?? '*',
      fault.instance ?? '*',
      fault.delay_ms === null ? '-' : String(fault.delay_ms),
      fault.remaining === null ? '-' : String(fault.remaining),
      fault.expires_at ?? '-',
    ]);
  }
  return table(rows);
}
