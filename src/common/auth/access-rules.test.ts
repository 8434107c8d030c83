import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowedByAccessRules } from './access-rules.js';

const rule = (path: string, method = 'GET', service = 'compute') => ({ service, path, method });

describe('access rules', () => {
  test('a path template: * and {name} are one segment, ** any number, the rest literal', () => {
    const allows = (template: string, path: string) => allowedByAccessRules([rule(template)], ['compute'], 'GET', path);
    assert.ok(allows('/v2.1/servers', '/v2.1/servers'));
    assert.ok(!allows('/v2.1/servers', '/v2.1/servers/abc'));
    assert.ok(allows('/v2.1/servers/*/ips', '/v2.1/servers/abc/ips'));
    assert.ok(allows('/v2.1/servers/{server_id}/ips', '/v2.1/servers/abc/ips'));
    assert.ok(!allows('/v2.1/servers/*/ips', '/v2.1/servers/a/b/ips'));
    assert.ok(allows('/v2.1/servers/**', '/v2.1/servers/a/b/ips'));
    assert.ok(!allows('/v2.1/servers.json', '/v2.1/serversxjson'), 'a dot is a dot');
  });

  test('the method and the service must be the rule’s; a volume service answers to both its types', () => {
    assert.ok(!allowedByAccessRules([rule('/v2.1/servers', 'POST')], ['compute'], 'GET', '/v2.1/servers'));
    assert.ok(!allowedByAccessRules([rule('/v2.1/servers')], ['image'], 'GET', '/v2.1/servers'));
    assert.ok(allowedByAccessRules([rule('/v3/*/volumes', 'GET', 'volumev3')], ['block-storage', 'volumev3'], 'GET', '/v3/p/volumes'));
    assert.ok(!allowedByAccessRules([], ['compute'], 'GET', '/v2.1/servers'));
  });
});
