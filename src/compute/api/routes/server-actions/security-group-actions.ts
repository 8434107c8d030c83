/** addSecurityGroup and removeSecurityGroup (Nova's SecurityGroupActionController), on every port of the server. */
import { Type } from '@sinclair/typebox';
import { NotImplemented } from '../../../../common/errors/errors.js';
import type { ServersService } from '../../../servers/servers-service.js';
import { securityGroupName, type ServerSecurityGroups } from '../../../servers/server-security-groups.js';
import { serverAction } from './server-action.js';

const GroupBody = Type.Object({ name: Type.String() }, { additionalProperties: true });

function groupsOf(servers: ServersService): ServerSecurityGroups {
  if (servers.securityGroups === undefined) throw new NotImplemented('The requested functionality is not supported.');
  return servers.securityGroups;
}

/** The action that puts each of the server's ports in (`add`) or out of (`remove`) the named group. */
function groupAction(key: 'addSecurityGroup' | 'removeSecurityGroup', change: 'add' | 'remove') {
  return serverAction({
    key,
    schema: GroupBody,
    policy: `os_compute_api:os-security-groups:${change}`,
    run: async ({ context, server, servers, body }) => {
      await groupsOf(servers)[change](context, server, securityGroupName(body.name));
    },
  });
}

export const securityGroupActions = [groupAction('addSecurityGroup', 'add'), groupAction('removeSecurityGroup', 'remove')];
