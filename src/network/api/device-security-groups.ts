/**
 * Nova's read of a page of servers' security groups (its _get_instances_security_groups_bindings:
 * the ports of the servers, then their groups' names), answered by this process's Neutron without
 * a request per read: the same plugin reads and the same policy checks as `GET /v2.0/ports?device_id=…
 * &fields=device_id&fields=security_groups` and `GET /v2.0/security-groups?id=…&fields=id&fields=name`
 * under the caller's token. Through the in-process HTTP app those two cost about half of a detail
 * of 100 servers (issue 16); a compute API with the network API elsewhere still makes them over REST.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { PolicyEnforcer } from '../../common/policy/policy.js';
import type { CorePlugin } from '../plugin/network-plugin.js';
import { onNetworkTarget } from './routes/network-target.js';
import { neutronCredentials } from './routes/policy-checks.js';
import { ownedTarget, targetLookups } from './routes/resource-routes.js';

/** The caller's ports of the devices with their groups' ids, and the names of those groups the caller may see. */
export interface DeviceSecurityGroups {
  readonly ports: readonly { readonly device_id: string; readonly security_groups: readonly string[] }[];
  readonly groups: readonly { readonly id: string; readonly name: string }[];
}

export type DeviceSecurityGroupsReader = (context: RequestContext, deviceIds: readonly string[]) => Promise<DeviceSecurityGroups>;

/** What the group list reads of each view: its fields and filter (resource-routes.ts attributesRead). */
const GROUP_ATTRIBUTES = new Set(['id', 'name']);

export function deviceSecurityGroupsReader(plugin: CorePlugin, policy: PolicyEnforcer): DeviceSecurityGroupsReader {
  return async (context, deviceIds) => {
    const credentials = neutronCredentials(credentialsOf(context));
    const isAdmin = policy.check('context_is_admin', {}, credentials);
    // As callerOf: an administrator reads every project's, anyone else their project's.
    const projectId = isAdmin ? undefined : (context.projectId ?? '');
    const lookups = targetLookups();
    const ports: DeviceSecurityGroups['ports'][number][] = [];
    for (const view of await plugin.ports.deviceGroups(projectId, deviceIds)) {
      if (!policy.check('get_port', await onNetworkTarget(plugin, view, view['project_id'], lookups), credentials)) continue;
      ports.push({ device_id: String(view['device_id']), security_groups: view['security_groups'] as string[] });
    }
    const groupIds = [...new Set(ports.flatMap((port) => port.security_groups))];
    if (groupIds.length === 0) return { ports, groups: [] };
    const groups = (await plugin.securityGroups.list(projectId, groupIds, GROUP_ATTRIBUTES))
      .filter((view) => policy.check('get_security_group', ownedTarget(view, view['project_id']), credentials))
      .map((view) => ({ id: String(view['id']), name: String(view['name']) }));
    return { ports, groups };
  };
}
