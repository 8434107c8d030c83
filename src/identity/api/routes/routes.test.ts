import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../../common/http/app.js';
import { createPolicyEnforcer } from '../../../common/policy/enforcer.js';
import type { Credentials } from '../../../common/policy/policy.js';
import { IDENTITY_POLICIES } from '../../policies.js';
import type { IdentityManagers } from '../../resources/index.js';
import { withIdentity } from '../../resources/testing/identity-fixture.js';
import { identityResourceRoutes } from './index.js';

const PUBLIC_URL = 'http://cloud:5000';
const V3 = `${PUBLIC_URL}/identity/v3`;
const ADMIN: Credentials = { user_id: 'the-admin', project_id: 'admin-project', roles: ['admin', 'member', 'reader'] };

interface Harness {
  readonly managers: IdentityManagers;
  /** A JSON request as `who` (credentials travel in a test-only header). */
  readonly call: (method: string, path: string, body?: unknown, who?: Credentials) => Promise<{ status: number; json: Record<string, unknown> }>;
}

/** The routes in the real HTTP framework and policy engine with identity's defaults; a fake auth hook. */
async function withRoutes(fn: (harness: Harness) => Promise<void>): Promise<void> {
  await withIdentity('sqlite', async ({ managers }) => {
    const app: FastifyInstance = buildHttpApp({
      maxBodyBytes: 65536,
      services: [
        {
          name: 'identity',
          prefix: '/identity',
          faultFormat: 'keystone',
          routes: identityResourceRoutes({
            managers,
            publicUrl: PUBLIC_URL,
            policy: createPolicyEnforcer({ defaults: IDENTITY_POLICIES }),
            credentialsOf: (request) => JSON.parse(String(request.headers['x-test-credentials'])) as Credentials,
          }),
        },
      ],
    });
    try {
      await fn({
        managers,
        call: async (method, path, body, who = ADMIN) => {
          const response = await app.inject({
            method: method as 'GET',
            url: `/identity/v3${path}`,
            headers: { 'x-test-credentials': JSON.stringify(who) },
            ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
          });
          return { status: response.statusCode, json: response.body === '' ? {} : response.json<Record<string, unknown>>() };
        },
      });
    } finally {
      await app.close();
    }
  });
}

describe('identity resource routes', () => {
  test('projects: Keystone shapes, extra fields, 409/404/400 bodies, bad input stores nothing', () =>
    withRoutes(async ({ call }) => {
      const created = await call('POST', '/projects', { project: { name: 'demo', description: 'Demo', owner: 'ops' } });
      assert.equal(created.status, 201);
      const project = created.json['project'] as Record<string, unknown>;
      const id = String(project['id']);
      assert.deepEqual(project, {
        owner: 'ops',
        id,
        name: 'demo',
        domain_id: 'default',
        description: 'Demo',
        enabled: true,
        parent_id: 'default',
        is_domain: false,
        tags: [],
        options: {},
        links: { self: `${V3}/projects/${id}` },
      });
      const list = await call('GET', '/projects?name=demo');
      assert.deepEqual(list.json['links'], { self: `${V3}/projects?name=demo`, previous: null, next: null });
      assert.deepEqual((list.json['projects'] as { id: string }[]).map((p) => p.id), [id]);

      const duplicate = await call('POST', '/projects', { project: { name: 'demo' } });
      assert.equal(duplicate.status, 409);
      assert.deepEqual(Object.keys(duplicate.json['error'] as object), ['code', 'title', 'message']);
      assert.deepEqual((await call('GET', '/projects/nope')).json, {
        error: { code: 404, title: 'Not Found', message: 'Could not find project: nope.' },
      });
      assert.equal((await call('POST', '/projects', { project: { name: 5 } })).status, 400);
      assert.equal((await call('POST', '/projects', { project: { name: 'x', enabled: 'yes' } })).status, 400);
      assert.equal((await call('PATCH', `/projects/${id}`, { project: {} })).status, 400);
      assert.equal(((await call('GET', '/projects')).json['projects'] as unknown[]).length, 1);

      const patched = await call('PATCH', `/projects/${id}`, { project: { enabled: false } });
      assert.equal((patched.json['project'] as { enabled: boolean }).enabled, false);
      assert.equal((await call('DELETE', `/projects/${id}`)).status, 204);
      assert.equal((await call('GET', `/projects/${id}`)).status, 404);
    }));

  test('projects acting as domains: made, listed, shown, updated and deleted through /v3/projects as the domains they are', () =>
    withRoutes(async ({ call }) => {
      const created = await call('POST', '/projects', { project: { name: 'tenant-co', is_domain: true, domain_id: null, description: 'A domain' } });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const project = created.json['project'] as Record<string, unknown>;
      const id = String(project['id']);
      assert.deepEqual({ ...project, links: undefined }, {
        id, name: 'tenant-co', domain_id: null, description: 'A domain', enabled: true, parent_id: null, is_domain: true, tags: [], options: {}, links: undefined,
      });
      const ids = (json: Record<string, unknown>, key: string) => (json[key] as { id: string }[]).map((each) => each.id);
      assert.deepEqual(ids((await call('GET', '/projects?is_domain=true&name=tenant-co')).json, 'projects'), [id]);
      assert.ok(!ids((await call('GET', '/projects')).json, 'projects').includes(id), 'projects are listed without domains by default');
      assert.ok(ids((await call('GET', '/domains')).json, 'domains').includes(id), 'it is a domain');
      assert.equal(((await call('GET', `/projects/${id}`)).json['project'] as Record<string, unknown>)['is_domain'], true);

      // A project inside it, as in any domain.
      const inner = await call('POST', '/projects', { project: { name: 'inner', domain_id: id } });
      assert.equal((inner.json['project'] as Record<string, unknown>)['parent_id'], id);

      assert.equal((await call('POST', '/projects', { project: { name: 'child-domain', is_domain: true, parent_id: id } })).status, 400);
      assert.equal((await call('PATCH', `/projects/${id}`, { project: { is_domain: false } })).status, 400);
      assert.equal((await call('DELETE', `/projects/${id}`)).status, 403, 'an enabled domain is not deleted');
      const disabled = await call('PATCH', `/projects/${id}`, { project: { enabled: false } });
      assert.deepEqual([disabled.status, (disabled.json['project'] as Record<string, unknown>)['enabled']], [200, false]);
      assert.equal((await call('DELETE', `/projects/${id}`)).status, 204);
      assert.equal((await call('GET', `/domains/${id}`)).status, 404);
      assert.equal((await call('GET', `/projects/${String((inner.json['project'] as Record<string, unknown>)['id'])}`)).status, 404, 'its contents went with it');
    }));

  test('project tags: one by one and as a whole, 404 for a missing tag, bad tags 400 and unstored', () =>
    withRoutes(async ({ call }) => {
      const id = String(((await call('POST', '/projects', { project: { name: 'tagged' } })).json['project'] as { id: string }).id);
      const tagsUrl = `${V3}/projects/${id}/tags`;
      const added = await call('PUT', `/projects/${id}/tags/blue`);
      assert.equal(added.status, 201);
      assert.equal((await call('GET', `/projects/${id}/tags/blue`)).status, 204);
      assert.equal((await call('HEAD', `/projects/${id}/tags/blue`)).status, 204);
      assert.equal((await call('PUT', `/projects/${id}/tags/blue`)).status, 400, 'a tag is on a project once');
      const missing = await call('GET', `/projects/${id}/tags/red`);
      assert.deepEqual(missing.json, { error: { code: 404, title: 'Not Found', message: 'Could not find project tag: red.' } });

      const replaced = await call('PUT', `/projects/${id}/tags`, { tags: ['a', 'b', 'c'] });
      assert.deepEqual(replaced.json, { links: { self: tagsUrl }, tags: ['a', 'b', 'c'] });
      assert.deepEqual((await call('GET', `/projects/${id}/tags`)).json, { links: { self: tagsUrl }, tags: ['a', 'b', 'c'] });
      assert.deepEqual(((await call('GET', `/projects/${id}`)).json['project'] as { tags: string[] }).tags, ['a', 'b', 'c']);
      for (const bad of [{ tags: ['a,b'] }, { tags: ['x', 'x'] }, { tags: Array.from({ length: 81 }, (_, i) => `t${i}`) }, {}]) {
        assert.equal((await call('PUT', `/projects/${id}/tags`, bad)).status, 400);
      }
      assert.equal((await call('PUT', `/projects/${id}/tags/a%2Fb`)).status, 400);
      assert.deepEqual((await call('GET', `/projects/${id}/tags`)).json['tags'], ['a', 'b', 'c']);

      assert.equal((await call('DELETE', `/projects/${id}/tags/a`)).status, 204);
      assert.equal((await call('DELETE', `/projects/${id}/tags/a`)).status, 404);
      assert.equal((await call('DELETE', `/projects/${id}/tags`)).status, 204);
      assert.deepEqual((await call('GET', `/projects/${id}/tags`)).json['tags'], []);
      assert.equal((await call('GET', '/projects/nope/tags')).status, 404);
    }));

  test('users and personas: own user and projects readable, others forbidden, password change', () =>
    withRoutes(async ({ call, managers }) => {
      const demo = await managers.projects.create({ name: 'demo' });
      const other = await managers.projects.create({ name: 'other' });
      const member = await managers.roles.create({ name: 'member' });
      const created = await call('POST', '/users', { user: { name: 'alice', password: 'pw1', email: 'a@x', default_project_id: demo.id } });
      assert.equal(created.status, 201);
      const user = created.json['user'] as Record<string, unknown>;
      const id = String(user['id']);
      assert.deepEqual(user, {
        email: 'a@x',
        id,
        name: 'alice',
        domain_id: 'default',
        enabled: true,
        default_project_id: demo.id,
        password_expires_at: null,
        options: {},
        links: { self: `${V3}/users/${id}` },
      });
      assert.equal((await call('PUT', `/projects/${demo.id}/users/${id}/roles/${member.id}`)).status, 204);
      const alice: Credentials = { user_id: id, project_id: demo.id, roles: ['member', 'reader'] };

      assert.equal((await call('GET', `/users/${id}`, undefined, alice)).status, 200);
      assert.equal((await call('GET', '/users', undefined, alice)).status, 403);
      assert.equal((await call('GET', `/projects/${demo.id}`, undefined, alice)).status, 200);
      assert.equal((await call('GET', `/projects/${other.id}`, undefined, alice)).status, 403);
      assert.equal((await call('GET', `/projects/nope`, undefined, alice)).status, 403);
      assert.equal((await call('POST', '/projects', { project: { name: 'mine' } }, alice)).status, 403);
      const mine = await call('GET', `/users/${id}/projects`, undefined, alice);
      assert.deepEqual((mine.json['projects'] as { id: string }[]).map((p) => p.id), [demo.id]);
      const admin = await managers.users.create({ name: 'boss' });
      assert.equal((await call('GET', `/users/${admin.id}/projects`, undefined, alice)).status, 403);
      assert.equal((await call('GET', `/users/${admin.id}`, undefined, alice)).status, 403);

      const wrong = await call('POST', `/users/${id}/password`, { user: { original_password: 'nope', password: 'pw2' } }, alice);
      assert.equal(wrong.status, 401);
      assert.equal(await managers.users.verifyPassword(id, 'pw1'), 'valid');
      const extraField = await call('POST', `/users/${id}/password`, { user: { original_password: 'pw1', password: 'pw2', x: 1 } }, alice);
      assert.equal(extraField.status, 400);
      assert.equal((await call('POST', `/users/${id}/password`, { user: { original_password: 'pw1', password: 'pw2' } }, alice)).status, 204);
      assert.equal(await managers.users.verifyPassword(id, 'pw2'), 'valid');
      assert.equal((await call('POST', '/users', { user: { name: 'alice' } })).status, 409);
      assert.equal((await call('POST', '/users', { user: { name: 'carol', default_project_id: 'nope' } })).status, 404);
      assert.deepEqual((await call('GET', '/users?name=carol')).json['users'], []);
    }));

  test('grants, implied roles and role_assignments with effective and include_names', () =>
    withRoutes(async ({ call, managers }) => {
      const project = await managers.projects.create({ name: 'demo' });
      const user = await managers.users.create({ name: 'alice' });
      const ids: Record<string, string> = {};
      for (const name of ['admin', 'member', 'reader']) {
        const role = await call('POST', '/roles', { role: { name } });
        ids[name] = String((role.json['role'] as { id: string }).id);
      }
      const implied = await call('PUT', `/roles/${ids['member']}/implies/${ids['reader']}`);
      assert.equal(implied.status, 201);
      assert.deepEqual(implied.json, {
        role_inference: {
          prior_role: { id: ids['member'], name: 'member', links: { self: `${V3}/roles/${ids['member']}` } },
          implies: { id: ids['reader'], name: 'reader', links: { self: `${V3}/roles/${ids['reader']}` } },
        },
        links: { self: `${V3}/roles/${ids['member']}/implies/${ids['reader']}` },
      });
      assert.equal((await call('PUT', `/roles/${ids['reader']}/implies/${ids['admin']}`)).status, 403);
      // Keystone's check (HEAD) answers 204, not the GET's 200; an unknown implication is 404.
      assert.equal((await call('HEAD', `/roles/${ids['member']}/implies/${ids['reader']}`)).status, 204);
      assert.equal((await call('GET', `/roles/${ids['member']}/implies/${ids['reader']}`)).status, 200);
      assert.equal((await call('HEAD', `/roles/${ids['reader']}/implies/${ids['member']}`)).status, 404);
      assert.equal(((await call('GET', '/role_inferences')).json['role_inferences'] as unknown[]).length, 1);

      const grant = `/projects/${project.id}/users/${user.id}/roles/${ids['member']}`;
      assert.equal((await call('HEAD', grant)).status, 404);
      assert.equal((await call('PUT', grant)).status, 204);
      assert.equal((await call('HEAD', grant)).status, 204);
      assert.equal((await call('PUT', `/projects/${project.id}/users/${user.id}/roles/nope`)).status, 404);
      const roles = await call('GET', `/projects/${project.id}/users/${user.id}/roles`);
      assert.deepEqual((roles.json['roles'] as { name: string }[]).map((r) => r.name), ['member']);

      const named = await call('GET', `/role_assignments?user.id=${user.id}&include_names`);
      assert.deepEqual(named.json, {
        role_assignments: [
          {
            user: { id: user.id, name: 'alice', domain: { id: 'default', name: 'Default' } },
            role: { id: ids['member'], name: 'member' },
            scope: { project: { id: project.id, name: 'demo', domain: { id: 'default', name: 'Default' } } },
            links: { assignment: `${V3}${grant}` },
          },
        ],
        links: { self: `${V3}/role_assignments?user.id=${user.id}&include_names`, previous: null, next: null },
      });
      const effective = await call('GET', `/role_assignments?scope.project.id=${project.id}&effective`);
      assert.deepEqual(
        (effective.json['role_assignments'] as { role: { id: string }; links: Record<string, string> }[]).map((a) => [a.role.id, a.links]),
        [
          [ids['member'], { assignment: `${V3}${grant}` }],
          [ids['reader'], { assignment: `${V3}${grant}`, prior_role: `${V3}/prior_role/${ids['reader']}/implies/${ids['member']}` }],
        ],
      );
      const alice: Credentials = { user_id: user.id, project_id: project.id, roles: ['member', 'reader'] };
      // As with Keystone Zed, a project member may not list role assignments, not even its own.
      assert.equal((await call('GET', `/role_assignments?user.id=${user.id}`, undefined, alice)).status, 403);
      assert.equal((await call('GET', '/role_assignments', undefined, alice)).status, 403);
      assert.equal((await call('GET', '/role_assignments?include_subtree=true')).status, 400);

      assert.equal((await call('DELETE', grant)).status, 204);
      assert.equal((await call('DELETE', grant)).status, 404);
      assert.deepEqual((await call('GET', '/role_assignments')).json['role_assignments'], []);
    }));

  test('groups and membership', () =>
    withRoutes(async ({ call, managers }) => {
      const user = await managers.users.create({ name: 'bob' });
      const created = await call('POST', '/groups', { group: { name: 'devs', description: 'Developers' } });
      assert.equal(created.status, 201);
      const group = created.json['group'] as { id: string };
      assert.equal((await call('POST', '/groups', { group: { name: 'devs' } })).status, 409);
      const membership = `/groups/${group.id}/users/${user.id}`;
      assert.equal((await call('HEAD', membership)).status, 404);
      assert.equal((await call('PUT', membership)).status, 204);
      assert.equal((await call('HEAD', membership)).status, 204);
      assert.deepEqual(((await call('GET', `/groups/${group.id}/users`)).json['users'] as { id: string }[]).map((u) => u.id), [user.id]);
      assert.deepEqual(((await call('GET', `/users/${user.id}/groups`)).json['groups'] as { id: string }[]).map((g) => g.id), [group.id]);
      assert.equal((await call('DELETE', membership)).status, 204);
      assert.equal((await call('DELETE', membership)).status, 404);
      assert.equal((await call('DELETE', `/groups/${group.id}`)).status, 204);
    }));

  test('domains, regions, services and endpoints', () =>
    withRoutes(async ({ call }) => {
      const domain = await call('POST', '/domains', { domain: { name: 'Lab' } });
      assert.equal(domain.status, 201);
      const domainId = String((domain.json['domain'] as { id: string }).id);
      assert.equal((await call('DELETE', `/domains/${domainId}`)).status, 403);
      assert.equal((await call('PATCH', `/domains/${domainId}`, { domain: { enabled: false } })).status, 200);
      assert.equal((await call('DELETE', `/domains/${domainId}`)).status, 204);

      assert.equal((await call('POST', '/regions', { region: { id: 'RegionOne' } })).status, 201);
      // PUT takes the id from the path; a different id in the body is a 400 and creates nothing.
      const put = await call('PUT', '/regions/RegionTwo', { region: { description: 'second' } });
      assert.equal(put.status, 201);
      assert.deepEqual(put.json['region'], { id: 'RegionTwo', description: 'second', parent_region_id: null, links: { self: `${V3}/regions/RegionTwo` } });
      assert.equal((await call('PUT', '/regions/RegionThree', { region: { id: 'RegionFour' } })).status, 400);
      assert.equal((await call('GET', '/regions/RegionThree')).status, 404);
      assert.equal((await call('GET', '/regions/RegionFour')).status, 404);
      assert.equal((await call('PUT', '/regions/RegionTwo', { region: {} })).status, 409);
      const service = await call('POST', '/services', { service: { type: 'compute', name: 'nova' } });
      const serviceId = String((service.json['service'] as { id: string }).id);
      assert.deepEqual(service.json['service'], {
        id: serviceId,
        type: 'compute',
        name: 'nova',
        enabled: true,
        links: { self: `${V3}/services/${serviceId}` },
      });
      const bad = await call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: 'private', url: 'http://x' } });
      assert.equal(bad.status, 400);
      assert.deepEqual((await call('GET', '/endpoints')).json['endpoints'], []);
      for (const iface of ['public', 'internal', 'admin']) {
        const created = await call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: iface, url: `http://x/${iface}`, region: 'RegionOne' } });
        assert.equal(created.status, 201);
      }
      const pub = await call('GET', `/endpoints?interface=public&service_id=${serviceId}`);
      assert.deepEqual(
        (pub.json['endpoints'] as Record<string, unknown>[]).map(({ id: _id, links: _links, ...rest }) => rest),
        [{ interface: 'public', region_id: 'RegionOne', region: 'RegionOne', service_id: serviceId, url: 'http://x/public', enabled: true }],
      );
      assert.equal(((await call('GET', '/endpoints?region_id=RegionOne')).json['endpoints'] as unknown[]).length, 3);
      // The legacy `region` creates a missing region (Keystone's v2 compatibility); `region_id` must exist.
      const unknownRegion = await call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: 'public', url: 'http://y', region_id: 'Nowhere' } });
      assert.equal(unknownRegion.status, 400);
      assert.equal((await call('GET', '/regions/Nowhere')).status, 404);
      const legacy = await call('POST', '/endpoints', { endpoint: { service_id: serviceId, interface: 'public', url: 'http://y', region: 'Elsewhere' } });
      assert.equal(legacy.status, 201);
      assert.equal((legacy.json['endpoint'] as { region_id: string }).region_id, 'Elsewhere');
      assert.equal((await call('GET', '/regions/Elsewhere')).status, 200);
      const member: Credentials = { user_id: 'u', project_id: 'p', roles: ['member', 'reader'] };
      assert.equal((await call('GET', '/endpoints', undefined, member)).status, 403);
      assert.equal((await call('GET', '/regions', undefined, member)).status, 200);
    }));
});
