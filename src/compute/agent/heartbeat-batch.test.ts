import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceHeartbeatsArgs } from '../conductor/rpc-api.js';
import { HeartbeatBatch } from './heartbeat-batch.js';

const beatOf = (host: string) => ({ binary: 'nova-compute', host, topic: 'compute' });
const hostsOf = (args: ServiceHeartbeatsArgs) => args.services.map((service) => service.host);

test('beats of one turn go in one call; those made while it is on its way go together in the next', async () => {
  const calls: string[][] = [];
  let answer: () => void = () => undefined;
  const batch = new HeartbeatBatch(
    (args) =>
      new Promise((resolve) => {
        calls.push(hostsOf(args));
        answer = resolve;
      }),
  );
  const first = [batch.beat(beatOf('a')), batch.beat(beatOf('b'))];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [['a', 'b']]);
  const later = [batch.beat(beatOf('c')), batch.beat(beatOf('d')), batch.beat(beatOf('e'))];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [['a', 'b']], 'one call at a time');
  answer();
  await Promise.all(first);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [['a', 'b'], ['c', 'd', 'e']]);
  answer();
  await Promise.all(later);
});

test('a failed call rejects its own beats only', async () => {
  let fail = true;
  const batch = new HeartbeatBatch(async () => {
    if (fail) throw new Error('conductor gone');
  });
  const failed = [batch.beat(beatOf('a')), batch.beat(beatOf('b'))];
  await assert.rejects(failed[0] ?? Promise.resolve(), /conductor gone/);
  await assert.rejects(failed[1] ?? Promise.resolve(), /conductor gone/);
  fail = false;
  await batch.beat(beatOf('a'));
});
