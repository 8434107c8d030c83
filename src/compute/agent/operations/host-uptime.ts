/**
 * get_host_uptime: the host's `uptime` line, as Nova's libvirt driver runs it (`env LANG=C uptime`),
 * for os-hypervisors/{id}/uptime. Every driver's host is this machine, so the agent answers it.
 */
import { runCommand } from '../../../common/process/run-command.js';
import type { AgentHandlers } from '../rpc-api.js';

export function hostUptimeOperation(): Pick<AgentHandlers, 'get_host_uptime'> {
  return {
    get_host_uptime: async () => (await runCommand('env', ['LANG=C', 'uptime'])).trimEnd(),
  };
}
