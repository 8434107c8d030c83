import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { currentContext, isRequestId, newRequestId, runWithContext } from '../context/request-context.js';
import { NotFound } from '../errors/errors.js';
import type { LogRecord } from '../logging/format.js';
import { configureLogging, getLogger } from '../logging/logger.js';
import { MessagingTimeout, RemoteError } from './errors.js';
import { RpcClient } from './rpc-client.js';
import { RpcServer, type RpcHandlers } from './rpc-server.js';
import type { Transport } from './transport.js';
import { describeContract, type ContractOptions } from '../../../test/support/contract-suite.js';

/**
 * The contract every bus transport meets. Each case opens two transports on one bus, one for the
 * servers and one for the clients, as two processes would.
 */

const RUN = randomUUID().slice(0, 8);
const LOG = getLogger('nimbus.test.bus');

const logged: LogRecord[] = [];
configureLogging({ sink: (_line, record) => logged.push(record) });

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Resolves with `promise`, or fails the test if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Two connected transports on one bus, and the servers a case started on them. */
interface TransportHarness {
  readonly client: (topic: string, version?: string) => RpcClient;
  readonly serve: (topic: string, server: string, handlers: RpcHandlers, version?: string, singleActive?: boolean) => Promise<RpcServer>;
  dispose(): Promise<void>;
}

let topicCount = 0;
const newTopic = (): string => `test_${RUN}_${++topicCount}`;

async function transportHarness(open: () => Transport): Promise<TransportHarness> {
  const serverSide = open();
  const clientSide = open();
  await serverSide.connect();
  await clientSide.connect();
  const servers: RpcServer[] = [];
  return {
    client: (topic, version = '1.3') => new RpcClient(clientSide, { topic, version, timeoutSeconds: 5 }),
    serve: async (topic, server, handlers, version = '1.3', singleActive = false) => {
      const rpcServer = new RpcServer(serverSide, { topic, server, version, singleActive }, handlers);
      await rpcServer.start();
      servers.push(rpcServer);
      return rpcServer;
    },
    dispose: async () => {
      await Promise.all(servers.splice(0).map((server) => server.stop()));
      await clientSide.close();
      await serverSide.close();
    },
  };
}

const CASES = {
  'call returns the result, and arguments are copied, never shared': async ({ client, serve }) => {
    const topic = newTopic();
    await serve(topic, 'h1', {
      add: (args: { a: number; b: number; seen: number[] }) => {
        args.seen.push(99);
        return { sum: args.a + args.b, seen: args.seen };
      },
    });
    const args = { a: 2, b: 3, seen: [1] };
    const result = await client(topic).call<{ sum: number; seen: number[] }>('add', args);
    assert.deepEqual(result, { sum: 5, seen: [1, 99] });
    assert.deepEqual(args.seen, [1]);
  },

  'cast reaches one server without a reply': async ({ client, serve }) => {
    const topic = newTopic();
    const received = deferred<unknown>();
    await serve(topic, 'h1', { poke: (args: { n: number }) => received.resolve(args.n) });
    await client(topic).cast('poke', { n: 7 });
    assert.equal(await within(received.promise, 3000, 'the cast'), 7);
  },

  'fanout reaches every server of the topic': async ({ client, serve }) => {
    const topic = newTopic();
    const reached = new Map<string, number>();
    const allThree = deferred<void>();
    for (const host of ['h1', 'h2', 'h3']) {
      await serve(topic, host, {
        refresh: () => {
          reached.set(host, (reached.get(host) ?? 0) + 1);
          if (reached.size === 3) allThree.resolve();
        },
      });
    }
    await client(topic).fanout('refresh', {});
    await within(allThree.promise, 3000, 'the fanout to three servers');
    await delay(50);
    assert.deepEqual([...reached.entries()].sort(), [['h1', 1], ['h2', 1], ['h3', 1]]);
  },

  'a call to topic.server reaches that server only': async ({ client, serve }) => {
    const topic = newTopic();
    for (const host of ['h1', 'h2']) await serve(topic, host, { whoami: () => host });
    const rpc = client(topic);
    for (let i = 0; i < 6; i++) assert.equal(await rpc.call('whoami', {}, { server: 'h2' }), 'h2');
  },

  'on a single-active topic one server takes every shared message, and another takes over when it stops': async ({ client, serve }) => {
    const topic = newTopic();
    const first = await serve(topic, 'h1', { whoami: () => 'h1' }, '1.3', true);
    await serve(topic, 'h2', { whoami: () => 'h2' }, '1.3', true);
    const rpc = client(topic);
    for (let i = 0; i < 6; i++) assert.equal(await rpc.call('whoami', {}), 'h1');
    assert.equal(await rpc.call('whoami', {}, { server: 'h2' }), 'h2', 'the standby still answers its own queue');
    await first.stop();
    for (let i = 0; i < 4; i++) assert.equal(await rpc.call('whoami', {}), 'h2');
  },

  'calls to the topic are shared among its servers': async ({ client, serve }) => {
    const topic = newTopic();
    for (const host of ['h1', 'h2']) await serve(topic, host, { whoami: () => host });
    const rpc = client(topic);
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await rpc.call<string>('whoami', {}));
    assert.equal(answers.filter((host) => host === 'h1').length, 5);
    assert.equal(answers.filter((host) => host === 'h2').length, 5);
  },

  'a call nobody answers fails with MessagingTimeout naming the target and method': async ({ client }) => {
    const topic = newTopic();
    const startedAt = Date.now();
    await assert.rejects(client(topic).call('ghost', {}, { server: 'nowhere', timeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof MessagingTimeout);
      assert.match(error.message, /300 ms/);
      assert.match(error.message, new RegExp(`'ghost' from ${topic}\\.nowhere`));
      return true;
    });
    assert.ok(Date.now() - startedAt >= 290, 'it waited for the timeout');
  },

  "a handler's error comes back as RemoteError with class, message and status": async ({ client, serve }) => {
    const topic = newTopic();
    await serve(topic, 'h1', {
      missing: () => {
        throw new NotFound('Instance abc could not be found.');
      },
      broken: () => {
        throw new TypeError('x is not a function');
      },
      unserializable: () => 10n,
    });
    const rpc = client(topic);
    await assert.rejects(rpc.call('missing', {}), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.className, 'NotFound');
      assert.equal(error.remoteMessage, 'Instance abc could not be found.');
      assert.equal(error.status, 404);
      return true;
    });
    await assert.rejects(rpc.call('broken', {}), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.className, 'TypeError');
      assert.equal(error.status, undefined);
      return true;
    });
    await assert.rejects(rpc.call('unserializable', {}), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.className, 'MalformedMessage');
      return true;
    });
    await assert.rejects(rpc.call('nonexistent', {}), (error: unknown) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.className, 'NoSuchMethod');
      return true;
    });
  },

  "the caller's request context reaches the handler and its log lines": async ({ client, serve }) => {
    const topic = newTopic();
    const castContext = deferred<string | undefined>();
    await serve(topic, 'h1', {
      whoami: () => {
        LOG.info('handling whoami');
        return { requestId: currentContext()?.requestId, userId: currentContext()?.userId };
      },
      note: () => castContext.resolve(currentContext()?.requestId),
    });
    const requestId = newRequestId();
    const rpc = client(topic);
    const seen = await runWithContext({ requestId, userId: 'u1', projectId: 'p1' }, () => rpc.call('whoami', {}));
    assert.deepEqual(seen, { requestId, userId: 'u1' });
    const line = logged.find((record) => record.message === 'handling whoami' && record.context?.requestId === requestId);
    assert.ok(line, 'the handler logged under the caller request id');

    // A message sent outside any request still gets an id on the server, for its own log lines.
    await rpc.cast('note', {});
    const fresh = await within(castContext.promise, 3000, 'the cast');
    assert.ok(isRequestId(fresh));
    assert.notEqual(fresh, requestId);
  },

  'a message is accepted for the same major and an older or equal minor, else rejected': async ({ client, serve }) => {
    const topic = newTopic();
    const casts: string[] = [];
    await serve(topic, 'h1', { ping: () => 'pong', mark: () => casts.push('handled') }, '1.3');
    assert.equal(await client(topic, '1.0').call('ping', {}), 'pong');
    assert.equal(await client(topic, '1.3').call('ping', {}), 'pong');
    for (const version of ['1.4', '2.0', '0.9']) {
      await assert.rejects(client(topic, version).call('ping', {}), (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(error.className, 'UnsupportedVersion');
        assert.match(error.remoteMessage, new RegExp(`version ${version.replace('.', '\\.')}`));
        return true;
      });
    }
    await client(topic, '2.0').cast('mark', {});
    await within(
      (async () => {
        while (!logged.some((record) => record.level === 'WARNING' && record.message.includes(`cast 'mark' on ${topic}.h1`))) {
          await delay(10);
        }
      })(),
      3000,
      'the warning about the rejected cast',
    );
    assert.deepEqual(casts, []);
  },
} satisfies Record<string, (harness: TransportHarness) => Promise<void>>;

export type TransportContractTest = keyof typeof CASES;

/** The contract every bus transport meets; `open` makes an unconnected transport on the bus under test. */
export function describeTransportContract(name: string, open: () => Transport, options?: ContractOptions<TransportContractTest>): void {
  describeContract(`bus contract: ${name}`, CASES, () => transportHarness(open), options);
}
