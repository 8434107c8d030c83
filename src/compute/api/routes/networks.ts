/**
 * Nova's network proxies (networks.py, tenant_networks.py): /v2.1/os-networks and
 * /v2.1/os-tenant-networks up to 2.35, Neutron's networks in what is left of nova-network's shape.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { NeutronNetwork } from '../../network/neutron-api.js';
import type { ServersService } from '../../servers/servers-service.js';
import { proxyOnlyBefore236 } from './proxy-versions.js';
import { authorize, ownTarget, type ComputeRouteDeps } from './route-deps.js';
import { proxiesOf } from './security-groups.js';

const NetworkParams = Type.Object({ id: Type.String() });

/** nova-network's fields, all null under Neutron but the id and label; an admin sees the admin fields too. */
const FIELDS = ['cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6', 'gateway_v6', 'netmask_v6'];
const ADMIN_FIELDS = ['created_at', 'updated_at', 'deleted_at', 'deleted', 'injected', 'bridge', 'vlan', 'vpn_public_address', 'vpn_public_port', 'vpn_private_address', 'dhcp_start', 'project_id', 'host', 'bridge_interface', 'multi_host', 'priority', 'rxtx_base', 'mtu', 'dhcp_server', 'enable_dhcp', 'share_address'];

function networkView(network: NeutronNetwork, isAdmin: boolean): Record<string, unknown> {
  const empty = (isAdmin ? [...FIELDS, ...ADMIN_FIELDS] : FIELDS).map((field): [string, null] => [field, null]);
  return { id: network.id, label: network.name, ...Object.fromEntries(empty) };
}

/** os-tenant-networks' view: its cidr is the string "None", as Nova has always answered under Neutron. */
function tenantNetworkView(network: NeutronNetwork): Record<string, unknown> {
  return { id: network.id, cidr: 'None', label: network.name };
}

export function networkRoutes(deps: ComputeRouteDeps, servers: ServersService): FastifyPluginAsyncTypebox {
  return async (app) => {
    proxyOnlyBefore236(app);

    app.get('/v2.1/os-networks', async (request) => {
      authorize(deps, request, 'os_compute_api:os-networks:list', ownTarget(request));
      const isAdmin = request.requestContext.isAdmin === true;
      return { networks: (await proxiesOf(servers).networks(request.requestContext)).map((network) => networkView(network, isAdmin)) };
    });

    app.get('/v2.1/os-networks/:id', { schema: { params: NetworkParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-networks:show', ownTarget(request));
      return { network: networkView(await proxiesOf(servers).network(request.requestContext, request.params.id), request.requestContext.isAdmin === true) };
    });

    app.get('/v2.1/os-tenant-networks', async (request) => {
      authorize(deps, request, 'os_compute_api:os-tenant-networks:list', ownTarget(request));
      return { networks: (await proxiesOf(servers).networks(request.requestContext)).map(tenantNetworkView) };
    });

    app.get('/v2.1/os-tenant-networks/:id', { schema: { params: NetworkParams } }, async (request) => {
      authorize(deps, request, 'os_compute_api:os-tenant-networks:show', ownTarget(request));
      return { network: tenantNetworkView(await proxiesOf(servers).network(request.requestContext, request.params.id)) };
    });
  };
}
