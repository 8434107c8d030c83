import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentCallVerb, AgentCastVerb, AgentVerbs, BuildAndRunInstanceArgs, ComputeAgentApi } from '../agent/rpc-api.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { PlacedBuilds } from './placed-builds.js';
import type { AgentInstance } from './rpc-api.js';

/** The columns PlacedBuilds reads; the rest of an instance does not matter here. */
function instance(uuid: string, host: string | null, taskState: TaskState | null, vmState: VmState = VmState.BUILDING): AgentInstance {
  return { uuid, host, taskState, vmState } as AgentInstance;
}

function buildOf(row: AgentInstance): BuildAndRunInstanceArgs {
  return { instance: row, node: row.host ?? '', build: { instanceUuid: row.uuid }, spec: {}, alternates: [] } as unknown as BuildAndRunInstanceArgs;
}

/** An instance store over `read`: statesOf reads each instance named through it. */
function storeOf(read: (uuid: string) => Promise<AgentInstance | undefined>) {
  return {
    get: read,
    async statesOf(uuids: readonly string[]) {
      const states = new Map<string, Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>>();
      for (const uuid of uuids) {
        const row = await read(uuid);
        if (row !== undefined) states.set(uuid, row);
      }
      return states;
    },
  };
}

class RecordingAgents implements ComputeAgentApi {
  readonly casts: { host: string; verb: string; uuid: string | undefined }[] = [];

  cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    const uuid = 'instance' in args ? args.instance.uuid : undefined;
    this.casts.push({ host, verb, uuid });
    return Promise.resolve();
  }

  call<V extends AgentCallVerb>(): Promise<AgentVerbs[V]['result']> {
    return Promise.reject(new Error('no call expected'));
  }
}

test('after a reconnect, only the builds still waiting on the host they were cast to go again; the others are forgotten', async () => {
  const rows = new Map<string, AgentInstance>();
  const agents = new RecordingAgents();
  const placed = new PlacedBuilds(agents, storeOf((uuid) => Promise.resolve(rows.get(uuid))));
  for (const uuid of ['queued', 'started', 'deleted', 'moved']) {
    const row = instance(uuid, 'h1', TaskState.SCHEDULING);
    rows.set(uuid, row);
    await placed.cast('h1', 'build_and_run_instance', buildOf(row));
  }
  await placed.cast('h1', 'start_instance', { instanceUuid: 'other' });
  rows.set('started', instance('started', 'h1', TaskState.SPAWNING));
  rows.delete('deleted');
  // Rescheduled meanwhile: waiting again, but for another host (whose cast is not this one).
  rows.set('moved', instance('moved', 'h2', TaskState.SCHEDULING));
  agents.casts.length = 0;

  assert.equal(await placed.castAgain(), 1);
  assert.deepEqual(agents.casts, [{ host: 'h1', verb: 'build_and_run_instance', uuid: 'queued' }]);

  rows.set('queued', instance('queued', 'h1', null, VmState.ACTIVE));
  agents.casts.length = 0;
  assert.equal(await placed.castAgain(), 0, 'started since: forgotten');
  assert.deepEqual(agents.casts, []);
});

test('a newer build of the instance, cast while the older one was being looked at, is kept', async () => {
  const agents = new RecordingAgents();
  let row = instance('i', 'h1', TaskState.SCHEDULING);
  let meanwhile: (() => Promise<void>) | undefined;
  const placed = new PlacedBuilds(
    agents,
    storeOf(async () => {
      const read = row;
      const step = meanwhile;
      meanwhile = undefined;
      await step?.();
      return read;
    }),
  );
  await placed.cast('h1', 'build_and_run_instance', buildOf(row));
  // Read after the build failed on h1 (waiting for a host again); rescheduled to h2 before the decision.
  row = instance('i', null, TaskState.SCHEDULING);
  meanwhile = async () => {
    row = instance('i', 'h2', TaskState.SCHEDULING);
    await placed.cast('h2', 'build_and_run_instance', buildOf(row));
  };
  assert.deepEqual(await placed.forgetStarted(), []);
  assert.deepEqual((await placed.forgetStarted()).map(({ host }) => host), ['h2'], 'the newer build is still known');
});
