/** get_console_output: the guest's serial log, or its last `length` lines. */
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers } from '../messages.js';
import type { OperationContext } from './operation-context.js';

export function consoleOutputOperation({ deps }: OperationContext): Pick<AgentHandlers, 'get_console_output'> {
  return {
    get_console_output: async ({ instanceUuid, length }) => {
      const instance = await deps.conductor.instanceGet(instanceUuid);
      if (!instance) throw new Error(`Instance ${instanceUuid} could not be found.`);
      const output = await deps.driver.getConsoleOutput(guestRef(instance));
      if (length === undefined) return output;
      const lines = output.replace(/\n$/, '').split('\n');
      return lines.length <= length ? output : `${lines.slice(lines.length - length).join('\n')}\n`;
    },
  };
}
