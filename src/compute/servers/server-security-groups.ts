/**
 * Security groups of a server (Nova's nova/network/security_group_api.py over Neutron): added to
 * and removed from every port the server has, and named in its show and detail views. Neutron
 * calls go with the caller's token, so a group of another project is not found.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, Conflict, NotFound } from '../../common/errors/errors.js';
import { getLogger } from '../../common/logging/logger.js';
import type { NeutronApi, NeutronPort, NeutronSession } from '../network/neutron-api.js';
import type { Server } from './server.js';

const LOG = getLogger('nimbus.compute.api');

export class ServerSecurityGroups {
  constructor(private readonly neutron: NeutronApi) {}

  /** Nova's add_to_instance: the group joins each of the server's ports. */
  async add(context: RequestContext, server: Server, name: string): Promise<void> {
    const session = this.neutron.forUser(context);
    const groupId = await findGroupId(session, context, name);
    for (const port of await serverPorts(session, server)) {
      if (port.security_groups.includes(groupId)) continue;
      LOG.info(`Adding security group ${groupId} to port ${port.id}`, { instance: server.row.uuid });
      await session.updatePort(port.id, { security_groups: [...port.security_groups, groupId] });
    }
  }

  /** Nova's remove_from_instance: the group leaves every port that has it; on none, 404. */
  async remove(context: RequestContext, server: Server, name: string): Promise<void> {
    const session = this.neutron.forUser(context);
    const groupId = await findGroupId(session, context, name);
    let found = false;
    for (const port of await serverPorts(session, server)) {
      if (!port.security_groups.includes(groupId)) continue;
      found = true;
      LOG.info(`Removing security group ${groupId} from port ${port.id}`, { instance: server.row.uuid });
      await session.updatePort(port.id, { security_groups: port.security_groups.filter((id) => id !== groupId) });
    }
    if (!found) throw new NotFound(`Security group ${name} not associated with the instance ${server.row.uuid}`);
  }

  /** The names of the groups each server's ports are in, sorted (Nova's _get_instances_security_groups_bindings). */
  async namesOf(context: RequestContext, uuids: readonly string[]): Promise<Map<string, string[]>> {
    const names = new Map<string, string[]>();
    if (uuids.length === 0) return names;
    const { ports, groups } = await this.neutron.forUser(context).deviceSecurityGroups(uuids);
    const nameOf = new Map(groups.map((group) => [group.id, group.name]));
    for (const port of ports) {
      const list = names.get(port.device_id) ?? [];
      for (const id of port.security_groups) {
        const groupName = nameOf.get(id) ?? id;
        if (!list.includes(groupName)) list.push(groupName);
      }
      names.set(port.device_id, list);
    }
    // Neutron keeps a port's groups unordered; sorted names keep show and detail stable.
    for (const list of names.values()) list.sort();
    return names;
  }
}

/** neutronclient's find_resourceid_by_name_or_id within the caller's project. */
async function findGroupId(session: NeutronSession, context: RequestContext, name: string): Promise<string> {
  const projectId = context.projectId ?? '';
  const byName = await session.listSecurityGroups({ name, project_id: projectId });
  if (byName.length > 1) throw new Conflict(`Multiple security_group matches found for name '${name}', use an ID to be more specific.`);
  const found = byName[0] ?? (await session.listSecurityGroups({ id: name }))[0];
  if (found === undefined) throw new NotFound(`Security group ${name} is not found for project ${projectId}`);
  return found.id;
}

async function serverPorts(session: NeutronSession, server: Server): Promise<NeutronPort[]> {
  const ports = await session.listPorts({ device_id: server.row.uuid });
  if (ports.length === 0) throw new NotFound(`instance_id ${server.row.uuid} could not be found as device id on any ports`);
  return ports;
}

/** Nova's SecurityGroupActionController._parse: a name that is not blank. */
export function securityGroupName(name: string): string {
  if (name.trim() === '') throw new BadRequest('Security group name cannot be empty');
  return name;
}
