/**
 * Test-only: the network API in the real HTTP framework and policy engine over a fresh, migrated
 * database, with the caller's request context sent in a test-only header.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { withOpenDatabase, withTestDatabase } from '../../../test/support/databases.js';
import { addAuthToken } from '../../common/auth/auth-token.js';
import type { TokenValidator } from '../../common/auth/token-validator.js';
import type { RequestContext } from '../../common/context/request-context.js';
import type { Database } from '../../common/db/database.js';
import type { DialectName } from '../../common/db/engine.js';
import { migrateToLatest } from '../../common/db/migrator.js';
import { buildHttpApp } from '../../common/http/app.js';
import { enterRequestContext } from '../../common/http/request-id.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import { createPolicyEnforcer } from '../../common/policy/enforcer.js';
import { networkV2Routes } from '../api/routes/index.js';
import { networkMigrations } from '../db/migrations/index.js';
import { createCorePlugin, pluginDeps, type CorePlugin } from '../plugin/network-plugin.js';
import type { PolicyEnforcer } from '../../common/policy/policy.js';
import type { BindingHosts } from '../plugin/plugin-deps.js';
import { NETWORK_POLICIES } from '../policies.js';
import type { NimbusConfig } from '../../common/config/options.js';

/** The cloud administrator, in a project of their own. */
export const ADMIN: RequestContext = { requestId: 'req-admin', userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'], isAdmin: true };

/** A member (and reader) of `project`. */
export function memberOf(project: string): RequestContext {
  return { requestId: `req-${project}`, userId: `user-of-${project}`, projectId: project, roles: ['member', 'reader'], isAdmin: false };
}

/** A reader of `project`, who may look but not change. */
export function readerOf(project: string): RequestContext {
  return { ...memberOf(project), roles: ['reader'] };
}

export const NETWORK_OPTIONS: NimbusConfig['network'] = {
  global_physnet_mtu: 1500,
  flat_networks: '*',
  network_vlan_ranges: 'physnet1:100:102',
  vni_ranges: '1:1000',
  local_ip: '',
  arp_responder: false,
  tenant_network_types: 'vxlan',
  quota_network: 100,
  quota_subnet: 100,
  quota_port: 500,
  quota_router: 10,
  quota_floatingip: 50,
  quota_security_group: 10,
  quota_security_group_rule: 100,
  agent_down_time: 75,
  report_interval: 10,
  l3_host: '',
  datapath: 'fake',
  datapath_state_dir: '',
  nft_table: 'nimbus',
  uplink: '',
  enable_isolated_metadata: true,
  force_metadata: false,
};

export interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

export type Call = (method: string, path: string, options?: { body?: unknown; as?: RequestContext }) => Promise<Reply>;

type Json = Record<string, unknown>;

/** POSTs one resource of the collection (as a member of `demo` unless told), asserts 201 and returns it. */
export async function create(call: Call, collection: string, member: string, body: Json, as = memberOf('demo')): Promise<Json> {
  const reply = await call('POST', `/v2.0/${collection}`, { body: { [member]: body }, as });
  assert.equal(reply.status, 201, JSON.stringify(reply.json));
  return reply.json[member] as Json;
}

/** The NeutronError of a refused request. */
export function fault(reply: { json: Json }): { type: string; message: string } {
  return reply.json['NeutronError'] as { type: string; message: string };
}

/** What a test may reach besides the caller: the app (not yet ready, so hooks may still be added), its database, plugin and policy. */
export interface NetworkApiParts {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly plugin: CorePlugin;
  readonly policy: PolicyEnforcer;
}

/** Runs fn with a caller of the network API at /network on a fresh database of the engine. */
export async function withNetworkApi(
  fn: (call: Call, parts: NetworkApiParts) => Promise<void>,
  options: {
    dialect?: DialectName;
    network?: Partial<NimbusConfig['network']>;
    /** Puts the routes behind the real auth middleware with this validator (absent: the test-only context header). */
    validator?: TokenValidator;
    /** Which hosts ports bind to, over the API's database (absent: every host). */
    bindingHosts?: (db: Database) => BindingHosts;
  } = {},
): Promise<void> {
  await withTestDatabase(options.dialect ?? 'sqlite', (url) =>
    withOpenDatabase(url, async (db) => {
      await migrateToLatest(db, networkMigrations);
      const deps = pluginDeps(db, { ...NETWORK_OPTIONS, ...options.network });
      const plugin = createCorePlugin(options.bindingHosts === undefined ? deps : { ...deps, bindingHosts: options.bindingHosts(db) });
      const policy = createPolicyEnforcer({ defaults: NETWORK_POLICIES });
      const app: FastifyInstance = buildHttpApp({
        maxBodyBytes: 65536,
        services: [
          {
            name: 'network',
            prefix: '/network',
            faultFormat: 'neutron',
            routes: async (scope) => {
              const { validator } = options;
              if (validator === undefined) {
                scope.addHook('onRequest', (request, _reply, done) => {
                  const context = JSON.parse(String(request.headers['x-test-context'])) as RequestContext;
                  enterRequestContext(request, context, done);
                });
              } else {
                addAuthToken(scope, { validator, identityUri: () => 'http://cloud/identity' });
              }
              await scope.register(
                networkV2Routes({
                  plugin,
                  policy,
                  credentialsOf: (request) => credentialsOf(request.requestContext),
                  publicUrl: 'http://cloud',
                }),
              );
            },
          },
        ],
      });
      try {
        await fn(async (method, path, { body, as = memberOf('demo') } = {}) => {
          const response = await app.inject({
            method: method as 'GET',
            url: `/network${path}`,
            headers: { 'x-test-context': JSON.stringify(as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
          return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {} };
        }, { app, db, plugin, policy });
      } finally {
        await app.close();
      }
    }),
  );
}
