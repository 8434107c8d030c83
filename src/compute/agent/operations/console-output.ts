/** get_console_output: the guest's serial log, or its last `length` lines. */
import { requireCapability } from '../../virt/capabilities.js';
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers } from '../rpc-api.js';
import type { OperationContext } from './operation-context.js';

export function consoleOutputOperation({ deps }: OperationContext): Pick<AgentHandlers, 'get_console_output'> {
  return {
    get_console_output: async ({ instanceUuid, length }) => {
      // A call: the host's own 501 reaches the caller, who has not changed anything.
      requireCapability(deps.driver.capabilities, 'supportsConsoleOutput');
      const instance = await deps.conductor.instanceGet(instanceUuid);
      if (!instance) throw new Error(`Instance ${instanceUuid} could not be found.`);
      const output = await deps.driver.getConsoleOutput(guestRef(instance));
      if (length === undefined) return output;
      if (length === 0) return '';
      // Exactly `length` lines, as Tempest counts them (split on newlines): no trailing newline.
      return output.replace(/\n$/, '').split('\n').slice(-length).join('\n');
    },
  };
}
