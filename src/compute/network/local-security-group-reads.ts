/**
 * The network API as compute reaches it where this very process serves it: every call goes to
 * `rest` (which stays in the process, through the HTTP app), except Nova's read of the security
 * groups a server view names, which `read` answers without a request (network's
 * device-security-groups.ts: the same plugin reads and policy checks). Those two requests were
 * about half the time of a detail of 100 servers (issue 16).
 */
import type { RequestContext } from '../../common/context/request-context.js';
import type { NeutronApi, NeutronDeviceSecurityGroups } from './neutron-api.js';

export type DeviceSecurityGroupsRead = (context: RequestContext, deviceIds: readonly string[]) => Promise<NeutronDeviceSecurityGroups>;

export function withLocalSecurityGroupReads(rest: NeutronApi, read: DeviceSecurityGroupsRead): NeutronApi {
  return {
    defaultFloatingPool: rest.defaultFloatingPool,
    forUser: (context) => {
      const session = rest.forUser(context);
      // Without the caller's token the session acts as the service user: its reads go as that user's, over REST.
      return context.authToken === undefined ? session : { ...session, deviceSecurityGroups: (deviceIds) => read(context, deviceIds) };
    },
    forService: (context) => rest.forService(context),
  };
}
