/**
 * inject_fault and clear_fault (/v2.1/nimbus/faults, a Nimbus extension): the API tells the host's
 * agent of an injection made or cleared; both pass a paused bus.
 */
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';

export function faultInjectionOperations({ deps }: OperationContext): Pick<AgentHandlers, 'inject_fault' | 'clear_fault'> {
  return {
    inject_fault: async ({ fault }) => {
      deps.faults?.add(fault);
    },
    clear_fault: async ({ id }) => {
      deps.faults?.clear(id);
    },
  };
}
