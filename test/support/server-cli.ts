/** `openstack server …` conveniences over a cloud's CLI personas, by server name as a user types them. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Persona } from './compute-cloud.js';
import { openstackJson, openstackOk, type CliResult, type OpenstackEnv } from './openstack-cli.js';

export type CliServer = Record<string, unknown>;

export interface ServerCli {
  show(env: OpenstackEnv, server: string): Promise<CliServer>;
  /** The admin sees admin-only fields; as with Nova, an admin finds another project's server by id, not by name. */
  adminShow(server: string): Promise<CliServer>;
  /** Polls demo's `server show` until the status is reached (the CLI's own --wait polls only every 5 s). */
  waitForStatus(server: string, status: string): Promise<CliServer>;
  /** `server create --wait` of cirros on m1.tiny. */
  boot(env: OpenstackEnv, name: string, extra?: readonly string[]): Promise<CliServer>;
  /** Runs the command and asserts it succeeded. */
  ok(env: OpenstackEnv, args: readonly string[]): Promise<CliResult>;
}

export function serverCli(cli: Readonly<Record<Persona, OpenstackEnv>>): ServerCli {
  const show = (env: OpenstackEnv, server: string) => openstackJson<CliServer>(env, ['server', 'show', server]);
  return {
    show,
    adminShow: async (server) => show(cli.admin, String((await show(cli.demo, server))['id'])),
    async waitForStatus(server, status) {
      for (let attempt = 0; attempt < 150; attempt += 1) {
        const shown = await show(cli.demo, server);
        if (shown['status'] === status) return shown;
        if (shown['status'] === 'ERROR' && status !== 'ERROR') throw new Error(`${server} went to ERROR: ${JSON.stringify(shown['fault'])}`);
        await sleep(200);
      }
      throw new Error(`${server} never reached ${status}`);
    },
    boot: (env, name, extra = []) => openstackJson<CliServer>(env, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', ...extra, '--wait', name]),
    ok: openstackOk,
  };
}
