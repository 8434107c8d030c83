import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { AmqpTransport } from '../../src/common/bus/amqp/transport.js';
import { messageOf } from '../../src/common/errors/errors.js';

/** The broker tests use: RabbitMQ on this machine kind, or NIMBUS_TEST_RABBIT_URL. */
const SHARED_URL = process.env['NIMBUS_TEST_RABBIT_URL'] ?? 'rabbit://guest:guest@127.0.0.1:5672/';

/**
 * The URL this test file's clouds use: once rabbitUnavailable() has run, a vhost of the file's own
 * (test files run side by side, and on one vhost their conductors would take each other's messages
 * from the shared `conductor` queue). A live binding: read it after rabbitUnavailable().
 */
export let RABBIT_URL = SHARED_URL;

/** A vhost for this process, removed when it exits; where rabbitmqctl cannot make one (a remote broker), the shared vhost. */
function ownVhost(): void {
  const url = new URL(SHARED_URL);
  const vhost = `nimbus-test-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'pipe' });
    execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, decodeURIComponent(url.username) || 'guest', '.*', '.*', '.*'], { stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(`\n*** No vhost of this test file's own (${messageOf(error)}): its clouds share ${url.pathname} with other tests running beside it\n\n`);
    return;
  }
  process.on('exit', () => {
    try {
      execFileSync('rabbitmqctl', ['delete_vhost', vhost], { stdio: 'pipe' });
    } catch {
      // The broker went first; the vhost goes with its next reset.
    }
  });
  url.pathname = `/${vhost}`;
  RABBIT_URL = url.toString();
}

/**
 * Why RabbitMQ tests must be skipped, or false when the broker answers: pass it as `skip`.
 * The reason is also printed loudly, so a skipped suite is never silent.
 */
export async function rabbitUnavailable(): Promise<string | false> {
  if (RABBIT_URL === SHARED_URL) ownVhost();
  const probe = new AmqpTransport(RABBIT_URL, { connectionName: `nimbus-test-probe-${randomUUID().slice(0, 8)}` });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    const reason = `RabbitMQ not reachable, its tests are SKIPPED: ${messageOf(error)}`;
    process.stderr.write(`\n*** ${reason}\n\n`);
    return reason;
  } finally {
    await probe.close();
  }
}

const run = promisify(execFile);

/**
 * What `rabbitmqctl close_all_connections` does, limited to the connections whose
 * `connection_name` client property `match` accepts, so that everyone else's stay up. Answers how
 * many were closed.
 */
export async function closeConnections(match: (name: string) => boolean): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid', 'client_properties']);
  const pids = stdout
    .split('\n')
    .filter((line) => {
      const name = /\{"connection_name","([^"]*)"\}/.exec(line)?.[1];
      return name !== undefined && match(name);
    })
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'closed by a Nimbus test']);
  return pids.length;
}
