import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { unavailable } from '../support/databases.js';
import {
  BUS_LOST,
  BUS_RECONNECTED,
  assertRecoveredCloud,
  bootWithoutNetwork,
  reachedTaskState,
  settledServer,
  slowNextSpawn,
  withPrivateBrokerCloud,
} from '../support/private-broker-cloud.js';
import { privateRabbitUnavailable } from '../support/private-rabbitmq.js';

// Issue 18: RabbitMQ itself restarts (`rabbitmqctl stop_app` / `start_app`) under a scaled-out
// cloud (an API node with conductor and scheduler, a compute agent in its own process). Unlike a
// closed connection (test/integration/scaled-out-broker-outage.test.ts), the broker forgets its
// non-durable queues and refuses connections until it is back. Every process reconnects by itself,
// and a boot the API accepted completes or shows a fault: none stays in a transitional state.
// The broker is a private node: the machine's shared one serves other test files meanwhile.
const skip = privateRabbitUnavailable() || (await unavailable('postgres'));

type Json = Record<string, unknown>;

describe('a scaled-out cloud while its RabbitMQ restarts', { skip }, () => {
  test('every process reconnects by itself; boots accepted around the restart complete; nothing stays transitional', async () => {
    await withPrivateBrokerCloud('broker-restart', async (cloud) => {
      const { rabbit, node, agent, api, imageId } = cloud;
      const before = await bootWithoutNetwork(api, 'before', imageId);
      assert.equal((await settledServer(api, before))['status'], 'ACTIVE');

      // A boot the API accepted is on its host (its spawn slowed there) when the broker stops.
      await slowNextSpawn(api, agent.host, 3000);
      const inFlight = await bootWithoutNetwork(api, 'in-flight', imageId);
      await reachedTaskState(api, inFlight, 'spawning');

      const outage = performance.now();
      await rabbit.stopApp();
      await node.waitFor(BUS_LOST, 30_000);
      await agent.nimbus.waitFor(BUS_LOST, 30_000);
      // A boot requested while the broker is down waits for it (up to rpc_response_timeout).
      const during = bootWithoutNetwork(api, 'during-restart', imageId);
      await sleep(1000);
      const restartMs = await rabbit.startApp();
      const duringId = await during;
      await node.waitFor(BUS_RECONNECTED, 30_000);
      await agent.nimbus.waitFor(BUS_RECONNECTED, 30_000);
      process.stderr.write(`# broker down for ${Math.round(performance.now() - outage)} ms; start_app took ${Math.round(restartMs)} ms\n`);

      for (const id of [inFlight, duringId]) {
        const server = await settledServer(api, id);
        // Accepted work is never silently lost: it completes, or the server says why it did not.
        if (server['status'] !== 'ACTIVE') assert.ok(server['fault'], `${String(server['name'])} is ${String(server['status'])} without a fault`);
        assert.equal(server['status'], 'ACTIVE', `${String(server['name'])}: ${JSON.stringify(server['fault'])}`);
      }
      await assertRecoveredCloud('broker-restart', cloud, before);

      const listed = (await api('/compute/v2.1/servers/detail')).body['servers'] as Json[];
      assert.deepEqual(
        listed.map((server) => `${String(server['name'])}:${String(server['status'])}:${String(server['OS-EXT-STS:task_state'])}`).sort(),
        ['after-restart:ACTIVE:null', 'before:SHUTOFF:null', 'during-restart:ACTIVE:null', 'in-flight:ACTIVE:null'],
      );
    });
  });
});
