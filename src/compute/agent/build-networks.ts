/**
 * The network part of a build (Nova's _build_networks_for_instance and the libvirt driver's wait
 * for network-vif-plugged): ports made or taken, the wait for their plug events registered, the
 * ports bound here, the info cache stored, then the wait. Whatever fails gives the ports back.
 */
import { currentContext, newAdminContext } from '../../common/context/request-context.js';
import { messageOf } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { AgentInstance, BuildRequest } from '../conductor/rpc-api.js';
import { PortBindingFailed, type PreparedPort } from '../network/instance-network.js';
import type { NetworkInfo } from '../network/network-info.js';
import type { PreparedEvents } from './instance-events.js';
import type { ComputeManagerDeps } from './operations/operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

export const VIF_PLUGGED = 'network-vif-plugged';

/** Nova's BuildAbortException: the build fails here, without a reschedule. */
export class BuildAborted extends Error {
  constructor(instanceUuid: string, reason: string) {
    super(`Build of instance ${instanceUuid} aborted: ${reason}`);
  }
}

const NETWORK_FAILED = 'Failed to allocate the network(s), not rescheduling.';

/** Ports for the build, bound to this host and plugged by the network agent; the network info the guest starts with. */
export async function buildNetworks(deps: ComputeManagerDeps, instance: AgentInstance, build: BuildRequest): Promise<NetworkInfo> {
  const { network } = deps;
  const requested = build.requestedNetworks;
  if (network === undefined) {
    if (requested === 'auto' || requested === 'none') return [];
    throw new BuildAborted(instance.uuid, 'This compute host has no network API configured ([neutron] or [service_user])');
  }
  const context = currentContext() ?? newAdminContext();
  let ports: PreparedPort[] = [];
  try {
    ports = await network.preparePorts(context, instance, requested, build.securityGroups ?? []);
  } catch (error) {
    LOG.error(`Failed to allocate network(s): ${messageOf(error)}`, { instance: instance.uuid });
    throw new BuildAborted(instance.uuid, NETWORK_FAILED);
  }
  if (ports.length === 0) return [];
  // Registered before the binding: the network agent may plug the port and Neutron report it at once.
  const plugged = deps.events.prepare(instance.uuid, ports.map(({ port }) => ({ name: VIF_PLUGGED, tag: port.id })));
  try {
    const info = await network.bindPorts(context, instance, ports, deps.host);
    await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: info });
    if ((await vifPluggingFailed(deps, instance.uuid, plugged)) !== null) throw new BuildAborted(instance.uuid, NETWORK_FAILED);
    return info;
  } catch (error) {
    plugged.abandon();
    await network.release(context, instance, ports);
    await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: [] });
    if (error instanceof BuildAborted) throw error;
    // Nova's PortBindingFailed is no BuildAbortException: another host may reach the network (its agent maps the physical network), so the build is rescheduled.
    if (error instanceof PortBindingFailed) throw error;
    LOG.error(`Failed to allocate network(s): ${messageOf(error)}`, { instance: instance.uuid });
    throw new BuildAborted(instance.uuid, NETWORK_FAILED);
  }
}

/**
 * Nova's wait for network-vif-plugged (_create_guest_with_network, attach_interface): a timeout
 * or a failed event is fatal only with vif_plugging_is_fatal. Answers why it failed, or null.
 */
export async function vifPluggingFailed(deps: ComputeManagerDeps, instanceUuid: string, plugged: PreparedEvents): Promise<string | null> {
  const timeout = deps.vifPluggingTimeoutSeconds ?? 300;
  if (timeout <= 0) {
    plugged.abandon();
    return null;
  }
  const fatal = deps.vifPluggingIsFatal ?? true;
  const { missing, failed } = await plugged.wait(timeout);
  if (failed.length > 0) {
    LOG.error(`Neutron reported failure on event(s) ${failed.join(', ')}`, { instance: instanceUuid });
    if (fatal) return `Neutron reported failure on event(s) ${failed.join(', ')}`;
  }
  if (missing.length === 0) return null;
  if (fatal) {
    LOG.error(`Timeout waiting for [${missing.join(', ')}] for instance after ${timeout} seconds: Virtual Interface creation failed`, { instance: instanceUuid });
    return `Timeout waiting for [${missing.join(', ')}] after ${timeout} seconds`;
  }
  LOG.warning(`Timeout waiting for vif plugging callback for instance: ${missing.join(', ')}`, { instance: instanceUuid });
  return null;
}
