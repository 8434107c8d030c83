/**
 * Test-only: Neutron Zed's default policies (the new, secure-RBAC defaults that
 * src/network/policies.ts holds) as the status each persona gets on each network route; run by
 * policy-matrix.test.ts. The resource of a row belongs to the owning project; a resource a caller
 * may not see is 404 to it (Neutron hides it), one it sees but may not change is 403.
 */
import { statuses, type Expectation, type MatrixRow } from '../../common/policy/testing/policy-matrix.js';

/** What a row can make, fresh for each persona: resources of the owning project. */
export interface NetworkMatrixFixture {
  network(): Promise<string>;
  subnet(): Promise<string>;
  subnetpool(): Promise<string>;
  port(): Promise<string>;
  router(): Promise<string>;
  floatingip(): Promise<string>;
  securityGroup(): Promise<string>;
  securityGroupRule(): Promise<string>;
  /** A router of the owning project and a subnet of its own to attach. */
  routerAndSubnet(): Promise<{ router: string; subnet: string }>;
  /** The same, attached. */
  attachedRouter(): Promise<{ router: string; subnet: string }>;
  /** The external network floating IPs come from. */
  externalNetwork(): Promise<string>;
  /** A network agent that has reported its state. */
  agent(): Promise<string>;
  /** Puts the tag `t` on the resource at `path` (`/v2.0/networks/<id>`). */
  tag(path: string): Promise<void>;
}

type Kind = Exclude<keyof NetworkMatrixFixture, 'routerAndSubnet' | 'attachedRouter' | 'externalNetwork' | 'tag' | 'agent'>;

const ANYONE = statuses(200, 200, 200, 200);
/** Read by admin and the owning project; another project cannot see it. */
const OWNER_READS = statuses(200, 200, 404, 200);
/** Changed by admin and the owning project's member; a reader sees it but may not. */
const OWNER_CHANGES = (ok: number): Expectation => statuses(ok, ok, 404, 403);
/** Security groups' rules name no administrator (PROJECT_READER/PROJECT_MEMBER only). */
const PROJECT_ONLY_READS = statuses(404, 200, 404, 200);
const PROJECT_ONLY_CHANGES = (ok: number): Expectation => statuses(404, ok, 404, 403);

interface Resource {
  readonly path: string;
  readonly kind: Kind;
  readonly member: string;
  readonly create: (fx: NetworkMatrixFixture) => Promise<Record<string, unknown>>;
  /** The update body, or undefined when the resource has no update. */
  readonly update?: Record<string, unknown>;
  readonly tags: boolean;
  readonly reads: Expectation;
  readonly changes: (ok: number) => Expectation;
  readonly creates: Expectation;
}

const RESOURCES: readonly Resource[] = [
  {
    path: 'networks', kind: 'network', member: 'network', create: async () => ({ name: 'n' }), update: { name: 'renamed' }, tags: true,
    reads: OWNER_READS, changes: OWNER_CHANGES, creates: statuses(201, 201, 201, 403),
  },
  {
    // A subnet on the owning project's network: another project cannot see the network. Zed's
    // subnet writes also allow `rule:network_owner` (tenant_id:%(network:tenant_id)s, no role), so
    // a reader of the network's project may write subnets (Neutron 2023.2 asks for member there).
    path: 'subnets', kind: 'subnet', member: 'subnet',
    create: async (fx) => ({ network_id: await fx.network(), ip_version: 4, cidr: '10.1.0.0/24' }), update: { name: 'renamed' }, tags: true,
    reads: OWNER_READS, changes: (ok) => statuses(ok, ok, 404, ok), creates: statuses(201, 201, 404, 201),
  },
  {
    // get_subnetpool: admin, the owner's reader, or a shared pool; writes: admin or the owner's member.
    path: 'subnetpools', kind: 'subnetpool', member: 'subnetpool', create: async () => ({ prefixes: ['10.200.0.0/16'] }), update: { name: 'renamed' }, tags: true,
    reads: OWNER_READS, changes: OWNER_CHANGES, creates: statuses(201, 201, 201, 403),
  },
  {
    path: 'ports', kind: 'port', member: 'port', create: async (fx) => ({ network_id: await fx.network() }), update: { name: 'renamed' }, tags: true,
    reads: OWNER_READS, changes: OWNER_CHANGES, creates: statuses(201, 201, 404, 403),
  },
  {
    path: 'routers', kind: 'router', member: 'router', create: async () => ({ name: 'r' }), update: { name: 'renamed' }, tags: true,
    reads: OWNER_READS, changes: OWNER_CHANGES, creates: statuses(201, 201, 201, 403),
  },
  {
    path: 'floatingips', kind: 'floatingip', member: 'floatingip',
    create: async (fx) => ({ floating_network_id: await fx.externalNetwork() }), update: { description: 'd' }, tags: true,
    reads: OWNER_READS, changes: OWNER_CHANGES, creates: statuses(201, 201, 201, 403),
  },
  {
    path: 'security-groups', kind: 'securityGroup', member: 'security_group', create: async () => ({ name: 'sg' }), update: { name: 'renamed' }, tags: true,
    reads: PROJECT_ONLY_READS, changes: PROJECT_ONLY_CHANGES, creates: statuses(201, 201, 201, 403),
  },
  {
    path: 'security-group-rules', kind: 'securityGroupRule', member: 'security_group_rule',
    create: async (fx) => ({ security_group_id: await fx.securityGroup(), direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 }), tags: false,
    reads: PROJECT_ONLY_READS, changes: PROJECT_ONLY_CHANGES, creates: statuses(404, 201, 404, 403),
  },
];

/** The personas of `expectation` that get `from`, given `to` instead (a tag check answers 204 where a read answers 200). */
function statusesWhere(expectation: Expectation, from: number, to: number): Partial<Expectation> {
  return Object.fromEntries(Object.entries(expectation).filter(([, status]) => status === from).map(([persona]) => [persona, to]));
}

function resourceRows({ path, kind, member, create, update, tags, reads, changes, creates }: Resource): MatrixRow<NetworkMatrixFixture>[] {
  const base = `/v2.0/${path}`;
  const one = async (fx: NetworkMatrixFixture) => `${base}/${await fx[kind]()}`;
  const rows: MatrixRow<NetworkMatrixFixture>[] = [
    { route: `POST ${base}`, zed: creates, request: async (fx) => ({ path: base, body: { [member]: await create(fx) } }) },
    { route: `GET ${base}`, zed: ANYONE, request: () => ({ path: base }) },
    { route: `GET ${base}/:id`, zed: reads, request: async (fx) => ({ path: await one(fx) }) },
    { route: `DELETE ${base}/:id`, zed: changes(204), request: async (fx) => ({ path: await one(fx) }) },
  ];
  if (update !== undefined) rows.push({ route: `PUT ${base}/:id`, zed: changes(200), request: async (fx) => ({ path: await one(fx), body: { [member]: update } }) });
  if (!tags) return rows;
  const tagged = async (fx: NetworkMatrixFixture) => `${await one(fx)}/tags`;
  const taggedWithT = async (fx: NetworkMatrixFixture) => {
    const path = await one(fx);
    await fx.tag(path);
    return `${path}/tags/t`;
  };
  return [
    ...rows,
    { route: `GET ${base}/:id/tags`, zed: reads, request: async (fx) => ({ path: await tagged(fx) }) },
    { route: `PUT ${base}/:id/tags`, zed: changes(200), request: async (fx) => ({ path: await tagged(fx), body: { tags: ['a', 'b'] } }) },
    { route: `DELETE ${base}/:id/tags`, zed: changes(204), request: async (fx) => ({ path: await tagged(fx) }) },
    { route: `PUT ${base}/:id/tags/:tag`, zed: changes(201), request: async (fx) => ({ path: `${await tagged(fx)}/t` }) },
    { route: `GET ${base}/:id/tags/:tag`, zed: { ...reads, ...statusesWhere(reads, 200, 204) }, request: async (fx) => ({ path: await taggedWithT(fx) }) },
    { route: `DELETE ${base}/:id/tags/:tag`, zed: changes(204), request: async (fx) => ({ path: await taggedWithT(fx) }) },
  ];
}

const ADMIN_ONLY = statuses(200, 403, 403, 403);

export const NETWORK_POLICY_MATRIX: readonly MatrixRow<NetworkMatrixFixture>[] = [
  { route: 'GET /v2.0/extensions', zed: ANYONE, request: () => ({ path: '/v2.0/extensions' }) },
  { route: 'GET /v2.0/extensions/:alias', zed: ANYONE, request: () => ({ path: '/v2.0/extensions/router' }) },
  ...RESOURCES.flatMap(resourceRows),
  {
    route: 'PUT /v2.0/routers/:id/add_router_interface',
    zed: OWNER_CHANGES(200),
    request: async (fx) => {
      const { router, subnet } = await fx.routerAndSubnet();
      return { path: `/v2.0/routers/${router}/add_router_interface`, body: { subnet_id: subnet } };
    },
  },
  {
    route: 'PUT /v2.0/routers/:id/remove_router_interface',
    zed: OWNER_CHANGES(200),
    request: async (fx) => {
      const { router, subnet } = await fx.attachedRouter();
      return { path: `/v2.0/routers/${router}/remove_router_interface`, body: { subnet_id: subnet } };
    },
  },
  // get_quota, update_quota, delete_quota: the administrator's (a project reads its own through the plugin's own check).
  { route: 'GET /v2.0/quotas', zed: ADMIN_ONLY, request: () => ({ path: '/v2.0/quotas' }) },
  { route: 'GET /v2.0/quotas/:project_id', zed: statuses(200, 200, 403, 200), request: () => ({ path: '/v2.0/quotas/owner-project' }) },
  { route: 'GET /v2.0/quotas/:project_id/default', zed: statuses(200, 200, 403, 200), request: () => ({ path: '/v2.0/quotas/owner-project/default' }) },
  { route: 'GET /v2.0/quotas/:project_id/details', zed: statuses(200, 200, 403, 200), request: () => ({ path: '/v2.0/quotas/owner-project/details' }) },
  { route: 'GET /v2.0/quotas/:project_id/details.json', zed: statuses(200, 200, 403, 200), request: () => ({ path: '/v2.0/quotas/owner-project/details.json' }) },
  { route: 'PUT /v2.0/quotas/:project_id', zed: ADMIN_ONLY, request: () => ({ path: '/v2.0/quotas/owner-project', body: { quota: { network: 10_000 } } }) },
  { route: 'DELETE /v2.0/quotas/:project_id', zed: statuses(204, 403, 403, 403), request: () => ({ path: '/v2.0/quotas/owner-project' }) },
  // get_agent, update_agent, delete_agent: the administrator's. Neutron filters the list (others get
  // an empty one) and hides an agent (no tenant_id) from others as not found, for a change too.
  { route: 'GET /v2.0/agents', zed: ANYONE, request: () => ({ path: '/v2.0/agents' }) },
  { route: 'GET /v2.0/agents/:id', zed: statuses(200, 404, 404, 404), request: async (fx) => ({ path: `/v2.0/agents/${await fx.agent()}` }) },
  { route: 'PUT /v2.0/agents/:id', zed: statuses(200, 404, 404, 404), request: async (fx) => ({ path: `/v2.0/agents/${await fx.agent()}`, body: { agent: { admin_state_up: false } } }) },
  { route: 'DELETE /v2.0/agents/:id', zed: statuses(204, 404, 404, 404), request: async (fx) => ({ path: `/v2.0/agents/${await fx.agent()}` }) },
];
