/**
 * A step of a multi-host operation that runs outside the instance's lock (the operation on the
 * other host holds it): recorded as its own action event (Nova's wrap_instance_event), its error
 * logged and handed back to the caller.
 */
import { messageOf } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { ComputeManagerDeps } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export async function runEvent<T>(deps: ComputeManagerDeps, uuid: string, event: string, work: () => Promise<T>): Promise<T> {
  const { conductor, host } = deps;
  await conductor.actionEventStart({ uuid, event, host });
  try {
    const result = await work();
    await conductor.actionEventFinish({ uuid, event, host, result: 'Success' });
    return result;
  } catch (error) {
    LOG.error(`${event} failed: ${messageOf(error)}`, { instance: uuid });
    await conductor.actionEventFinish({ uuid, event, host, result: 'Error', traceback: messageOf(error) });
    throw error;
  }
}
