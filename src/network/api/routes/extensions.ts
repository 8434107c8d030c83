import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NeutronFault } from '../../errors.js';

interface Extension {
  readonly alias: string;
  readonly name: string;
  readonly description: string;
  readonly updated: string;
}

function extension(alias: string, name: string, description: string, updated: string): Extension {
  return { alias, name, description, updated };
}

/** Exactly the extensions this service implements, with neutron-lib's names, descriptions and dates. */
export const EXTENSIONS: readonly Extension[] = [
  extension('external-net', 'Neutron external network', 'Adds external network attribute to network resource.', '2013-01-14T10:00:00-00:00'),
  extension('provider', 'Provider Network', 'Expose mapping of virtual networks to physical networks', '2012-09-07T10:00:00-00:00'),
  extension('net-mtu', 'Network MTU', 'Provides MTU attribute for a network resource.', '2015-03-25T10:00:00-00:00'),
  extension('net-mtu-writable', 'Network MTU (writable)', 'Provides a writable MTU attribute for a network resource.', '2017-07-12T00:00:00-00:00'),
  extension('port-security', 'Port Security', 'Provides port security', '2012-07-23T10:00:00-00:00'),
  extension('binding', 'Port Binding', 'Expose port bindings of a virtual port to external application', '2014-02-03T10:00:00-00:00'),
  extension('allowed-address-pairs', 'Allowed Address Pairs', 'Provides allowed address pairs', '2013-07-23T10:00:00-00:00'),
  extension('security-group', 'security-group', 'The security groups extension.', '2012-10-05T10:00:00-00:00'),
  extension(
    'router',
    'Neutron L3 Router',
    'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
    '2012-07-20T10:00:00-00:00',
  ),
  extension(
    'ext-gw-mode',
    'Neutron L3 Configurable external gateway mode',
    'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
    '2013-03-28T10:00:00-00:00',
  ),
  extension('subnet_allocation', 'Subnet Allocation', 'Enables allocation of subnets from a subnet pool', '2015-03-30T10:00:00-00:00'),
  extension('default-subnetpools', 'Default Subnetpools', 'Provides ability to mark and use a subnetpool as the default.', '2016-02-18T18:00:00-00:00'),
  extension('agent', 'agent', 'The agent management extension.', '2013-02-03T10:00:00-00:00'),
  extension('quotas', 'Quota management support', 'Expose functions for quotas management per tenant', '2012-07-29T10:00:00-00:00'),
  extension('quota_details', 'Quota details management support', 'Expose functions for quotas usage statistics per project', '2017-02-10T10:00:00-00:00'),
  extension('standard-attr-description', 'standard-attr-description', 'Extension to add descriptions to standard attributes', '2016-02-10T10:00:00-00:00'),
  extension('standard-attr-revisions', 'Resource revision numbers', 'This extension will display the revision number of neutron resources.', '2016-04-11T10:00:00-00:00'),
  extension('standard-attr-tag', 'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip', 'Enables to set tag on resources with standard attribute.', '2017-01-01T00:00:00-00:00'),
  extension('standard-attr-timestamp', 'Resource timestamps', 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.', '2016-09-12T10:00:00-00:00'),
  extension('project-id', 'project_id field enabled', 'Extension that indicates that project_id field is enabled.', '2016-09-09T09:09:09-09:09'),
  extension('pagination', 'Pagination support', 'Extension that indicates that pagination is enabled.', '2016-06-12T00:00:00-00:00'),
  extension('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.', '2016-06-12T00:00:00-00:00'),
];

const render = (ext: Extension) => ({ ...ext, links: [] });

/** GET /v2.0/extensions and /v2.0/extensions/{alias} (404 for one not implemented: clients probe this way). */
export function extensionRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v2.0/extensions', async () => ({ extensions: EXTENSIONS.map(render) }));
    app.get('/v2.0/extensions/:alias', { schema: { params: Type.Object({ alias: Type.String() }) } }, async (request) => {
      const found = EXTENSIONS.find((ext) => ext.alias === request.params.alias);
      if (found === undefined) throw new NeutronFault(404, 'HTTPNotFound', `Extension with alias ${request.params.alias} does not exist`);
      return { extension: render(found) };
    });
  };
}
