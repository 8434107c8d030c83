import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentContext, runWithContext } from '../../common/context/request-context.js';
import type { RequestSpec } from '../scheduler/request-spec.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { AcceptedBuilds } from './accepted-builds.js';
import type { AgentInstance, BuildRequest, ComputeTaskApi } from './rpc-api.js';

type State = Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>;

const waiting: State = { vmState: VmState.BUILDING, taskState: TaskState.SCHEDULING, host: null };

/** The conductors' API as the compute API sees it: records each build cast, with the request it came in. */
class RecordingConductors implements ComputeTaskApi {
  readonly builds: { uuids: string[]; requestId: string | undefined }[] = [];

  buildInstances(builds: readonly BuildRequest[]): Promise<void> {
    this.builds.push({ uuids: builds.map((build) => build.instanceUuid), requestId: currentContext()?.requestId });
    return Promise.resolve();
  }

  unshelveInstance = (): Promise<void> => Promise.resolve();
  resizeInstance = (): Promise<void> => Promise.resolve();
  liveMigrateInstance = (): Promise<void> => Promise.resolve();
  evacuateInstance = (): Promise<void> => Promise.resolve();
}

/** A reconnect the test triggers by hand. */
class Reconnects {
  #listeners: (() => void)[] = [];

  onReconnected(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((other) => other !== listener));
  }

  fire(): void {
    for (const listener of this.#listeners) listener();
  }
}

test('after a reconnect, only the accepted builds no conductor placed go to the conductors again, one each, under their request id; the others are forgotten', async () => {
  const states = new Map<string, State>();
  const conductors = new RecordingConductors();
  const accepted = new AcceptedBuilds(conductors, {
    statesOf: (uuids) => Promise.resolve(new Map(uuids.flatMap((uuid) => (states.has(uuid) ? [[uuid, states.get(uuid) as State]] : [])))),
  });
  const uuids = ['queued-1', 'queued-2', 'placed', 'deleted', 'failed'];
  for (const uuid of uuids) states.set(uuid, waiting);
  const builds = uuids.map((uuid) => ({ instanceUuid: uuid, imageRef: 'image', requestedNetworks: 'none' as const }));
  await runWithContext({ requestId: 'req-11111111-2222-3333-4444-555555555555' }, () => accepted.buildInstances(builds, {} as RequestSpec));
  states.set('placed', { ...waiting, host: 'h1' });
  states.delete('deleted');
  states.set('failed', { vmState: VmState.ERROR, taskState: null, host: null });
  conductors.builds.length = 0;

  assert.equal(await accepted.castAgain(), 2);
  assert.deepEqual(conductors.builds, [
    { uuids: ['queued-1'], requestId: 'req-11111111-2222-3333-4444-555555555555' },
    { uuids: ['queued-2'], requestId: 'req-11111111-2222-3333-4444-555555555555' },
  ]);

  states.set('queued-1', { ...waiting, host: 'h2' });
  conductors.builds.length = 0;
  assert.equal(await accepted.castAgain(), 1, 'placed since: forgotten');
  assert.deepEqual(conductors.builds.map((build) => build.uuids), [['queued-2']]);
});

test('the transport reconnecting casts again; once stopped, it does not', async () => {
  const conductors = new RecordingConductors();
  const accepted = new AcceptedBuilds(conductors, { statesOf: (uuids) => Promise.resolve(new Map(uuids.map((uuid) => [uuid, waiting]))) });
  const transport = new Reconnects();
  const stop = accepted.watch(transport, 60_000);
  await accepted.buildInstances([{ instanceUuid: 'i', imageRef: 'image', requestedNetworks: 'none' }], {} as RequestSpec);
  transport.fire();
  for (let attempt = 0; attempt < 50 && conductors.builds.length < 2; attempt += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(conductors.builds.map((build) => build.uuids), [['i'], ['i']]);
  await stop();
  transport.fire();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(conductors.builds.length, 2);
});
