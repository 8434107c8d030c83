/**
 * attach_interface and detach_interface (Nova's ComputeManager.attach_interface /
 * detach_interface): a port made on the network or the user's taken, bound to this host and
 * wired by the network agent (the wait for network-vif-plugged, as at boot), then hot-plugged
 * and added to the network info cache; or unplugged, given back (deleted if Nova made it,
 * unbound if the user's) and dropped from the cache. A failed attach gives the port back.
 */
import { currentContext, newAdminContext } from '../../../common/context/request-context.js';
import { messageOf, NimbusError } from '../../../common/errors/errors.js';
import { getLogger } from '../../../common/logging/logger.js';
import type { AgentInstance } from '../../conductor/rpc-api.js';
import type { InstanceNetwork } from '../../network/instance-network.js';
import { vifSpec, type CachedVif } from '../../network/network-info.js';
import { DeviceNotFound } from '../../virt/errors.js';
import { VIF_PLUGGED, vifPluggingFailed } from '../build-networks.js';
import { guestRef } from '../guest-spec.js';
import type { AgentHandlers, AttachInterfaceArgs, DetachInterfaceArgs } from '../rpc-api.js';
import { callWithEvent, withEvent } from './instance-event.js';
import type { ComputeManagerDeps, OperationContext } from './operation-context.js';

const LOG = getLogger('nimbus.compute.manager');

/** Nova's InterfaceAttachFailed. */
class InterfaceAttachFailed extends NimbusError {
  constructor(instanceUuid: string, reason: string) {
    super(500, `Failed to attach network adapter device to ${instanceUuid}: ${reason}`);
  }
}

function networkApi(deps: ComputeManagerDeps): InstanceNetwork {
  if (deps.network === undefined) throw new NimbusError(400, 'This compute host has no network API configured ([neutron] or [service_user])');
  return deps.network;
}

async function attachInterface({ deps }: OperationContext, instance: AgentInstance, args: AttachInterfaceArgs): Promise<string> {
  const network = networkApi(deps);
  const context = currentContext() ?? newAdminContext();
  const requested = {
    ...(args.portId === null ? {} : { port: args.portId }),
    ...(args.networkId === null ? {} : { uuid: args.networkId }),
    ...(args.fixedIp === null ? {} : { fixedIp: args.fixedIp }),
    ...(args.tag === null ? {} : { tag: args.tag }),
  };
  // The port's own errors (in use 409, unknown 404, address taken 409) are the caller's.
  const prepared = await network.preparePorts(context, instance, [requested], []);
  const [first] = prepared;
  if (first === undefined) throw new InterfaceAttachFailed(instance.uuid, 'no port was allocated');
  const portId = first.port.id;
  // Registered before the binding: the network agent may wire the port at once.
  const plugged = deps.events.prepare(instance.uuid, [{ name: VIF_PLUGGED, tag: portId }]);
  let attached: CachedVif | undefined;
  try {
    const [vif] = await network.bindPorts(context, instance, prepared, deps.host);
    if (vif === undefined) throw new InterfaceAttachFailed(instance.uuid, `port ${portId} could not be bound`);
    const failed = await vifPluggingFailed(deps, instance.uuid, plugged);
    if (failed !== null) throw new InterfaceAttachFailed(instance.uuid, failed);
    await deps.driver.attachInterface(guestRef(instance), vifSpec(vif));
    attached = vif;
    await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: [...instance.networkInfo.filter((cached) => cached.id !== portId), vif] });
    LOG.info(`Attached interface ${portId} on network ${vif.networkId}`, { instance: instance.uuid });
    return portId;
  } catch (error) {
    plugged.abandon();
    // Undo in reverse: the guest's NIC, then the port (deleted if made here, the user's unbound).
    if (attached !== undefined) await deps.driver.detachInterface(guestRef(instance), vifSpec(attached)).catch((undo: unknown) => LOG.warning(`Could not unplug port ${portId} after a failed attach: ${messageOf(undo)}`, { instance: instance.uuid }));
    await network.release(context, instance, prepared);
    if (error instanceof NimbusError && error.status < 500) throw error;
    throw error instanceof InterfaceAttachFailed ? error : new InterfaceAttachFailed(instance.uuid, messageOf(error));
  }
}

async function detachInterface({ deps }: OperationContext, instance: AgentInstance, args: DetachInterfaceArgs): Promise<void> {
  const network = networkApi(deps);
  const vif = instance.networkInfo.find((cached) => cached.id === args.portId);
  if (vif === undefined) throw new NimbusError(404, `Port ${args.portId} is not attached to instance ${instance.uuid}`);
  try {
    await deps.driver.detachInterface(guestRef(instance), vifSpec(vif));
  } catch (error) {
    if (!(error instanceof DeviceNotFound)) throw error;
    LOG.info(`Port ${vif.id} was not plugged into the guest; detaching it in the records`, { instance: instance.uuid });
  }
  await network.deallocatePort(currentContext() ?? newAdminContext(), instance, vif);
  await deps.conductor.instanceInfoCacheUpdate({ uuid: instance.uuid, networkInfo: instance.networkInfo.filter((cached) => cached.id !== vif.id) });
  LOG.info(`Detached interface ${vif.id}`, { instance: instance.uuid });
}

export function interfaceOperations(context: OperationContext): Pick<AgentHandlers, 'attach_interface' | 'detach_interface'> {
  return {
    attach_interface: (args) => callWithEvent(context, args.instanceUuid, 'compute_attach_interface', (instance) => attachInterface(context, instance, args)),
    detach_interface: (args) => withEvent(context, args.instanceUuid, 'compute_detach_interface', (instance) => detachInterface(context, instance, args)),
  };
}
