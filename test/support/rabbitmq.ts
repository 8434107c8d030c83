import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { AmqpTransport } from '../../src/common/bus/amqp/transport.js';
import { messageOf } from '../../src/common/errors/errors.js';

/** The broker tests use: RabbitMQ on this machine kind, or NIMBUS_TEST_RABBIT_URL. */
export const RABBIT_URL = process.env['NIMBUS_TEST_RABBIT_URL'] ?? 'rabbit://guest:guest@127.0.0.1:5672/';

/**
 * Why RabbitMQ tests must be skipped, or false when the broker answers: pass it as `skip`.
 * The reason is also printed loudly, so a skipped suite is never silent.
 */
export async function rabbitUnavailable(): Promise<string | false> {
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
