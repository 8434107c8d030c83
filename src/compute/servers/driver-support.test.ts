import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteError } from '../../common/bus/errors.js';
import { ADMIN, insertInstance } from '../db/testing/compute-db.js';
import { classifyError } from '../../common/http/error-handler.js';
import { images, instance, serversOf, withCloud } from '../testing/worker-cloud.js';
import { FakeDriver } from '../virt/fake/fake-driver.js';
import { FeatureNotSupported } from '../virt/errors.js';
import { startComputeAgents } from '../workers.js';

const NOT_SUPPORTED = 'The requested functionality is not supported.';

test("an agent reports its driver's capabilities: the API refuses what the host lacks before the cast, the host refuses a call", async () => {
  await withCloud(1, async (cloud) => {
    const drivers = (host: string) => new FakeDriver({ host, capabilities: { supportsPause: false, supportsConsoleOutput: false } });
    const agents = await startComputeAgents({ transport: cloud.transport, images, drivers, hosts: ['compute-9'], stateDir: cloud.stateDir });
    try {
      const uuid = await insertInstance(cloud.db, 'p1', { host: 'compute-9', node: 'compute-9' });
      const servers = serversOf(cloud);
      const server = await servers.get(ADMIN, uuid);

      await assert.rejects(servers.guest.pause(ADMIN, server), (error: unknown) => {
        assert.ok(error instanceof FeatureNotSupported);
        assert.deepEqual([error.status, error.message], [501, NOT_SUPPORTED]);
        return true;
      });
      assert.deepEqual([(await instance(cloud.db, uuid)).vm_state, (await instance(cloud.db, uuid)).task_state], ['active', null]);

      // Console output is asked of the host (a call): its 501 comes back across the bus, in Nova's words.
      const refused = await servers.consoleOutput(ADMIN, uuid, undefined).catch((error: unknown) => error);
      assert.ok(refused instanceof RemoteError);
      assert.deepEqual([refused.status, refused.remoteMessage], [501, NOT_SUPPORTED]);
      assert.deepEqual([classifyError(refused).status, classifyError(refused).message], [501, NOT_SUPPORTED]);
    } finally {
      await agents.stop();
    }
  });
});
