/**
 * Nova's deprecated network proxy APIs over Neutron (os-security-groups, os-security-group-rules,
 * os-floating-ips, os-floating-ip-pools, os-networks, os-tenant-networks: up to 2.35), with the
 * caller's token.
 */
import type { RequestContext } from '../../common/context/request-context.js';
import { NimbusError, NotFound } from '../../common/errors/errors.js';
import { FloatingIpProxy } from './floating-ip-proxy.js';
import type { NeutronApi, NeutronNetwork } from './neutron-api.js';
import { SecurityGroupProxy } from './security-group-proxy.js';

export class NetworkProxies {
  readonly securityGroups: SecurityGroupProxy;
  readonly floatingIps: FloatingIpProxy;

  constructor(private readonly neutron: NeutronApi) {
    this.securityGroups = new SecurityGroupProxy(neutron);
    this.floatingIps = new FloatingIpProxy(neutron);
  }

  /** The networks the caller sees (Nova's neutron API get_all). */
  networks(context: RequestContext): Promise<NeutronNetwork[]> {
    return this.neutron.forUser(context).listNetworks({});
  }

  network(context: RequestContext, id: string): Promise<NeutronNetwork> {
    return this.neutron
      .forUser(context)
      .getNetwork(id)
      .catch((error: unknown) => {
        if (error instanceof NimbusError && error.status === 404) throw new NotFound('Network not found');
        throw error;
      });
  }
}
