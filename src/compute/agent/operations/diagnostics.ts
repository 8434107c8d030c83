/** get_diagnostics: a running guest's figures from the driver (a guest in another power state is a 409). */
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';

export function diagnosticsOperation({ deps }: OperationContext): Pick<AgentHandlers, 'get_diagnostics'> {
  return {
    get_diagnostics: async ({ instanceUuid }) => {
      const instance = await deps.conductor.instanceGet(instanceUuid);
      if (!instance) throw new Error(`Instance ${instanceUuid} could not be found.`);
      return deps.driver.getDiagnostics(guestRef(instance));
    },
  };
}
