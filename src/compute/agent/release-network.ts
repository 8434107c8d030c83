/** Nova's _try_deallocate_network: the instance's ports given back, failures logged (a delete must not stop on them). */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AgentInstance } from '../conductor/rpc-api.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export async function releaseNetwork(deps: ComputeManagerDeps, instance: AgentInstance): Promise<void> {
  if (deps.network === undefined) return;
  try {
    await deps.network.deallocate(currentContext() ?? newAdminContext(), instance, instance.networkInfo);
    if (instance.networkInfo.length > 0) await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: [] });
  } catch (error) {
    LOG.error(`Failed to deallocate network for instance: ${messageOf(error)}`, { instance: instance.uuid });
  }
}
