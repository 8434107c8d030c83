/**
 * os-interface reads (Nova's InterfaceAttachmentController index and show): the server's ports as
 * Neutron has them, with the caller's token; the device tag (2.70) from the server's network info.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError, NotFound } from '../../common/errors/errors.js';
import type { NeutronApi, NeutronFixedIp, NeutronPort } from '../network/neutron-api.js';
import type { Server } from './server.js';

export interface InterfaceAttachment {
  readonly net_id: string;
  readonly port_id: string;
  readonly mac_addr: string;
  readonly port_state: string;
  readonly fixed_ips: readonly NeutronFixedIp[];
  readonly tag?: string | null;
}

function view(port: NeutronPort, server: Server, withTag: boolean): InterfaceAttachment {
  const attachment = { net_id: port.network_id, port_id: port.id, mac_addr: port.mac_address, port_state: port.status, fixed_ips: port.fixed_ips };
  return withTag ? { ...attachment, tag: server.networkInfo.find((vif) => vif.id === port.id)?.tag ?? null } : attachment;
}

export class ServerInterfaces {
  constructor(private readonly neutron: NeutronApi) {}

  async list(context: RequestContext, server: Server, withTag: boolean): Promise<InterfaceAttachment[]> {
    const ports = await this.neutron.forUser(context).listPorts({ device_id: server.row.uuid });
    return ports.map((port) => view(port, server, withTag));
  }

  async show(context: RequestContext, server: Server, portId: string, withTag: boolean): Promise<InterfaceAttachment> {
    let port: NeutronPort;
    try {
      port = await this.neutron.forUser(context).getPort(portId);
    } catch (error) {
      if (error instanceof NimbusError && error.status === 404) throw new NotFound(`Port id ${portId} could not be found.`);
      throw error;
    }
    if (port.device_id !== server.row.uuid) throw new NotFound(`Instance ${server.row.uuid} does not have a port with id ${portId}`);
    return view(port, server, withTag);
  }
}
