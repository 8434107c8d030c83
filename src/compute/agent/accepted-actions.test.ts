import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentInstance } from '../conductor/rpc-api.js';
import { TaskState } from '../state/task-states.js';
import { VmState } from '../state/vm-states.js';
import { AcceptedActions } from './accepted-actions.js';
import type { AgentCallVerb, AgentCastVerb, AgentVerbs, ComputeAgentApi } from './rpc-api.js';

type State = Pick<AgentInstance, 'vmState' | 'taskState' | 'host'>;

class RecordingAgents implements ComputeAgentApi {
  readonly casts: string[] = [];

  cast<V extends AgentCastVerb>(host: string, verb: V, args: AgentVerbs[V]['args']): Promise<void> {
    this.casts.push(`${verb}@${host}:${'instanceUuid' in args ? String(args.instanceUuid) : '-'}`);
    return Promise.resolve();
  }

  call<V extends AgentCallVerb>(): Promise<AgentVerbs[V]['result']> {
    return Promise.reject(new Error('no call expected'));
  }
}

test('after a reconnect, the actions whose server is still in a task state on their host go again with the same arguments; moves and taken actions do not', async () => {
  const states = new Map<string, State>();
  const agents = new RecordingAgents();
  const accepted = new AcceptedActions(agents, {
    statesOf: (uuids) => Promise.resolve(new Map(uuids.flatMap((uuid) => (states.has(uuid) ? [[uuid, states.get(uuid) as State]] : [])))),
  });
  const active = (taskState: TaskState | null, host = 'h1'): State => ({ vmState: VmState.ACTIVE, taskState, host });
  states.set('stopping', active(TaskState.POWERING_OFF));
  states.set('rebooting', active(TaskState.REBOOTING_HARD));
  states.set('stopped', active(TaskState.POWERING_OFF));
  states.set('deleted', active(TaskState.DELETING));
  states.set('resizing', active(TaskState.RESIZE_PREP));
  await accepted.cast('h1', 'stop_instance', { instanceUuid: 'stopping', clean: true });
  await accepted.cast('h1', 'reboot_instance', { instanceUuid: 'rebooting', rebootType: 'HARD' });
  await accepted.cast('h1', 'stop_instance', { instanceUuid: 'stopped', clean: true });
  await accepted.cast('h1', 'terminate_instance', { instanceUuid: 'deleted' });
  await accepted.cast('h1', 'confirm_resize', { instanceUuid: 'resizing' } as unknown as AgentVerbs['confirm_resize']['args']);
  states.set('stopped', { vmState: VmState.STOPPED, taskState: null, host: 'h1' });
  states.delete('deleted');
  agents.casts.length = 0;

  assert.equal(await accepted.castAgain(), 2);
  assert.deepEqual(agents.casts, ['stop_instance@h1:stopping', 'reboot_instance@h1:rebooting']);

  // Evacuated meanwhile: its host is another now, and the action is not that host's.
  states.set('rebooting', active(TaskState.REBUILDING, 'h2'));
  states.set('stopping', { vmState: VmState.STOPPED, taskState: null, host: 'h1' });
  agents.casts.length = 0;
  assert.equal(await accepted.castAgain(), 0);
  assert.deepEqual(agents.casts, []);
});
