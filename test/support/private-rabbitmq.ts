/**
 * A RabbitMQ node of a test's own: rabbitmq-server under a node name, ports, Mnesia and log
 * directories of its own (in memory where /dev/shm exists), no plugins, that the test may stop
 * and start as `rabbitmqctl stop_app` / `start_app` do, or kill (SIGKILL) and start again on the
 * same ports, without touching the machine's shared broker (other test files use it at the same
 * time). Its Erlang cookie is in its own HOME, so only this module's rabbitmqctl talks to it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { parseAmqpUrl } from '../../src/common/bus/amqp/url.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);
/** A first start (Mnesia created, the rabbit application booted) took 45 s with a load of 19 on 2 cores. */
const START_TIMEOUT_MS = 120_000;
const PARENT_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
/** The scripts themselves: /usr/sbin's wrappers switch to the `rabbitmq` user and the machine's node. */
const BIN_DIR = '/usr/lib/rabbitmq/bin';
const SERVER = join(BIN_DIR, 'rabbitmq-server');
const CTL = join(BIN_DIR, 'rabbitmqctl');

export interface PrivateRabbit {
  /** The transport URL of its default vhost (guest, from loopback). */
  readonly url: string;
  readonly nodeName: string;
  /** How long the first start took, until it accepted an AMQP connection. */
  readonly startedInMs: number;
  /** `rabbitmqctl stop_app`: the broker closes every connection and stops listening; the Erlang node stays. */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, then waits until it accepts AMQP connections; answers how long that took. */
  startApp(): Promise<number>;
  /** SIGKILL to the node's processes, as a crash: no connection is closed by the broker, the kernel resets them. */
  kill(): Promise<void>;
  /** Starts the node again (after kill()) on the same ports and directories; answers how long until it accepted AMQP. */
  start(): Promise<number>;
  /** Stops the node and deletes its directory; call it in a `finally`. */
  remove(): Promise<void>;
}

/** Why a private broker cannot be made here (pass as `skip`), or false. Printed loudly: a skip is never silent. */
export function privateRabbitUnavailable(): string | false {
  if (existsSync(SERVER) && existsSync(CTL)) return false;
  const reason = `no ${SERVER} or ${CTL}: private-broker tests are SKIPPED`;
  process.stderr.write(`\n*** ${reason}\n\n`);
  return reason;
}

/**
 * True once the broker completes an AMQP handshake (what a Nimbus service needs, not only an open
 * port). A bare connection, which declares nothing: the exchange is declared by the cloud's own
 * processes, durable or not as they are configured.
 */
async function acceptsAmqp(url: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(parseAmqpUrl(url).connect, { timeout: 5000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const dir = mkdtempSync(join(PARENT_DIR, 'nimbus-rabbit-'));
  const nodeName = `nimbus-test-${randomUUID().slice(0, 8)}@localhost`;
  const [port, distPort] = [await freePort(), await freePort()];
  const url = `rabbit://guest:guest@127.0.0.1:${port}/`;
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  // Replaces /etc/rabbitmq/rabbitmq-env.conf, which names the machine's node.
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    // Erlang distribution on loopback only, as the machine's node has it.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) => run(CTL, ['-n', nodeName, ...args], { env });
  const outputFile = join(dir, 'server.out');
  let child: ChildProcess | undefined;

  const waitForAmqp = async (began: number, isDead: () => boolean): Promise<number> => {
    for (;;) {
      if (isDead()) throw new Error(`rabbitmq-server exited at start: ${readFileSync(outputFile, 'utf8').slice(-2000)}`);
      if (await acceptsAmqp(url)) return performance.now() - began;
      if (performance.now() - began > START_TIMEOUT_MS) throw new Error(`the private broker did not accept AMQP within ${START_TIMEOUT_MS} ms`);
      await sleep(200);
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    // `rabbitmqctl stop` halts the node cleanly; SIGKILL to the wrapper's group when it cannot.
    await ctl('stop').catch(() => {
      if (running.pid !== undefined) process.kill(-running.pid, 'SIGKILL');
    });
    await exited;
  };

  /** Starts rabbitmq-server and waits until it accepts AMQP; answers how long that took. */
  const launch = async (): Promise<number> => {
    const began = performance.now();
    const out = openSync(outputFile, 'a');
    // Its own process group: the wrapper script's beam child is ended with it (kill(), or should `stop` fail).
    const started = spawn(SERVER, [], { env, cwd: dir, stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    child = started;
    let exited = false;
    started.once('exit', () => { exited = true; });
    return waitForAmqp(began, () => exited);
  };

  let startedInMs: number;
  try {
    startedInMs = await launch();
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    nodeName,
    startedInMs,
    async stopApp() {
      await ctl('stop_app');
    },
    async startApp() {
      const began = performance.now();
      await ctl('start_app');
      return waitForAmqp(began, () => child === undefined || child.exitCode !== null);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (running?.pid === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      process.kill(-running.pid, 'SIGKILL');
      await exited;
    },
    start: launch,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
