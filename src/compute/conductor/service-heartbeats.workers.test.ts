/** The conductor's heartbeat verbs on the workers: the batched one of today's agents and the one-host one of older agents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcClient } from '../../common/bus/index.js';
import { newAdminContext, runWithContext } from '../../common/context/request-context.js';
import { configureLogging } from '../../common/logging/logger.js';
import { ServiceRegistry } from '../../common/service/service-registry.js';
import { CONDUCTOR_API_VERSION, CONDUCTOR_TOPIC } from './rpc-api.js';
import { withCloud } from '../testing/worker-cloud.js';

configureLogging({ sink: () => undefined });

const beat = (host: string) => ({ binary: 'nova-compute', host, topic: 'compute' });

test('service_heartbeats registers new hosts and counts known ones; an older agent’s service_heartbeat still counts', () =>
  withCloud(1, async (cloud) => {
    const rpc = new RpcClient(cloud.transport, { topic: CONDUCTOR_TOPIC, version: CONDUCTOR_API_VERSION, timeoutSeconds: 5 });
    const registry = new ServiceRegistry(cloud.db);
    const reports = async () =>
      Object.fromEntries((await registry.list({ binary: 'nova-compute' })).map((service) => [service.host, service.reportCount]));
    await runWithContext(newAdminContext(), async () => {
      await rpc.call('service_heartbeats', { services: [beat('extra-1'), beat('extra-2')] });
      await rpc.call('service_heartbeats', { services: [beat('extra-1'), beat('extra-2')] });
      await rpc.call('service_heartbeat', beat('extra-2'));
      await rpc.call('service_heartbeat', beat('old-agent'));
      // The first beat registers (no report counted), each later one counts one; compute-1 is the cloud's own agent.
      const counted = await reports();
      delete counted['compute-1'];
      assert.deepEqual(counted, { 'extra-1': 1, 'extra-2': 2, 'old-agent': 0 });
    });
  }));
