import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { runWithContext, type RequestContext } from '../common/context/request-context.js';
import { initInstance } from './agent/init-instance.js';
import { ConductorClient } from './conductor/rpc-client.js';
import type { ServersService } from './servers/servers-service.js';
import { build, events, eventually, faults, instance, newServer, setTask, tables, usage, waitFor, withCloud, serversOf, type Cloud } from './testing/worker-cloud.js';

/** A fresh request (its own request id, so each action gets its own events) by the server's owner. */
function request(base: RequestContext): RequestContext {
  return { ...base, requestId: `req-${randomUUID()}` };
}

async function running(cloud: Cloud): Promise<{ uuid: string; context: RequestContext; host: string; servers: ServersService }> {
  const { uuid, context } = await newServer(cloud.db);
  await build(cloud, uuid, context);
  const row = await waitFor(cloud.db, uuid, 'active');
  return { uuid, context, host: row.host ?? '', servers: serversOf(cloud) };
}

/** Runs one API request: the action gets that request's context, so its action record carries the request id the workers report under. */
async function act(servers: ServersService, context: RequestContext, uuid: string, action: (server: Awaited<ReturnType<ServersService['get']>>, context: RequestContext) => Promise<unknown>) {
  await runWithContext(context, async () => action(await servers.get(context, uuid), context));
}

async function eventResults(cloud: Cloud, uuid: string): Promise<string[]> {
  return (await events(cloud.db, uuid)).map((event) => `${event.event}:${event.result ?? '-'}`);
}

describe('pause, suspend, rescue and rebuild on the workers (fake driver)', () => {
  test('pause/unpause and suspend/resume through the compute API: vm and power states, the guest, the events', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context, host, servers } = await running(cloud);
      const guest = () => cloud.driver(host).inspect(uuid);
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.pause(ctx, server));
      assert.equal((await waitFor(cloud.db, uuid, 'paused')).power_state, 3);
      assert.equal(guest()?.powerState, 3);
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.unpause(ctx, server));
      assert.equal((await waitFor(cloud.db, uuid, 'active')).power_state, 1);
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.suspend(ctx, server));
      assert.equal((await waitFor(cloud.db, uuid, 'suspended')).power_state, 7);
      assert.equal(guest()?.powerState, 7);
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.resume(ctx, server));
      assert.equal((await waitFor(cloud.db, uuid, 'active')).power_state, 1);
      assert.equal(guest()?.powerState, 1);
      await eventually(async () => {
        const names = await eventResults(cloud, uuid);
        for (const verb of ['pause', 'unpause', 'suspend', 'resume']) assert.ok(names.includes(`compute_${verb}_instance:Success`), names.join(' '));
      });
    });
  });

  test('rescue boots the rescue image with the own disk attached; unrescue boots the own disk again', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context, host, servers } = await running(cloud);
      const rescueImage = randomUUID();
      let password = '';
      await act(servers, request(context), uuid, async (server, ctx) => {
        password = await servers.guest.rescue(ctx, server, { rescueImageRef: rescueImage });
      });
      assert.equal(password.length, 12);
      const rescued = await waitFor(cloud.db, uuid, 'rescued');
      assert.equal(rescued.power_state, 1);
      assert.equal(cloud.driver(host).inspect(uuid)?.rescued, true);
      const console = await cloud.driver(host).getConsoleOutput({ uuid, name: `instance-${uuid.slice(0, 8)}` });
      assert.match(console, new RegExp(`rescue boot from image ${rescueImage}`));
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.unrescue(ctx, server));
      await waitFor(cloud.db, uuid, 'active');
      assert.equal(cloud.driver(host).inspect(uuid)?.rescued, false);
      await eventually(async () => {
        const names = await eventResults(cloud, uuid);
        assert.ok(names.includes('compute_rescue_instance:Success') && names.includes('compute_unrescue_instance:Success'), names.join(' '));
      });
    });
  });

  test('rebuild respawns the guest from the new image on the same host through rebuild_spawning; a stopped server comes back stopped; no claim moves', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context, host, servers } = await running(cloud);
      const before = await instance(cloud.db, uuid);
      const used = usage(cloud);
      const newImage = randomUUID();
      cloud.driver(host).delays.set('spawn', 150);
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rebuild(ctx, server, { imageRef: newImage, preserveEphemeral: false }));
      await waitFor(cloud.db, uuid, 'active', 'rebuild_spawning');
      const row = await waitFor(cloud.db, uuid, 'active');
      cloud.driver(host).delays.set('spawn', 0);
      assert.deepEqual([row.host, row.image_ref, row.power_state], [host, newImage, 1]);
      assert.notEqual(row.launched_at, before.launched_at);
      assert.equal(cloud.driver(host).inspect(uuid)?.bootCount, 1, 'a new disk');
      const console = await cloud.driver(host).getConsoleOutput({ uuid, name: `instance-${uuid.slice(0, 8)}` });
      assert.match(console, new RegExp(newImage));
      assert.equal(usage(cloud), used);

      await tables(cloud.db).updateTable('compute_instances').set({ vm_state: 'stopped', power_state: 4 }).where('uuid', '=', uuid).execute();
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rebuild(ctx, server, { imageRef: newImage, preserveEphemeral: false }));
      assert.equal((await waitFor(cloud.db, uuid, 'stopped')).power_state, 4);
      assert.equal(cloud.driver(host).inspect(uuid)?.powerState, 4);
      await eventually(async () => assert.equal((await eventResults(cloud, uuid)).filter((name) => name === 'compute_rebuild_instance:Success').length, 2));
    });
  });

  test('driver faults: pause reverts the task, suspend and rescue go to ERROR; each with a fault and a failed event', async () => {
    await withCloud(1, async (cloud) => {
      const { uuid, context, host, servers } = await running(cloud);
      const faultsNow = async () => (await faults(cloud.db, uuid)).map((fault) => fault.message);
      cloud.driver(host).faults.failNext('pause', { instanceUuid: uuid, message: 'cpu stuck' });
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.pause(ctx, server));
      // The fault is written first, then the task reverted (the revert is what ends the action).
      await eventually(async () => {
        assert.deepEqual(await faultsNow(), ['pause of instance ' + uuid + ' failed: cpu stuck']);
        const afterPause = await instance(cloud.db, uuid);
        assert.deepEqual([afterPause.vm_state, afterPause.task_state, afterPause.power_state], ['active', null, 1]);
      });

      cloud.driver(host).faults.failNext('suspend', { instanceUuid: uuid, message: 'no room for the memory image' });
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.suspend(ctx, server));
      await waitFor(cloud.db, uuid, 'error');
      await eventually(async () => assert.match((await faultsNow()).join('|'), /no room for the memory image/));

      cloud.driver(host).faults.failNext('rescue', { instanceUuid: uuid, message: 'rescue disk missing' });
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rescue(ctx, server, {}));
      // As for pause: the fault is written before the state, so both are awaited together.
      await eventually(async () => {
        assert.match((await faultsNow()).join('|'), new RegExp(`Instance ${uuid} cannot be rescued: Driver Error: .*rescue disk missing`));
        const afterRescue = await instance(cloud.db, uuid);
        assert.deepEqual([afterRescue.vm_state, afterRescue.task_state], ['error', null]);
      });
      await eventually(async () => {
        const names = await eventResults(cloud, uuid);
        for (const verb of ['pause', 'suspend', 'rescue']) assert.ok(names.includes(`compute_${verb}_instance:Error`), names.join(' '));
      });
      const actions = await tables(cloud.db).selectFrom('compute_instance_actions').select(['action', 'message']).where('instance_uuid', '=', uuid).execute();
      assert.deepEqual(actions.filter((action) => action.message === 'Error').map((action) => action.action).sort(), ['pause', 'rescue', 'suspend']);
    });
  });

  test('a failed rebuild spawn is ERROR with the fault and no guest; a second rebuild from ERROR recovers it; the claim stays until delete', async () => {
    await withCloud(2, async (cloud) => {
      const { uuid, context, host, servers } = await running(cloud);
      const used = usage(cloud);
      cloud.driver(host).faults.failNext('spawn', { instanceUuid: uuid, message: 'image unreadable' });
      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rebuild(ctx, server, { imageRef: randomUUID(), preserveEphemeral: false }));
      await waitFor(cloud.db, uuid, 'error');
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).map((fault) => fault.message).join('|'), /image unreadable/));
      assert.equal(cloud.driver(host).inspect(uuid), undefined);
      assert.equal(usage(cloud), used);

      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rebuild(ctx, server, { imageRef: randomUUID(), preserveEphemeral: true }));
      await waitFor(cloud.db, uuid, 'error');
      await eventually(async () => assert.match((await faults(cloud.db, uuid)).map((fault) => fault.message).join('|'), /does not support preserving ephemeral partitions/));

      await act(servers, request(context), uuid, (server, ctx) => servers.guest.rebuild(ctx, server, { imageRef: randomUUID(), preserveEphemeral: false }));
      const recovered = await waitFor(cloud.db, uuid, 'active');
      assert.deepEqual([recovered.host, recovered.power_state], [host, 1]);
      assert.equal(cloud.driver(host).inspect(uuid)?.powerState, 1);
      await act(servers, request(context), uuid, (server, ctx) => servers.actions.delete(ctx, server));
      await eventually(() => assert.equal(usage(cloud), 0));
    });
  });

  test('agent restart: pausing, suspending and resuming run again, unpausing a guest already running is finished; rebuilding and rescuing become ERROR with a fault', async () => {
    await withCloud(1, async (cloud) => {
      const [agent] = cloud.workers.agents;
      assert.ok(agent);
      const conductor = new ConductorClient(cloud.transport, 5);
      const restart = async (uuid: string) => {
        const found = await conductor.instanceGet(uuid);
        assert.ok(found);
        await initInstance(agent.manager.handlers, conductor, agent.host, found);
      };
      const { uuid, context } = await newServer(cloud.db);
      await build(cloud, uuid, context);
      await waitFor(cloud.db, uuid, 'active');

      await setTask(cloud.db, uuid, 'pausing');
      await restart(uuid);
      assert.equal((await waitFor(cloud.db, uuid, 'paused')).power_state, 3);
      // The guest runs again already (the agent died before it wrote so): unpausing is finished, not failed.
      await agent.driver.unpause({ uuid, name: `instance-${uuid.slice(0, 8)}` });
      await setTask(cloud.db, uuid, 'unpausing');
      await restart(uuid);
      await waitFor(cloud.db, uuid, 'active');
      await setTask(cloud.db, uuid, 'suspending');
      await restart(uuid);
      assert.equal((await waitFor(cloud.db, uuid, 'suspended')).power_state, 7);
      await setTask(cloud.db, uuid, 'resuming');
      await restart(uuid);
      assert.equal((await waitFor(cloud.db, uuid, 'active')).power_state, 1);
      assert.deepEqual(await faults(cloud.db, uuid), []);

      for (const [task, words] of [['rebuild_spawning', 'rebuilt'], ['rescuing', 'rescued']] as const) {
        await setTask(cloud.db, uuid, task);
        await restart(uuid);
        const failed = await instance(cloud.db, uuid);
        assert.deepEqual([failed.vm_state, failed.task_state], ['error', null]);
        assert.equal((await faults(cloud.db, uuid)).at(-1)?.message, `The compute service restarted while the instance was being ${words}.`);
        await tables(cloud.db).updateTable('compute_instances').set({ vm_state: 'active' }).where('uuid', '=', uuid).execute();
      }
    });
  });
});
