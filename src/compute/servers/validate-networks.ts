/**
 * The network checks of a server create, before anything is written (Nova's compute API
 * _validate_and_build_base_options → network_api.validate_networks and _check_requested_secgroups),
 * under the caller's token: a network or port the caller cannot see does not exist.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NimbusError } from '../../common/errors/errors.js';
import type { RequestedNetworks } from '../conductor/rpc-api.js';
import { availableNetworks } from '../network/available-networks.js';
import type { NeutronApi, NeutronSession } from '../network/neutron-api.js';

export interface NetworkValidation {
  readonly requested: RequestedNetworks;
  /** `auto` explicitly asked (2.37+): with no network to use, Nova's UnableToAutoAllocateNetwork. */
  readonly explicitAuto: boolean;
  readonly securityGroups: readonly string[];
  readonly maxCount: number;
}

/** A 404 from Neutron is the named Nova error; anything else is Neutron's own. */
async function orNotFound<T>(lookup: Promise<T>, notFound: () => NimbusError): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NimbusError && error.status === 404) throw notFound();
    throw error;
  }
}

export async function validateNetworks(neutron: NeutronApi, context: RequestContext, validation: NetworkValidation): Promise<void> {
  const { requested, maxCount } = validation;
  const session = neutron.forUser(context);
  const projectId = context.projectId ?? '';
  if (requested === 'auto') {
    const networks = await availableNetworks(session, projectId);
    if (networks.length > 1) throw new Conflict('Multiple possible networks found, use a Network ID to be more specific.');
    // Nimbus's Neutron has no auto-allocated-topology extension, so an explicit auto with nothing to use is refused.
    if (networks.length === 0 && validation.explicitAuto) throw new BadRequest(`Unable to automatically allocate a network for project ${projectId}`);
  } else if (requested !== 'none') {
    await checkListed(session, requested, maxCount);
  }
  await checkSecurityGroups(session, projectId, validation.securityGroups);
}

async function checkListed(session: NeutronSession, requested: Exclude<RequestedNetworks, string>, maxCount: number): Promise<void> {
  const networkIds: string[] = [];
  for (const request of requested) {
    if (request.port !== undefined) {
      const portId = request.port;
      if (maxCount > 1) {
        throw new BadRequest('Failed to launch instances: Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.');
      }
      const port = await orNotFound(session.getPort(portId), () => new BadRequest(`Port id ${portId} could not be found.`));
      if (port.device_id !== '') throw new Conflict(`Port ${portId} is still in use.`);
      if (port.fixed_ips.length === 0) throw new BadRequest(`Port ${portId} requires a FixedIP in order to be used.`);
      continue;
    }
    const networkId = request.uuid ?? '';
    networkIds.push(networkId);
    if (request.fixedIp !== undefined) {
      if (maxCount > 1) throw new BadRequest('Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.');
      const users = await session.listPorts({ network_id: networkId, fixed_ips: `ip_address=${request.fixedIp}` });
      const user = users[0];
      if (user !== undefined) throw new BadRequest(`Fixed IP address ${request.fixedIp} is already in use on instance ${user.device_id}.`);
    }
  }
  if (networkIds.length === 0) return;
  const found = await session.listNetworks({ id: [...new Set(networkIds)] });
  for (const network of found) {
    if (network.subnets.length === 0) throw new BadRequest(`Network ${network.id} requires a subnet in order to boot instances on.`);
  }
  const lost = [...new Set(networkIds)].filter((id) => !found.some((network) => network.id === id));
  if (lost.length > 0) throw new BadRequest(`Network ${lost.join(', ')} could not be found.`);
}

/** Nova's _check_requested_secgroups: each name (or id) must be one of the project's groups. */
async function checkSecurityGroups(session: NeutronSession, projectId: string, names: readonly string[]): Promise<void> {
  const wanted = names.filter((name) => name !== 'default');
  if (wanted.length === 0) return;
  const groups = await session.listSecurityGroups({ project_id: projectId });
  for (const name of wanted) {
    if (!groups.some((group) => group.name === name || group.id === name)) throw new BadRequest(`Security group ${name} not found.`);
  }
}
