import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { LogRecord } from '../../logging/format.js';
import { configureLogging } from '../../logging/logger.js';
import { MessageDeliveryFailure, MessagingTimeout } from '../errors.js';
import { RpcClient } from '../rpc-client.js';
import { RpcServer } from '../rpc-server.js';
import { AmqpTransport } from './transport.js';
import { BrokerRelay } from '../../../../test/support/broker-relay.js';
import { closeConnections, RABBIT_URL, rabbitUnavailable } from '../../../../test/support/rabbitmq.js';

const RUN = randomUUID().slice(0, 8);
/** Only this test's connections are closed, so other suites using the broker meanwhile are left alone. */
const CONNECTION_PREFIX = `nimbus-test-reconnect-${RUN}`;

const logged: LogRecord[] = [];
configureLogging({ sink: (_line, record) => logged.push(record) });

const skip = await rabbitUnavailable();

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
    let reconnects = 0;
    const unregister = clientSide.onReconnected(() => (reconnects += 1));
    try {
      assert.equal(await client.call('ping', {}), 'pong');
      assert.equal(reconnects, 0, 'the first connection is no reconnect');

      const outcome = client.call('hang', {}, { timeoutMs: 120_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await started;
      assert.equal(await closeConnections((name) => name.startsWith(CONNECTION_PREFIX)), 2);

      const error = await outcome;
      assert.ok(error instanceof MessagingTimeout, `expected MessagingTimeout, got ${String(error)}`);
      // Failed for the lost connection, not at its timeout (that message is "Timed out after …"); no
      // clock is read, since rabbitmqctl alone takes seconds to close connections on a loaded machine.
      assert.match(error.message, /^Connection to .* lost \d+ ms into a call to 'hang'/);

      // Sent while the transports may still be reconnecting: it waits for them.
      assert.equal(await client.call('ping', {}, { timeoutMs: 10_000 }), 'pong');
      assert.equal(reconnects, 1, "a sender learns that the broker's queues may have been lost");
    } finally {
      unregister();
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
  const url = relay.url;
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
  const url = relay.url;
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

test("a call sent before its server's queue exists (as right after a broker restart) is delivered once the server listens", { skip }, async () => {
  const serverSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-early-server` });
  const clientSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-early-client` });
  await serverSide.connect();
  await clientSide.connect();
  const topic = `test_early_${RUN}`;
  const server = new RpcServer(serverSide, { topic, server: 'h1', version: '1.0' }, { ping: () => 'pong' });
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 10 });
  try {
    // No queue is bound to the topic yet: RabbitMQ returns the message instead of dropping it unseen.
    const early = client.call('ping', {});
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    assert.equal(await early, 'pong');
  } finally {
    await server.stop();
    await clientSide.close();
    await serverSide.close();
  }
});

test("a cast sent before its server's queue exists (as right after a broker restart) is delivered once the server listens", { skip }, async () => {
  const serverSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-early-cast-server` });
  const clientSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-early-cast-client` });
  await serverSide.connect();
  await clientSide.connect();
  const topic = `test_early_cast_${RUN}`;
  let markReceived: (text: string) => void = () => undefined;
  const arrived = new Promise<string>((resolve) => (markReceived = resolve));
  const server = new RpcServer(serverSide, { topic, server: 'h1', version: '1.0' }, { note: ({ text }: { text: string }) => markReceived(text) });
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 10 });
  try {
    // The caller (an API answering 202) is not held up: the cast returns once RabbitMQ has it, queue or not.
    await client.cast('note', { text: 'early' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    const text = await Promise.race([arrived, new Promise((resolve) => setTimeout(() => resolve('never arrived'), 5000))]);
    assert.equal(text, 'early');
  } finally {
    await server.stop();
    await clientSide.close();
    await serverSide.close();
  }
});

test('a cast no server takes before its timeout is dropped with one WARNING, and the caller was not held up', { skip }, async () => {
  const logsBefore = logged.length;
  const clientSide = new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `${CONNECTION_PREFIX}-lost-cast-client` });
  await clientSide.connect();
  const topic = `test_lost_cast_${RUN}`;
  const client = new RpcClient(clientSide, { topic, version: '1.0', timeoutSeconds: 1 });
  try {
    const startedAt = Date.now();
    const reasons: string[] = [];
    await client.cast('note', { text: 'lost' }, { onDropped: (reason) => reasons.push(reason) });
    assert.ok(Date.now() - startedAt < 1000, 'the cast returned before its timeout');
    const dropped = (): LogRecord[] => logged.slice(logsBefore).filter((record) => record.level === 'WARNING' && record.message.startsWith(`Dropped cast 'note' to ${topic}`));
    for (let waited = 0; dropped().length === 0 && waited < 3000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(dropped().length, 1, 'one warning');
    assert.match(dropped()[0]?.message ?? '', /no queue took it before its timeout/);
    assert.deepEqual(reasons, ['no queue took it before its timeout'], 'the sender is told once');
  } finally {
    await clientSide.close();
  }
});
