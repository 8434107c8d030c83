import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { configureLogging } from '../logging/logger.js';
import type { ApiService } from './api-service.js';
import { buildHttpApp } from './app.js';
import { Microversion } from './microversion.js';
import { negotiateMicroversion, type MicroversionConfig } from './microversion-negotiation.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

const NOVA: MicroversionConfig = {
  serviceType: 'compute',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
  min: '2.1',
  max: '2.93',
};

describe('Microversion', () => {
  test('parses X.Y and compares numerically', () => {
    const v = Microversion.of('2.10');
    assert.equal(v.toString(), '2.10');
    assert.ok(v.isAtLeast('2.9'));
    assert.ok(v.isAtMost('2.10'));
    assert.ok(!v.isAtLeast('3.0'));
    assert.ok(v.equals('2.10'));
    assert.ok(v.isWithin('2.1', '2.10'));
    assert.ok(v.isWithin('2.10'));
    assert.ok(!v.isWithin('2.11'));
    assert.equal(v.next().toString(), '2.11');
    assert.ok(Microversion.of('3.0').compare('2.99') > 0);
  });

  test('rejects malformed text', () => {
    for (const text of ['2', '2.', '.1', '02.1', '2.01', 'v2.1', '2.1.1', 'latest', '']) {
      assert.equal(Microversion.parse(text), undefined, text);
    }
    assert.throws(() => Microversion.of('2.x'), /Malformed microversion literal/);
  });
});

describe('negotiateMicroversion', () => {
  test('no header → min, latest → max', () => {
    assert.equal(negotiateMicroversion({}, NOVA).toString(), '2.1');
    assert.equal(negotiateMicroversion({ 'openstack-api-version': 'compute latest' }, NOVA).toString(), '2.93');
    assert.equal(negotiateMicroversion({ 'x-openstack-nova-api-version': 'Latest' }, NOVA).toString(), '2.93');
  });

  test('picks its service among several, case-insensitively; the standard header wins', () => {
    const headers = { 'openstack-api-version': 'volume 3.60, Compute 2.73', 'x-openstack-nova-api-version': '2.5' };
    assert.equal(negotiateMicroversion(headers, NOVA).toString(), '2.73');
    assert.equal(negotiateMicroversion({ 'openstack-api-version': 'volume 3.60' }, NOVA).toString(), '2.1');
    assert.equal(
      negotiateMicroversion({ 'openstack-api-version': 'volume 3.60', 'x-openstack-nova-api-version': '2.5' }, NOVA).toString(),
      '2.5',
    );
  });

  test('malformed → 400, out of range → 406', () => {
    for (const value of ['compute 2', 'compute two', 'compute', 'compute 2.1 2.2']) {
      assert.throws(() => negotiateMicroversion({ 'openstack-api-version': value }, NOVA), { status: 400 }, value);
    }
    assert.throws(() => negotiateMicroversion({ 'x-openstack-nova-api-version': '2.01' }, NOVA), { status: 400 });
    assert.throws(() => negotiateMicroversion({ 'openstack-api-version': 'compute 2.94' }, NOVA), {
      status: 406,
      message: 'Version 2.94 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
    });
    assert.throws(() => negotiateMicroversion({ 'openstack-api-version': 'compute 1.99' }, NOVA), { status: 406 });
  });
});

describe('microversions on a service', () => {
  const routes: FastifyPluginAsyncTypebox = async (app) => {
    app.get('/v2.1/version', async (request) => ({
      version: request.microversion.toString(),
      tagged: request.microversion.isAtLeast('2.32'),
    }));
  };
  const compute: ApiService = { name: 'compute', prefix: '/compute', faultFormat: 'nova', microversions: NOVA, routes };
  const image: ApiService = {
    name: 'image',
    prefix: '/image',
    faultFormat: 'glance',
    routes: async (app) => {
      app.get('/v2/version', async (request) => ({ version: request.microversion.toString() }));
    },
  };
  const app = buildHttpApp({ services: [compute, image], maxBodyBytes: 1024 });

  test('handlers read the negotiated version; responses echo it with Vary', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/version',
      headers: { 'openstack-api-version': 'compute 2.32' },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { version: '2.32', tagged: true });
    assert.equal(response.headers['openstack-api-version'], 'compute 2.32');
    assert.equal(response.headers['x-openstack-nova-api-version'], '2.32');
    assert.equal(response.headers.vary, 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
  });

  test('the legacy header alone works; the access line names the version', async () => {
    lines.length = 0;
    const response = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/version',
      headers: { 'x-openstack-nova-api-version': '2.5' },
    });
    assert.deepEqual(response.json(), { version: '2.5', tagged: false });
    assert.equal(lines.filter((line) => / status: 200 len: \d+ microversion: 2\.5 time: /.test(line)).length, 1);
  });

  test('absent → min; also on 404s', async () => {
    const response = await app.inject({ method: 'GET', url: '/compute/v2.1/version' });
    assert.deepEqual(response.json(), { version: '2.1', tagged: false });
    const missing = await app.inject({ method: 'GET', url: '/compute/v2.1/nothing' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['openstack-api-version'], 'compute 2.1');
  });

  test('out of range → 406 and malformed → 400, in the fault format', async () => {
    const high = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/version',
      headers: { 'openstack-api-version': 'compute 2.200' },
    });
    assert.equal(high.statusCode, 406);
    assert.deepEqual(high.json(), {
      computeFault: { code: 406, message: 'Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.93.' },
    });
    const bad = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/version',
      headers: { 'x-openstack-nova-api-version': '2.x' },
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), {
      badRequest: {
        code: 400,
        message: 'API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.',
      },
    });
  });

  test('services without microversions echo nothing, and reading one is a bug (500)', async () => {
    const response = await app.inject({ method: 'GET', url: '/image/v2/version' });
    assert.equal(response.statusCode, 500);
    assert.equal(response.headers['openstack-api-version'], undefined);
  });

  test('a malformed or empty range is refused when the app is built', () => {
    const build = (min: string, max: string) =>
      buildHttpApp({ services: [{ ...compute, microversions: { ...NOVA, min, max } }], maxBodyBytes: 1024 });
    assert.throws(() => build('2.10', '2.9'), /Microversion range 2\.10-2\.9 of compute is empty/);
    assert.throws(() => build('2.1', 'latest'), /Malformed microversion literal/);
  });
});
