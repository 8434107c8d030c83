/**
 * A compute host of its own: `nimbus compute-agent --host NAME` in a child process that knows
 * only the bus and a service user (the cloud's admin, from its openrc), with its own state dir (short: QEMU's socket paths under it have a 107-byte limit)
 * and a database URL that answers nowhere, so any use of one fails. Its QEMU guests, if any,
 * are ended with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostPaths, hostPaths } from '../../src/compute/virt/qemu/instance/instance-dir.js';
import { killQemusUnder } from '../../src/compute/virt/qemu/testing/stray-qemus.js';
import type { ServiceUserCredentials } from '../../src/identity/client/service-user-session.js';
import { runNimbus, type NimbusProcess } from './nimbus-process.js';
import type { OpenstackEnv } from './openstack-cli.js';

export interface RemoteComputeAgentOptions {
  readonly host: string;
  readonly driver: 'fake' | 'qemu';
  readonly busUrl: string;
  /** The openrc of the user the agent authenticates as ([service_user]). */
  readonly serviceUser: OpenstackEnv;
  /** A state dir to use (an agent started again keeps its own); a fresh temporary one by default, removed by stop(). */
  readonly stateDir?: string;
  /** `[compute] instances_path`: instance storage shared with other agents given the same one. */
  readonly instancesPath?: string;
  /** More NIMBUS_* variables (e.g. another option a test needs). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface RemoteComputeAgent {
  readonly nimbus: NimbusProcess;
  readonly host: string;
  readonly stateDir: string;
  /** Where its guests' files are: `instancesPath` the storage (its own or shared), `runtime` its own. */
  readonly paths: HostPaths;
  readonly instancesPath: string;
  /** SIGKILL, as an agent that dies: no clean shut-down; its guests keep running until stop() or killGuests(). */
  kill(): Promise<void>;
  /** Ends the agent's QEMUs at once (SIGKILL), as a host that loses power. */
  killGuests(): void;
  /** SIGTERM, then the agent's stray QEMUs are ended and a temporary state dir removed; answers the exit code. */
  stop(): Promise<number | string>;
}

/** The [service_user] credentials of an openrc. */
export function serviceUserCredentials(env: OpenstackEnv): ServiceUserCredentials {
  const value = (name: string) => {
    const found = env[name];
    if (found === undefined) throw new Error(`openrc has no ${name}`);
    return found;
  };
  return {
    authUrl: value('OS_AUTH_URL'),
    username: value('OS_USERNAME'),
    password: value('OS_PASSWORD'),
    projectName: value('OS_PROJECT_NAME'),
    userDomainName: env['OS_USER_DOMAIN_NAME'] ?? 'Default',
    projectDomainName: env['OS_PROJECT_DOMAIN_NAME'] ?? 'Default',
  };
}

/** The NIMBUS_SERVICE_USER_* variables that make an openrc's user a compute host's [service_user]. */
export function serviceUserEnv(env: OpenstackEnv): NodeJS.ProcessEnv {
  const user = serviceUserCredentials(env);
  return {
    NIMBUS_SERVICE_USER_AUTH_URL: user.authUrl,
    NIMBUS_SERVICE_USER_USERNAME: user.username,
    NIMBUS_SERVICE_USER_PASSWORD: user.password,
    NIMBUS_SERVICE_USER_PROJECT_NAME: user.projectName,
    NIMBUS_SERVICE_USER_USER_DOMAIN_NAME: user.userDomainName,
    NIMBUS_SERVICE_USER_PROJECT_DOMAIN_NAME: user.projectDomainName,
  };
}

/** Starts the agent and waits until it runs (its service row then follows within a heartbeat). */
export async function startRemoteComputeAgent(options: RemoteComputeAgentOptions): Promise<RemoteComputeAgent> {
  const ownStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'nra-'));
  const nimbus = runNimbus(['compute-agent', '--driver', options.driver, '--host', options.host], {
    NIMBUS_STATE_DIR: stateDir,
    NIMBUS_DATABASE_CONNECTION: 'postgresql://nobody@127.0.0.1:1/none',
    NIMBUS_BUS_TRANSPORT_URL: options.busUrl,
    ...serviceUserEnv(options.serviceUser),
    ...(options.instancesPath === undefined ? {} : { NIMBUS_COMPUTE_INSTANCES_PATH: options.instancesPath }),
    ...options.env,
  });
  const paths = hostPaths(stateDir, options.host, options.instancesPath);
  // By their runtime paths, which are this agent's alone (the storage may be shared).
  const killGuests = () => killQemusUnder(paths.runtime);
  const cleanUp = () => {
    killGuests();
    if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await nimbus.waitFor(new RegExp(`Compute agents running for host ${options.host}, driver ${options.driver}`));
  } catch (error) {
    nimbus.child.kill('SIGKILL');
    await nimbus.exited();
    cleanUp();
    throw error;
  }
  return {
    nimbus,
    host: options.host,
    stateDir,
    paths,
    instancesPath: paths.instances,
    killGuests,
    async kill() {
      nimbus.child.kill('SIGKILL');
      await nimbus.exited();
    },
    async stop() {
      nimbus.child.kill('SIGTERM');
      const code = await nimbus.exited();
      cleanUp();
      return code;
    },
  };
}
