import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InprocTransport } from './inproc/transport.js';
import { waitUntilReady } from './ping.js';
import { RpcClient } from './rpc-client.js';
import { RpcServer } from './rpc-server.js';

test('a service started before its peer waits with short pings and goes on once the peer answers, not after its long timeout', async () => {
  const transport = new InprocTransport(`ping-test-${randomUUID()}`);
  await transport.connect();
  // The client's own timeout is a minute: a first call lost before the server ran would wait all of it.
  const client = new RpcClient(transport, { topic: 'conductor', version: '1.0', timeoutSeconds: 60 });
  const server = new RpcServer(transport, { topic: 'conductor', server: 'c1', version: '1.3' }, {});
  try {
    const startedAt = Date.now();
    let ready = false;
    const waiting = waitUntilReady(client, 'nova-conductor', { earlyTimeoutMs: 100 }).then(() => (ready = true));
    await sleep(350);
    assert.equal(ready, false, 'no server yet, so no answer');
    await server.start();
    await waiting;
    const elapsed = Date.now() - startedAt;
    assert.ok(elapsed >= 350 && elapsed < 2000, `ready ${elapsed} ms after the start, within a short ping of the server's`);
    // Any server answers, whatever its handlers and minor version.
    assert.equal(await client.call('oslo_rpc_server_ping', {}), 'pong');
  } finally {
    await server.stop();
    await transport.close();
  }
});
