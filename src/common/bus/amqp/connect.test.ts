import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { StartupError } from '../../errors/errors.js';
import { MessageDeliveryFailure } from '../errors.js';
import { AmqpTransport } from './transport.js';

/** A port nothing listens on: bind one, note it, let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

test('an unreachable broker at start fails connect() quickly with a StartupError naming it, password hidden', async () => {
  const port = await freePort();
  const transport = new AmqpTransport(`rabbit://guest:secret@127.0.0.1:${port}/`);
  const startedAt = Date.now();
  await assert.rejects(transport.connect(), (error: unknown) => {
    assert.ok(error instanceof StartupError);
    assert.match(error.message, new RegExp(`rabbit://guest:\\*\\*\\*@127\\.0\\.0\\.1:${port}/`));
    assert.match(error.message, /ECONNREFUSED/);
    assert.doesNotMatch(error.message, /secret/);
    return true;
  });
  assert.ok(Date.now() - startedAt < 5000);
  await transport.close();
});

test('a silent peer (TCP accepted, no AMQP handshake) fails connect() within the connect timeout', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  assert.ok(address !== null && typeof address === 'object');
  const transport = new AmqpTransport(`amqp://127.0.0.1:${address.port}/`);
  try {
    await assert.rejects(transport.connect(), StartupError);
  } finally {
    await transport.close();
    silent.close();
  }
});

test('sending before connect() fails with MessageDeliveryFailure', async () => {
  const transport = new AmqpTransport('rabbit://127.0.0.1:5672/');
  const envelope = { version: '1.0', method: 'ping', args: {}, context: null };
  await assert.rejects(transport.call({ topic: 'nowhere' }, envelope, 100), MessageDeliveryFailure);
  await assert.rejects(transport.cast({ topic: 'nowhere' }, envelope, 100), MessageDeliveryFailure);
});
