import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memberOf, withVolumeCloud } from '../../testing/volume-cloud.js';

type Json = Record<string, unknown>;

test('/extensions lists the Cinder extensions served, to anyone; one shows by alias, an unknown one is 404', () =>
  withVolumeCloud('sqlite', async (cloud) => {
    const alice = memberOf('alice-project');
    const listed = await cloud.call('GET', '/extensions', { as: alice });
    assert.equal(listed.status, 200, listed.text);
    const extensions = listed.json['extensions'] as Json[];
    const aliases = extensions.map((extension) => extension['alias']);
    for (const alias of ['os-quota-sets', 'os-quota-class-sets', 'scheduler-stats', 'os-services', 'os-volume-transfer', 'capabilities', 'os-extended-services', 'qos-specs', 'encryption']) assert.ok(aliases.includes(alias), alias);
    assert.ok(!aliases.includes('os-volume-manage'), 'not built');
    const shown = await cloud.call('GET', '/extensions/os-quota-sets', { as: alice });
    assert.deepEqual(shown.json, { extension: extensions.find((extension) => extension['alias'] === 'os-quota-sets') });
    assert.deepEqual(shown.json['extension'], {
      name: 'Quotas', alias: 'os-quota-sets', description: 'Quota management support.', updated: '2011-08-08T00:00:00+00:00', links: [],
    });
    assert.deepEqual((await cloud.call('GET', '/extensions/os-volume-manage', { as: alice })).json, { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
  }));
