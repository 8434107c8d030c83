import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type { LogRecord } from '../../logging/format.js';
import { configureLogging } from '../../logging/logger.js';
import { MessageDeliveryFailure, MessagingTimeout } from '../errors.js';
import { RpcClient } from '../rpc-client.js';
import { RpcServer } from '../rpc-server.js';
import { AmqpTransport } from './transport.js';
import { RABBIT_URL, rabbitUnavailable } from '../../../../test/support/rabbitmq.js';

const RUN = randomUUID().slice(0, 8);
/** Only this test's connections are closed, so other suites using the broker meanwhile are left alone. */
const CONNECTION_PREFIX = `nimbus-test-reconnect-${RUN}`;
const run = promisify(execFile);

const logged: LogRecord[] = [];
configureLogging({ sink: (_line, record) => logged.push(record) });

/** What `rabbitmqctl close_all_connections` does, limited to the connections this test opened. */
async function closeOurConnections(): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid', 'client_properties']);
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${CONNECTION_PREFIX}`))
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'test']);
  return pids.length;
}

const skip = await rabbitUnavailable();

/**
 * A TCP relay to the broker that can be taken down and brought back on the same port: a broker
 * outage for this test's connections alone.
 */
class BrokerRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** While set, what clients send is dropped: written by them, never read by the broker (a dying link). */
  blackhole = false;

  async up(): Promise<void> {
    const brokerPort = Number(new URL(RABBIT_URL).port || 5672);
    const brokerHost = new URL(RABBIT_URL).hostname;
    const server = createServer((client) => {
      const broker = createConnection(brokerPort, brokerHost);
      for (const socket of [client, broker]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.on('data', (chunk: Buffer) => {
        if (!this.blackhole) broker.write(chunk);
      });
      broker.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    this.port = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test(
  'a dropped connection fails calls in flight at once; the transport reconnects and later calls succeed',
  { skip },
  async () => {
    const logsBefore = logged.length;
    const options = { queueExpiresMs: 5000 };
    const serverSide = new AmqpTransport(RABBIT_URL, { ...options, connectionName: `${CONNECTION_PREFIX}-server` });
    const clientSide = new AmqpTransport(RABBIT_URL, { ...options, connectionName: `${CONNECTION_PREFIX}-client` });
    await serverSide.connect();
    await clientSide.connect();

    const topic = `test_reconnect_${RUN}`;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const server = new RpcServer(serverSide, { topic, server: 'h1', version: '1.0' }, {
      ping: () => 'pong',
      hang: async () => {
        markStarted();
        await released;
        return 'late';
      },
    });
    await server.start();
    const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 10 });
    try {
      assert.equal(await client.call('ping', {}), 'pong');

      const outcome = client.call('hang', {}, { timeoutMs: 20_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await started;
      const droppedAt = Date.now();
      assert.equal(await closeOurConnections(), 2);

      const error = await outcome;
      assert.ok(error instanceof MessagingTimeout, `expected MessagingTimeout, got ${String(error)}`);
      assert.match(error.message, /lost/);
      assert.ok(Date.now() - droppedAt < 10_000, 'the call failed when the connection dropped, not at its 20 s timeout');

      // Sent while the transports may still be reconnecting: it waits for them.
      assert.equal(await client.call('ping', {}, { timeoutMs: 10_000 }), 'pong');
    } finally {
      release();
      await server.stop();
      await clientSide.close();
      await serverSide.close();
    }

    const ours = logged.slice(logsBefore);
    const lost = ours.filter((record) => record.level === 'WARNING' && record.message.includes('lost'));
    const back = ours.filter((record) => record.level === 'INFO' && record.message.startsWith('Reconnected'));
    assert.equal(lost.length, 2, 'one warning per connection');
    assert.equal(back.length, 2, 'one info line per connection');
  },
);

test('while the broker is unreachable, calls wait for the reconnect up to their timeout', { skip }, async () => {
  const relay = new BrokerRelay();
  await relay.up();
  const url = `rabbit://guest:guest@127.0.0.1:${relay.port}/`;
  const serverSide = new AmqpTransport(url, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-relay-server` });
  const clientSide = new AmqpTransport(url, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-relay-client` });
  await serverSide.connect();
  await clientSide.connect();
  const topic = `test_outage_${RUN}`;
  const server = new RpcServer(serverSide, { topic, server: 'h1', version: '1.0' }, { ping: () => 'pong' });
  await server.start();
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 1 });
  try {
    assert.equal(await client.call('ping', {}), 'pong');
    await relay.down();
    await new Promise((resolve) => setTimeout(resolve, 100));

    await assert.rejects(client.call('ping', {}, { timeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof MessagingTimeout);
      assert.match(error.message, /waiting for the connection to RabbitMQ/);
      return true;
    });
    await assert.rejects(client.cast('ping', {}), MessageDeliveryFailure);

    const waiting = client.call('ping', {}, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await relay.up();
    assert.equal(await waiting, 'pong');
  } finally {
    await server.stop();
    await clientSide.close();
    await serverSide.close();
    await relay.down();
  }
});

test('a cast whose connection dies before RabbitMQ confirmed it is sent again on the next connection', { skip }, async () => {
  const relay = new BrokerRelay();
  await relay.up();
  const url = `rabbit://guest:guest@127.0.0.1:${relay.port}/`;
  const serverSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-cast-server` });
  const clientSide = new AmqpTransport(url, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-cast-client` });
  await serverSide.connect();
  await clientSide.connect();
  const topic = `test_cast_${RUN}`;
  const received: string[] = [];
  let markReceived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (markReceived = resolve));
  const server = new RpcServer(serverSide, { topic, server: 'h1', version: '1.0' }, {
    note: ({ text }: { text: string }) => {
      received.push(text);
      markReceived();
    },
  });
  await server.start();
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 20 });
  try {
    relay.blackhole = true;
    let settled = false;
    const cast = client.cast('note', { text: 'kept' }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(settled, false, 'the cast waits for the broker to confirm it');
    await relay.down();
    relay.blackhole = false;
    await relay.up();
    await cast;
    await arrived;
    assert.deepEqual(received, ['kept']);
  } finally {
    await server.stop();
    await clientSide.close();
    await serverSide.close();
    await relay.down();
  }
});
