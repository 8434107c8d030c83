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

export const securityGroupActions = [
  serverAction({
    key: 'addSecurityGroup',
    schema: GroupBody,
    policy: 'os_compute_api:os-security-groups:add',
    run: async ({ context, server, servers, body }) => {
      await groupsOf(servers).add(context, server, securityGroupName(body.name));
    },
  }),
  serverAction({
    key: 'removeSecurityGroup',
    schema: GroupBody,
    policy: 'os_compute_api:os-security-groups:remove',
    run: async ({ context, server, servers, body }) => {
      await groupsOf(servers).remove(context, server, securityGroupName(body.name));
    },
  }),
];
