/** get_vnc_console: where the guest's VNC server listens on this host (the API makes the token). */
import { requireCapability } from '../../virt/capabilities.js';
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';

export function vncConsoleOperation({ deps }: OperationContext): Pick<AgentHandlers, 'get_vnc_console'> {
  return {
    get_vnc_console: async ({ instanceUuid }) => {
      // A call: the host's own 501 reaches the caller, who has not changed anything.
      requireCapability(deps.driver.capabilities, 'supportsVncConsole');
      const instance = await deps.conductor.instanceGet(instanceUuid);
      if (!instance) throw new Error(`Instance ${instanceUuid} could not be found.`);
      return deps.driver.getVncConsole(guestRef(instance));
    },
  };
}
