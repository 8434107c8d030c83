/**
 * The ports of an instance that moves follow it (Nova's setup_networks_on_host and
 * migrate_instance_finish): bound to the host about to run the guest before it starts there, the
 * network info read back and stored, so the taps are plugged into that host's bridges.
 */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import type { AgentInstance } from '../conductor/rpc-api.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

/** The instance with its ports bound to `host` (this agent's by default). */
export async function bindNetworkTo(deps: ComputeManagerDeps, instance: AgentInstance, host: string = deps.host): Promise<AgentInstance> {
  if (deps.network === undefined || instance.networkInfo.length === 0) return instance;
  const networkInfo = await deps.network.rebind(currentContext() ?? newAdminContext(), instance, instance.networkInfo, host);
  await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo });
  return { ...instance, networkInfo };
}
