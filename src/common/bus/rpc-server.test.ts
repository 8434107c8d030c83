import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { NimbusError, ServiceUnavailable } from '../errors/errors.js';
import { RemoteError } from './errors.js';
import { InprocTransport } from './inproc/transport.js';
import { RpcClient } from './rpc-client.js';
import { RpcServer } from './rpc-server.js';

const QUICK_RETRY = { firstPauseMs: 10, maxPauseMs: 20, windowMs: 10_000 };

/** A server whose `work` fails `failures` times with `error`, then records its argument. */
async function withServer(
  failures: number,
  error: () => Error,
  run: (client: RpcClient, state: { attempts: number; done: string[]; finished: Promise<void> }) => Promise<void>,
): Promise<void> {
  const transport = new InprocTransport(`rpc-server-test-${randomUUID()}`);
  await transport.connect();
  let finish: () => void = () => undefined;
  const state = { attempts: 0, done: [] as string[], finished: new Promise<void>((resolve) => (finish = resolve)) };
  const server = new RpcServer(transport, { topic: 'worker', server: 'h1', version: '1.0', castRetry: QUICK_RETRY }, {
    work: ({ item }: { item: string }) => {
      state.attempts += 1;
      if (state.attempts <= failures) {
        if (state.attempts === failures) finish();
        throw error();
      }
      state.done.push(item);
      finish();
      return item;
    },
  });
  await server.start();
  try {
    await run(new RpcClient(transport, { topic: 'worker', version: '1.0', timeoutSeconds: 5 }), state);
  } finally {
    await server.stop();
    await transport.close();
  }
}

const unavailable = () => new ServiceUnavailable('database down');

test('a cast whose handler finds the database down runs again until it succeeds', async () => {
  await withServer(3, unavailable, async (client, state) => {
    await client.cast('work', { item: 'build vm1' });
    for (let wait = 0; wait < 500 && state.done.length === 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(state.attempts, 4);
    assert.deepEqual(state.done, ['build vm1']);
  });
});

test('a cast failing otherwise runs once; a call answers the 503 at once', async () => {
  await withServer(1, () => new NimbusError(500, 'bug'), async (client, state) => {
    await client.cast('work', { item: 'a' });
    await state.finished;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(state.attempts, 1, 'not run again');
    assert.deepEqual(state.done, []);
  });
  await withServer(1, unavailable, async (client, state) => {
    await assert.rejects(client.call('work', { item: 'b' }), (error: unknown) => error instanceof RemoteError && error.status === 503);
    assert.equal(state.attempts, 1, 'the caller decides, the server does not retry');
  });
});
