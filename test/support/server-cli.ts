/** `openstack server …` conveniences over a cloud's CLI personas, by server name as a user types them. */
import type { Persona } from './compute-cloud.js';
import { openstackJson, openstackOk, type CliResult, type OpenstackEnv } from './openstack-cli.js';
import { openstackRest, serverSettled } from './openstack-rest.js';

export type CliServer = Record<string, unknown>;

export interface ServerCli {
  show(env: OpenstackEnv, server: string): Promise<CliServer>;
  /** The admin sees admin-only fields; as with Nova, an admin finds another project's server by id, not by name. */
  adminShow(server: string): Promise<CliServer>;
  /**
   * Polls demo's server over REST until the status is reached (the CLI's own --wait polls only
   * every 5 s), then answers demo's `server show` of it.
   */
  waitForStatus(server: string, status: string): Promise<CliServer>;
  /** `server create --wait` of cirros on m1.tiny. */
  boot(env: OpenstackEnv, name: string, extra?: readonly string[]): Promise<CliServer>;
  /** Runs the command and asserts it succeeded. */
  ok(env: OpenstackEnv, args: readonly string[]): Promise<CliResult>;
}

export function serverCli(cli: Readonly<Record<Persona, OpenstackEnv>>): ServerCli {
  const show = (env: OpenstackEnv, server: string) => openstackJson<CliServer>(env, ['server', 'show', server]);
  const demoRest = openstackRest(cli.demo);
  return {
    show,
    adminShow: async (server) => show(cli.admin, String((await show(cli.demo, server))['id'])),
    // 150 polls of the CLI took at least 300 s: the same time, spent polling over REST.
    waitForStatus: (server, status) =>
      serverSettled(`${server} ${status}`, () => demoRest.serverNamed(server), () => show(cli.demo, server), (shown) => shown['status'] === status, 300_000),
    boot: (env, name, extra = []) => openstackJson<CliServer>(env, ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', ...extra, '--wait', name]),
    ok: openstackOk,
  };
}
