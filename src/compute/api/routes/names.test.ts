import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { IMAGE_ID, withComputeApp } from '../../testing/compute-test-app.js';

const DEMO = memberOf('demo');
const INVALID_NAME = "An invalid 'name' value was provided. The name must be: ";
/** Names Nova's parameter_types.name refuses: control and format characters, line separators, blank ends. */
const BAD_NAMES = ['ab\u0001cd', 'bell\u0007', 'tab\there', 'new\nline', 'esc\u001b[31m', 'zero\u200bwidth', 'line\u2028sep', ' lead', 'trail '];

function messageOf(json: Record<string, unknown>): string {
  return String((json['badRequest'] as Record<string, unknown> | undefined)?.['message']);
}

describe("compute routes: Nova's name formats", () => {
  test('server, flavor, server group, aggregate, snapshot and rebuild names: printable only, 400 InvalidName, nothing stored', () =>
    withComputeApp(async ({ call, db }) => {
      const server = await insertInstance(db, 'demo', { display_name: 'vm' });
      const aggregate = String(((await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg' } }, as: ADMIN })).json['aggregate'] as Record<string, unknown>)['id']);
      for (const name of BAD_NAMES) {
        const requests: [string, string, unknown, typeof ADMIN][] = [
          ['POST', '/servers', { server: { name, imageRef: IMAGE_ID, flavorRef: '1' } }, DEMO],
          ['PUT', `/servers/${server}`, { server: { name } }, DEMO],
          ['POST', `/servers/${server}/action`, { rebuild: { imageRef: IMAGE_ID, name } }, DEMO],
          ['POST', `/servers/${server}/action`, { createImage: { name } }, DEMO],
          ['POST', '/flavors', { flavor: { name, ram: 64, vcpus: 1, disk: 1 } }, ADMIN],
          ['POST', '/os-server-groups', { server_group: { name, policies: ['affinity'] } }, DEMO],
          ['POST', '/os-aggregates', { aggregate: { name } }, ADMIN],
          ['POST', '/os-aggregates', { aggregate: { name: 'agg2', availability_zone: name } }, ADMIN],
        ];
        if (!name.startsWith(' ') && !name.endsWith(' ')) requests.push(['PUT', `/os-aggregates/${aggregate}`, { aggregate: { name } }, ADMIN]);
        for (const [method, path, body, as] of requests) {
          const refused = await call(method, path, { body, as });
          assert.equal(refused.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(refused.json)}`);
          assert.ok(messageOf(refused.json).startsWith(INVALID_NAME), messageOf(refused.json));
        }
      }
      assert.deepEqual(((await call('GET', '/servers', { as: DEMO })).json['servers'] as { name: string }[]).map((s) => s.name), ['vm'], 'no server created or renamed');
      assert.equal(((await call('GET', '/flavors?is_public=None', { as: ADMIN })).json['flavors'] as { name: string }[]).filter((f) => BAD_NAMES.includes(f.name)).length, 0);
      assert.deepEqual((await call('GET', '/os-server-groups', { as: DEMO })).json, { server_groups: [] });
      assert.deepEqual(((await call('GET', '/os-aggregates', { as: ADMIN })).json['aggregates'] as { name: string }[]).map((a) => a.name), ['agg']);
      const zoneWithColon = await call('POST', '/os-aggregates', { body: { aggregate: { name: 'agg3', availability_zone: 'a:b' } }, as: ADMIN });
      assert.equal(messageOf(zoneWithColon.json), `${INVALID_NAME}printable characters except :.Can not start or end with whitespace.`);
      const spaced = await call('PUT', `/os-aggregates/${aggregate}`, { body: { aggregate: { name: ' spaced ' } }, as: ADMIN });
      assert.equal(spaced.status, 200, 'an aggregate update keeps leading and trailing spaces, as Nova does');
      const unicode = await call('POST', '/os-server-groups', { body: { server_group: { name: 'grüne Gruppe 緑', policies: ['affinity'] } }, as: DEMO });
      assert.equal(unicode.status, 200, 'printable unicode and inner spaces are names');
    }));
});
