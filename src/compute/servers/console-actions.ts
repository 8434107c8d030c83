import { BadRequest } from '../../common/errors/errors.js';
import type { ConsoleAuth } from '../console/console-auth.js';
import { TaskState } from '../state/task-states.js';
import { hostOf, type ActionSupport } from './action-support.js';
import type { Server } from './server.js';

/** Task states in which a console is refused (Nova's reject_instance_state on get_vnc_console). */
const CONSOLE_BLOCKING_TASKS: readonly string[] = [TaskState.DELETING, TaskState.MIGRATING];
const CONSOLE_ALLOWED_TASKS = [null, ...Object.values(TaskState).filter((state) => !CONSOLE_BLOCKING_TASKS.includes(state))];

/**
 * Remote consoles (Nova's compute API get_vnc_console): the guest's host says where its VNC
 * server listens, and a one-time token for it goes into the URL the user gets. The console proxy
 * (console/novnc-proxy-site.ts) takes the token and connects.
 */
export class ConsoleActions {
  constructor(
    private readonly support: ActionSupport,
    private readonly auth: ConsoleAuth,
  ) {}

  /** A console URL for the server: 400 for a type other than novnc, 409 without a host or while deleting or migrating, 501 where the host's driver has no VNC. */
  async vncConsole(server: Server, consoleType: string): Promise<string> {
    // Nova's compute manager: novnc is the one VNC client type it still serves (xvpvnc went in Victoria).
    if (consoleType !== 'novnc') throw new BadRequest(`Invalid console type ${consoleType}`);
    const host = hostOf(server);
    const expected = { taskState: CONSOLE_ALLOWED_TASKS };
    await this.support.requireState(server, 'get_vnc_console', expected);
    await this.support.requireDriverSupport(server, 'get_vnc_console', expected);
    const address = await this.support.agents.call(host, 'get_vnc_console', { instanceUuid: server.row.uuid });
    return (await this.auth.authorize(server.row.uuid, consoleType, address)).url;
  }
}
