/**
 * os-interface (Nova's InterfaceAttachmentController and compute/api.py attach_interface /
 * detach_interface): reads are the server's ports as Neutron has them, with the caller's token,
 * the device tag (2.70) from the server's network info. Attach checks the server and the port,
 * records the action and calls the server's host, which binds, waits for the wiring and
 * hot-plugs (Nova's attach is a call too: the answer is the port in the guest). Detach casts.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { Conflict, NimbusError, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import { InstanceActionName } from '../actions/instance-actions.js';
import type { NeutronApi, NeutronFixedIp, NeutronPort, NeutronSession } from '../network/neutron-api.js';
import { VmState } from '../state/vm-states.js';
import { hostOf, type ActionSupport } from './action-support.js';
import type { Server } from './server.js';

const LOG = getLogger('nimbus.compute.api');

/** Nova's check_instance_state for attach_interface and detach_interface. */
const INTERFACE_STATES = { vmState: [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED], taskState: [null] } as const;

/** What to attach: the user's port, or a new port on a network (at a fixed IP if given). */
export type InterfaceRequest =
  | { readonly portId: string; readonly tag?: string }
  | { readonly networkId: string; readonly fixedIp?: string; readonly tag?: string };

export interface InterfaceAttachment {
  readonly net_id: string;
  readonly port_id: string;
  readonly mac_addr: string;
  readonly port_state: string;
  readonly fixed_ips: readonly NeutronFixedIp[];
  readonly tag?: string | null;
}

/** The attachment view; `tag` shown only when given (2.70), null for an untagged port. */
function view(port: NeutronPort, tag?: string | null): InterfaceAttachment {
  const attachment = { net_id: port.network_id, port_id: port.id, mac_addr: port.mac_address, port_state: port.status, fixed_ips: port.fixed_ips };
  return tag === undefined ? attachment : { ...attachment, tag };
}

/** The port's device tag as the server's network info has it, where the view shows tags. */
function tagOf(server: Server, portId: string, withTag: boolean): string | null | undefined {
  return withTag ? (server.networkInfo.find((vif) => vif.id === portId)?.tag ?? null) : undefined;
}

async function portOf(session: NeutronSession, portId: string): Promise<NeutronPort> {
  try {
    return await session.getPort(portId);
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw new NotFound(`Port id ${portId} could not be found.`);
    throw error;
  }
}

export class ServerInterfaces {
  constructor(
    private readonly neutron: NeutronApi,
    private readonly support: ActionSupport,
  ) {}

  async list(context: RequestContext, server: Server, withTag: boolean): Promise<InterfaceAttachment[]> {
    const ports = await this.neutron.forUser(context).listPorts({ device_id: server.row.uuid });
    return ports.map((port) => view(port, tagOf(server, port.id, withTag)));
  }

  async show(context: RequestContext, server: Server, portId: string, withTag: boolean): Promise<InterfaceAttachment> {
    const port = await portOf(this.neutron.forUser(context), portId);
    if (port.device_id !== server.row.uuid) throw new NotFound(`Instance ${server.row.uuid} does not have a port with id ${portId}`);
    return view(port, tagOf(server, port.id, withTag));
  }

  /** The port in the guest once the host hot-plugged it (errors of the port itself are the caller's). */
  async attach(context: RequestContext, server: Server, request: InterfaceRequest, withTag: boolean): Promise<InterfaceAttachment> {
    const { support } = this;
    await support.guard(context, server, 'attach_interface', INTERFACE_STATES);
    const uuid = server.row.uuid;
    const host = hostOf(server);
    const user = this.neutron.forUser(context);
    if ('portId' in request) {
      const port = await portOf(user, request.portId);
      if (port.device_id !== '') throw new Conflict(`Port ${port.id} is still in use.`);
    }
    await support.record(context, uuid, InstanceActionName.ATTACH_INTERFACE);
    const portId = await support.agents.call(host, 'attach_interface', {
      instanceUuid: uuid,
      portId: 'portId' in request ? request.portId : null,
      networkId: 'networkId' in request ? request.networkId : null,
      fixedIp: 'networkId' in request ? (request.fixedIp ?? null) : null,
      tag: request.tag ?? null,
    });
    LOG.info(`Attached interface ${portId}`, { instance: uuid });
    const port = await portOf(user, portId);
    return view(port, withTag ? (request.tag ?? null) : undefined);
  }

  /** Casts the detach once the port is the server's; the port leaves `addresses` when the host is done. */
  async detach(context: RequestContext, server: Server, portId: string): Promise<void> {
    const { support } = this;
    await support.guard(context, server, 'detach_interface', INTERFACE_STATES);
    const uuid = server.row.uuid;
    const host = hostOf(server);
    const port = await portOf(this.neutron.forUser(context), portId);
    if (port.device_id !== uuid) throw new NotFound(`Instance ${uuid} does not have a port with id ${portId}`);
    await support.record(context, uuid, InstanceActionName.DETACH_INTERFACE);
    await support.agents.cast(host, 'detach_interface', { instanceUuid: uuid, portId });
    LOG.info(`Detaching interface ${portId}`, { instance: uuid });
  }
}
