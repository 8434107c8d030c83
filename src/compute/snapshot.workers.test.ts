import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { runWithContext, type RequestContext } from '../common/context/request-context.js';
import { toDbTimestamp } from '../common/db/timestamps.js';
import { createComputeStores } from './db/compute-stores.js';
import { readSystemMetadata } from './db/system-metadata.js';
import { insertInstance } from './db/testing/compute-db.js';
import {
  build,
  deletedImages,
  events,
  eventually,
  failingUploads,
  faults,
  images,
  instance,
  newServer,
  setTask,
  specFor,
  tables,
  uploadedImages,
  usage,
  waitFor,
  withCloud,
  TEN_SLOTS,
  type Cloud,
  type CloudOptions,
} from './testing/worker-cloud.js';
import { fakeDriverFactory } from './virt/fake/index.js';
import { startComputeAgents } from './workers.js';

// createImage, shelve, shelveOffload and unshelve on the real workers (in-process bus, fake
// drivers), with faults injected into the drivers and the image uploads.

const NEVER_OFFLOAD: CloudOptions = { shelvedOffloadTimeSeconds: -1 };

async function activeServer(cloud: Cloud): Promise<Placed> {
  const { uuid, context } = await newServer(cloud.db);
  await build(cloud, uuid, context);
  const row = await waitFor(cloud.db, uuid, 'active');
  return { uuid, context, host: row.host ?? '' };
}

type Placed = { uuid: string; context: RequestContext; host: string };

/** What the API does before a cast: the task state claimed (the image record is the image service's). */
async function cast(cloud: Cloud, server: Placed, task: string, send: () => Promise<void>): Promise<void> {
  await runWithContext(server.context, async () => {
    await setTask(cloud.db, server.uuid, task);
    await send();
  });
}

async function shelve(cloud: Cloud, server: Placed, imageId: string): Promise<void> {
  await cast(cloud, server, 'shelving', () =>
    cloud.workers.computeAgentApi.cast(server.host, 'shelve_instance', { instanceUuid: server.uuid, imageId, clean: true }),
  );
}

/** An ACTIVE server shelved until it is `vmState`, and the id of its shelve snapshot. */
async function shelvedServer(cloud: Cloud, vmState: 'shelved' | 'shelved_offloaded'): Promise<{ server: Placed; imageId: string }> {
  const server = await activeServer(cloud);
  const imageId = randomUUID();
  await shelve(cloud, server, imageId);
  await waitFor(cloud.db, server.uuid, vmState, null);
  return { server, imageId };
}

async function unshelve(cloud: Cloud, server: { uuid: string; context: RequestContext }, spec = specFor([server.uuid])): Promise<void> {
  await runWithContext(server.context, async () => {
    await setTask(cloud.db, server.uuid, 'unshelving');
    await cloud.workers.computeTaskApi.unshelveInstance(server.uuid, { ...spec, instanceUuid: server.uuid });
  });
}

async function eventResults(cloud: Cloud, uuid: string): Promise<string[]> {
  return (await events(cloud.db, uuid)).map((event) => `${event.event}:${event.result ?? '-'}`);
}

async function allocations(cloud: Cloud, uuid: string): Promise<number> {
  return (await tables(cloud.db).selectFrom('compute_allocations').selectAll().where('consumer_uuid', '=', uuid).execute()).length;
}

describe('snapshot and shelve on the compute workers (sqlite)', () => {
  test('createImage walks image_snapshot → pending upload → uploading and leaves the snapshot uploaded', async () => {
    await withCloud(2, async (cloud) => {
      const server = await activeServer(cloud);
      const imageId = randomUUID();
      cloud.driver(server.host).delays.set('snapshot', 300);
      await cast(cloud, server, 'image_snapshot_pending', () =>
        cloud.workers.computeAgentApi.cast(server.host, 'snapshot_instance', { instanceUuid: server.uuid, imageId }),
      );
      await waitFor(cloud.db, server.uuid, 'active', 'image_pending_upload');
      const row = await waitFor(cloud.db, server.uuid, 'active', null);
      assert.equal(row.power_state, 1);
      assert.match(uploadedImages.get(imageId)?.toString('utf8', 0, 200) ?? '', new RegExp(`instance=${server.uuid}`));
      await eventually(async () => assert.ok((await eventResults(cloud, server.uuid)).includes('compute_snapshot_instance:Success')));
      assert.equal(deletedImages.has(imageId), false);
    });
  });

  for (const failure of ['driver snapshot', 'image upload'] as const) {
    test(`a failed createImage (${failure}) deletes the image, reverts the task state and records a fault`, async () => {
      await withCloud(1, async (cloud) => {
        const server = await activeServer(cloud);
        const imageId = randomUUID();
        if (failure === 'image upload') failingUploads.add(imageId);
        else cloud.driver(server.host).faults.failNext('snapshot', { message: 'disk copy failed' });
        await cast(cloud, server, 'image_snapshot_pending', () =>
          cloud.workers.computeAgentApi.cast(server.host, 'snapshot_instance', { instanceUuid: server.uuid, imageId }),
        );
        await eventually(async () => {
          assert.ok((await eventResults(cloud, server.uuid)).includes('compute_snapshot_instance:Error'));
          assert.equal(deletedImages.has(imageId), true);
        });
        const row = await waitFor(cloud.db, server.uuid, 'active', null);
        assert.equal(row.power_state, 1);
        const [fault] = await faults(cloud.db, server.uuid);
        assert.match(fault?.message ?? '', failure === 'image upload' ? /upload of image .* failed/ : /disk copy failed/);
        assert.equal(uploadedImages.has(imageId), false);
      });
    });
  }

  test('shelve with shelved_offload_time 0 offloads at once: guest destroyed, claims released, host cleared', async () => {
    await withCloud(2, async (cloud) => {
      const server = await activeServer(cloud);
      const imageId = randomUUID();
      assert.equal(usage(cloud), 1);
      await shelve(cloud, server, imageId);
      const row = await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null);
      assert.equal(row.host, null);
      assert.equal(row.node, null);
      assert.equal(row.power_state, 4);
      assert.equal(cloud.driver(server.host).inspect(server.uuid), undefined);
      assert.ok(uploadedImages.has(imageId));
      const sysmeta = await readSystemMetadata(tables(cloud.db), server.uuid);
      assert.equal(sysmeta['shelved_image_id'], imageId);
      assert.equal(sysmeta['shelved_host'], server.host);
      assert.ok(!Number.isNaN(Date.parse(sysmeta['shelved_at'] ?? '')));
      await eventually(async () => {
        assert.equal(usage(cloud), 0);
        assert.equal(await allocations(cloud, server.uuid), 0);
        assert.deepEqual(await eventResults(cloud, server.uuid), ['schedule_instances:Success', 'compute__do_build_and_run_instance:Success', 'compute_shelve_instance:Success']);
      });
      const node = await tables(cloud.db).selectFrom('compute_nodes').selectAll().where('host', '=', server.host).executeTakeFirstOrThrow();
      assert.equal(node.local_gb_used, 0);
    });
  });

  test('with offload -1 a shelved server keeps its host; shelveOffload then frees it', async () => {
    await withCloud(
      1,
      async (cloud) => {
        const server = await activeServer(cloud);
        await shelve(cloud, server, randomUUID());
        const shelved = await waitFor(cloud.db, server.uuid, 'shelved', null);
        assert.equal(shelved.host, server.host);
        assert.equal(cloud.driver(server.host).inspect(server.uuid)?.powerState, 4);
        assert.equal(usage(cloud), 1);
        await cast(cloud, server, 'shelving_offloading', () =>
          cloud.workers.computeAgentApi.cast(server.host, 'shelve_offload_instance', { instanceUuid: server.uuid, clean: true }),
        );
        assert.equal((await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null)).host, null);
        await eventually(async () => {
          assert.equal(usage(cloud), 0);
          assert.ok((await eventResults(cloud, server.uuid)).includes('compute_shelve_offload_instance:Success'));
        });
      },
      TEN_SLOTS,
      NEVER_OFFLOAD,
    );
  });

  test('the periodic task offloads a server once shelved_offload_time has passed', async () => {
    await withCloud(
      1,
      async (cloud) => {
        const server = await activeServer(cloud);
        await shelve(cloud, server, randomUUID());
        await waitFor(cloud.db, server.uuid, 'shelved', null);
        await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null, 5000);
        await eventually(() => assert.equal(usage(cloud), 0));
      },
      TEN_SLOTS,
      { shelvedOffloadTimeSeconds: 1, shelvedPollIntervalMs: 100 },
    );
  });

  test('a shelve whose snapshot fails stays ACTIVE with its task reverted, the image deleted and the claim kept', async () => {
    await withCloud(1, async (cloud) => {
      const server = await activeServer(cloud);
      const imageId = randomUUID();
      cloud.driver(server.host).faults.failNext('snapshot', { message: 'snapshot broke' });
      await shelve(cloud, server, imageId);
      await eventually(async () => assert.ok((await eventResults(cloud, server.uuid)).includes('compute_shelve_instance:Error')));
      const row = await waitFor(cloud.db, server.uuid, 'active', null);
      assert.equal(row.power_state, 4, 'the guest was powered off before the snapshot, as in Nova');
      assert.equal(row.host, server.host);
      assert.ok(deletedImages.has(imageId));
      assert.match((await faults(cloud.db, server.uuid))[0]?.message ?? '', /snapshot broke/);
      assert.equal(usage(cloud), 1);
    });
  });

  test('a failed offload leaves the server SHELVED on its host with its claim and a fault', async () => {
    await withCloud(
      1,
      async (cloud) => {
        const { server, imageId } = await shelvedServer(cloud, 'shelved');
        cloud.driver(server.host).faults.failNext('destroy', { message: 'destroy broke' });
        await cast(cloud, server, 'shelving_offloading', () =>
          cloud.workers.computeAgentApi.cast(server.host, 'shelve_offload_instance', { instanceUuid: server.uuid, clean: true }),
        );
        await eventually(async () => assert.ok((await eventResults(cloud, server.uuid)).includes('compute_shelve_offload_instance:Error')));
        const row = await waitFor(cloud.db, server.uuid, 'shelved', null);
        assert.equal(row.host, server.host);
        assert.equal(usage(cloud), 1);
        assert.equal(deletedImages.has(imageId), false, 'the shelve snapshot is the shelved server\'s');
      },
      TEN_SLOTS,
      NEVER_OFFLOAD,
    );
  });

  test('unshelve of an offloaded server schedules it again, spawns it from the snapshot and deletes the snapshot', async () => {
    await withCloud(2, async (cloud) => {
      const server = await activeServer(cloud);
      const imageRef = (await instance(cloud.db, server.uuid)).image_ref;
      const imageId = randomUUID();
      await shelve(cloud, server, imageId);
      await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null);
      await eventually(() => assert.equal(usage(cloud), 0));
      await unshelve(cloud, server);
      const row = await waitFor(cloud.db, server.uuid, 'active', null);
      assert.ok(row.host?.startsWith('compute-'));
      assert.equal(row.node, row.host);
      assert.equal(row.power_state, 1);
      assert.equal(row.image_ref, imageRef, 'the server keeps its own image, as Nova restores image_ref');
      assert.equal(cloud.driver(row.host ?? '').inspect(server.uuid)?.powerState, 1);
      assert.deepEqual(await readSystemMetadata(tables(cloud.db), server.uuid), {});
      await eventually(async () => {
        assert.ok(deletedImages.has(imageId));
        assert.equal(usage(cloud), 1);
        assert.equal(await allocations(cloud, server.uuid), 1);
        const names = await eventResults(cloud, server.uuid);
        assert.ok(names.includes('compute_unshelve_instance:Success'), names.join(' '));
        assert.equal(names.filter((name) => name === 'schedule_instances:Success').length, 2, names.join(' '));
      });
    });
  });

  test('unshelve into another availability zone lands on that zone\'s host', async () => {
    await withCloud(2, async (cloud) => {
      const server = await activeServer(cloud);
      const other = server.host === 'compute-1' ? 'compute-2' : 'compute-1';
      await shelve(cloud, server, randomUUID());
      // Offloaded, it is on no host and so in no zone (Nova's _nil_out_instance_obj_host_and_node).
      assert.equal((await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null)).availability_zone, null);
      const aggregates = createComputeStores(cloud.db).aggregates;
      const rack = await aggregates.create('rack-2', 'az2', toDbTimestamp(new Date()));
      await aggregates.addHost(rack.id, other);
      await cloud.workers.schedulerClient.updateAggregate({ id: rack.id, name: rack.name, metadata: { availability_zone: 'az2' }, hosts: [other] });
      await unshelve(cloud, server, { ...specFor([server.uuid]), availabilityZone: 'az2' });
      const unshelved = await waitFor(cloud.db, server.uuid, 'active', null);
      assert.deepEqual([unshelved.host, unshelved.availability_zone], [other, 'az2']);
      assert.ok(cloud.driver(other).inspect(server.uuid));
      assert.equal(cloud.driver(server.host).inspect(server.uuid), undefined);
    });
  });

  test('unshelve of a SHELVED server powers it on where it is, without scheduling', async () => {
    await withCloud(
      2,
      async (cloud) => {
        const { server, imageId } = await shelvedServer(cloud, 'shelved');
        await unshelve(cloud, server);
        const row = await waitFor(cloud.db, server.uuid, 'active', null);
        assert.equal(row.host, server.host);
        assert.equal(cloud.driver(server.host).inspect(server.uuid)?.powerState, 1);
        await eventually(async () => assert.ok(deletedImages.has(imageId)));
        assert.equal(usage(cloud), 1);
        assert.equal((await eventResults(cloud, server.uuid)).filter((name) => name.startsWith('schedule_instances')).length, 1);
      },
      TEN_SLOTS,
      NEVER_OFFLOAD,
    );
  });

  test('unshelve with no valid host goes back to SHELVED_OFFLOADED with a fault and no claim', async () => {
    await withCloud(2, async (cloud) => {
      const server = await activeServer(cloud);
      await shelve(cloud, server, randomUUID());
      await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null);
      const spec = specFor([server.uuid]);
      await unshelve(cloud, server, { ...spec, flavor: { ...spec.flavor, rootGb: 100 } });
      await eventually(async () => assert.ok((await eventResults(cloud, server.uuid)).includes('schedule_instances:Error')));
      const row = await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null);
      assert.equal(row.host, null);
      assert.match((await faults(cloud.db, server.uuid))[0]?.message ?? '', /No valid host/);
      // The offload gives its claim back after the state change the wait above saw.
      await eventually(async () => {
        assert.equal(usage(cloud), 0);
        assert.equal(await allocations(cloud, server.uuid), 0);
      });
    });
  });

  test('an unshelve whose spawn fails returns the server to SHELVED_OFFLOADED and gives its claim back', async () => {
    await withCloud(2, async (cloud) => {
      const { server, imageId } = await shelvedServer(cloud, 'shelved_offloaded');
      for (const host of ['compute-1', 'compute-2']) cloud.driver(host).faults.failNext('spawn', { message: `spawn broke on ${host}` });
      await unshelve(cloud, server);
      await eventually(async () => assert.ok((await eventResults(cloud, server.uuid)).includes('compute_unshelve_instance:Error')));
      const row = await waitFor(cloud.db, server.uuid, 'shelved_offloaded', null);
      assert.equal(row.host, null);
      assert.match((await faults(cloud.db, server.uuid))[0]?.message ?? '', /spawn broke/);
      await eventually(async () => {
        assert.equal(usage(cloud), 0);
        assert.equal(await allocations(cloud, server.uuid), 0);
      });
      assert.equal(deletedImages.has(imageId), false, 'the snapshot stays for the next unshelve');
      assert.equal((await readSystemMetadata(tables(cloud.db), server.uuid))['shelved_image_id'], imageId);
    });
  });

  test('unshelve after the snapshot was deleted puts the server in ERROR with Nova\'s fault', async () => {
    await withCloud(1, async (cloud) => {
      const { server, imageId } = await shelvedServer(cloud, 'shelved_offloaded');
      deletedImages.add(imageId);
      await unshelve(cloud, server);
      const row = await waitFor(cloud.db, server.uuid, 'error', null);
      assert.equal(row.host, null);
      assert.match((await faults(cloud.db, server.uuid))[0]?.message ?? '', new RegExp(`image ${imageId} cannot be found`));
      await eventually(() => assert.equal(usage(cloud), 0));
    });
  });

  test('a restarted agent clears snapshot and shelve task states, finishes an offload and reverts an unshelve', async () => {
    await withCloud(1, async (cloud) => {
      const insert = (vm: string, task: string) => insertInstance(cloud.db, 'p1', { vm_state: vm, task_state: task, host: 'compute-9', node: 'compute-9' });
      const uploading = await insert('active', 'image_uploading');
      const shelving = await insert('active', 'shelving_image_uploading');
      const offloading = await insert('shelved', 'shelving_offloading');
      const unshelving = await insert('shelved_offloaded', 'spawning');
      const agents = await startComputeAgents({ transport: cloud.transport, images, drivers: fakeDriverFactory(), hosts: ['compute-9'], stateDir: cloud.stateDir });
      try {
        assert.deepEqual(pick(await instance(cloud.db, uploading)), ['active', null, 'compute-9']);
        assert.deepEqual(pick(await instance(cloud.db, shelving)), ['active', null, 'compute-9']);
        assert.deepEqual(pick(await instance(cloud.db, offloading)), ['shelved_offloaded', null, null]);
        assert.deepEqual(pick(await instance(cloud.db, unshelving)), ['shelved_offloaded', null, null]);
        assert.equal((await faults(cloud.db, unshelving)).length, 1);
      } finally {
        await agents.stop();
      }
    });
  });
});

function pick(row: { vm_state: string; task_state: string | null; host: string | null }): [string, string | null, string | null] {
  return [row.vm_state, row.task_state, row.host];
}
