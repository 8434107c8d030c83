import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configureLogging } from '../../../common/logging/logger.js';
import type { IdentityTables } from '../../db/tables.js';
import { withIdentityApp } from '../testing/identity-test-app.js';

configureLogging({ sink: () => undefined });

type Json = Record<string, unknown>;
const configOf = (json: Json) => json['config'] as Json;
const errorOf = (json: Json) => (json['error'] as { message: string }).message;

describe('domain configuration', () => {
  test("/v3/domains/{id}/config: PUT, GET/PATCH/DELETE at each level, defaults, Keystone's 403/404 for bad groups and options", () =>
    withIdentityApp(async ({ call, tokenOf, managers, db }) => {
      const [admin, demo] = [await tokenOf('admin'), await tokenOf('demo')];
      const domain = await managers.domains.create({ name: 'ldap-domain' });
      const path = `/v3/domains/${domain.id}/config`;
      const asAdmin = (method: string, url: string, body?: Json) => call(method, url, { token: admin, body });

      const defaults = await asAdmin('GET', '/v3/domains/config/default');
      assert.equal(defaults.status, 200);
      assert.deepEqual((configOf(defaults.json)['identity']), { driver: 'sql', list_limit: null });
      assert.equal((configOf(defaults.json)['ldap'] as Json)['url'], 'ldap://localhost');
      assert.deepEqual(configOf((await asAdmin('GET', '/v3/domains/config/identity/default')).json), { identity: { driver: 'sql', list_limit: null } });
      assert.deepEqual(configOf((await asAdmin('GET', '/v3/domains/config/ldap/user_tree_dn/default')).json), { user_tree_dn: null });
      const passwordDefault = await asAdmin('GET', '/v3/domains/config/ldap/password/default');
      assert.deepEqual([passwordDefault.status, errorOf(passwordDefault.json)], [403, 'Invalid domain specific configuration: Reading the default for option password in group ldap is not supported.']);

      const none = await asAdmin('GET', path);
      assert.deepEqual([none.status, errorOf(none.json)], [404, `Could not find any options in domain configuration for domain ${domain.id}.`]);

      const config = { identity: { driver: 'ldap' }, ldap: { url: 'ldap://myldap.com:389/', user_tree_dn: 'ou=Users,dc=org', password: 'bind-secret' } };
      const created = await asAdmin('PUT', path, { config });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const shownConfig = { identity: { driver: 'ldap' }, ldap: { url: 'ldap://myldap.com:389/', user_tree_dn: 'ou=Users,dc=org' } };
      assert.deepEqual(configOf(created.json), shownConfig, 'the ldap password is never shown');
      assert.deepEqual(configOf((await asAdmin('GET', path)).json), shownConfig);
      assert.deepEqual(configOf((await asAdmin('GET', `${path}/ldap`)).json), { ldap: shownConfig.ldap });
      assert.deepEqual(configOf((await asAdmin('GET', `${path}/ldap/url`)).json), { url: 'ldap://myldap.com:389/' });
      assert.equal((await asAdmin('GET', `${path}/ldap/password`)).status, 404);

      // PATCH at each level merges; the group/option in the path must be the body's only one and already set.
      const merged = await asAdmin('PATCH', path, { config: { identity: { list_limit: 5 } } });
      assert.deepEqual([merged.status, configOf(merged.json)['identity']], [200, { driver: 'ldap', list_limit: 5 }]);
      const group = await asAdmin('PATCH', `${path}/identity`, { config: { identity: { driver: 'sql' } } });
      assert.deepEqual(configOf(group.json)['identity'], { driver: 'sql', list_limit: 5 });
      const option = await asAdmin('PATCH', `${path}/ldap/url`, { config: { url: 'ldap://other/' } });
      assert.equal((configOf(option.json)['ldap'] as Json)['url'], 'ldap://other/');
      const wrongGroup = await asAdmin('PATCH', `${path}/identity`, { config: { ldap: { url: 'x' } } });
      assert.deepEqual([wrongGroup.status, errorOf(wrongGroup.json)], [403, 'Invalid domain specific configuration: request to update group identity, but config provided contains group ldap instead.']);
      const unset = await asAdmin('PATCH', `${path}/ldap/suffix`, { config: { suffix: 'dc=x' } });
      assert.deepEqual([unset.status, errorOf(unset.json)], [404, `Could not find option suffix in group ldap in domain configuration for domain ${domain.id}.`]);

      // Unknown groups and options, empty configs: 403 InvalidDomainConfig; nothing changes.
      const badGroup = await asAdmin('PUT', path, { config: { assignment: { driver: 'x' } } });
      assert.deepEqual([badGroup.status, errorOf(badGroup.json)], [403, 'Invalid domain specific configuration: Group assignment is not supported for domain specific configurations.']);
      const badOption = await asAdmin('PATCH', path, { config: { ldap: { colour: 'red' } } });
      assert.deepEqual([badOption.status, errorOf(badOption.json)], [403, 'Invalid domain specific configuration: Option colour in group ldap is not supported for domain specific configurations.']);
      assert.equal((await asAdmin('PUT', path, { config: {} })).status, 403);
      assert.equal((await asAdmin('PUT', path, { config: { ldap: 'x' } })).status, 403);
      assert.equal((await asAdmin('PUT', path, {})).status, 400);
      const expected = { identity: { driver: 'sql', list_limit: 5 }, ldap: { url: 'ldap://other/', user_tree_dn: 'ou=Users,dc=org' } };
      assert.deepEqual(configOf((await asAdmin('GET', path)).json), expected);

      // Replacing with PUT answers 200; a missing domain 404; others 403.
      const replaced = await asAdmin('PUT', path, { config: { identity: { driver: 'ldap' } } });
      assert.deepEqual([replaced.status, configOf(replaced.json)], [200, { identity: { driver: 'ldap' } }]);
      assert.equal((await asAdmin('GET', '/v3/domains/0123456789abcdef0123456789abcdef/config')).status, 404);
      assert.equal((await call('GET', path, { token: demo })).status, 403);
      assert.equal((await call('PUT', path, { token: demo, body: { config } })).status, 403);
      assert.equal((await call('GET', '/v3/domains/config/default', { token: demo })).status, 403);

      // DELETE an option, a group, the whole.
      await asAdmin('PATCH', path, { config: { ldap: { url: 'ldap://a/', suffix: 'dc=a' } } });
      assert.equal((await asAdmin('DELETE', `${path}/ldap/url`)).status, 204);
      assert.equal((await asAdmin('GET', `${path}/ldap/url`)).status, 404);
      assert.equal((await asAdmin('DELETE', `${path}/ldap/url`)).status, 404);
      assert.equal((await asAdmin('DELETE', `${path}/ldap`)).status, 204);
      assert.equal((await asAdmin('GET', `${path}/ldap`)).status, 404);
      assert.equal((await asAdmin('DELETE', path)).status, 204);
      assert.equal((await asAdmin('GET', path)).status, 404);

      // A deleted domain's configuration goes with it.
      await asAdmin('PUT', path, { config });
      await managers.domains.update(domain.id, { enabled: false });
      await managers.domains.delete(domain.id);
      const left = await db.kysely.withTables<IdentityTables>().selectFrom('identity_domain_configs').selectAll().where('domain_id', '=', domain.id).execute();
      assert.deepEqual(left, []);
    }));
});
