/**
 * Nova's wrap_instance_event and wrap_instance_fault for an agent operation: the work runs under
 * the instance's lock between an action event's start and finish; a failure finishes the event
 * as Error and records an instance fault.
 */
import { messageOf, NotFound } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import type { OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

const GONE = Symbol('gone');

async function runEvent<T>(context: OperationContext, uuid: string, event: string, work: (instance: AgentInstance) => Promise<T>): Promise<T | typeof GONE> {
  const { deps, runner } = context;
  return runner.locks.run(uuid, async () => {
    const instance = await deps.conductor.instanceGet(uuid);
    if (instance === null) return GONE;
    await deps.conductor.actionEventStart({ uuid, event, host: deps.host });
    let result: T;
    try {
      result = await work(instance);
    } catch (error) {
      LOG.error(`${event} failed: ${messageOf(error)}`, { instance: uuid, error });
      await deps.conductor.instanceFaultCreate({ uuid, code: 500, message: messageOf(error), host: deps.host });
      await deps.conductor.actionEventFinish({ uuid, event, host: deps.host, result: 'Error', traceback: messageOf(error) });
      throw error;
    }
    await deps.conductor.actionEventFinish({ uuid, event, host: deps.host, result: 'Success' });
    return result;
  });
}

/** For a cast: the failure is recorded (event and fault) and goes no further; an instance gone meanwhile is ignored. */
export async function withEvent(context: OperationContext, uuid: string, event: string, work: (instance: AgentInstance) => Promise<void>): Promise<void> {
  try {
    if ((await runEvent(context, uuid, event, work)) === GONE) LOG.info(`Ignoring ${event}: the instance is gone`, { instance: uuid });
  } catch {
    // Recorded as the event's Error and the instance's fault: nobody waits for a cast's outcome.
  }
}

/** For a call: the failure is recorded and thrown back to the caller; an instance gone meanwhile is 404. */
export async function callWithEvent<T>(context: OperationContext, uuid: string, event: string, work: (instance: AgentInstance) => Promise<T>): Promise<T> {
  const result = await runEvent(context, uuid, event, work);
  if (result === GONE) throw new NotFound(`Instance ${uuid} could not be found.`);
  return result;
}
