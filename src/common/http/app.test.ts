import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentContext } from '../context/request-context.js';
import { configureLogging, getLogger } from '../logging/logger.js';
import type { ApiService } from './api-service.js';
import { buildHttpApp } from './app.js';
import { UNEXPECTED_ERROR_MESSAGE } from './error-handler.js';
import { enterRequestContext } from './request-id.js';

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GLOBAL_ID = 'req-3dccb8c4-08fe-4706-a91d-e843b8fe9ed2';
const HANDLER_LOG = getLogger('nimbus.test.handler');

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

const computeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v2.1/servers', async () => {
    await sleep(1);
    HANDLER_LOG.info('listing servers');
    return { servers: [], context: currentContext() };
  });
  app.post('/v2.1/servers', { schema: { body: Type.Object({ server: Type.Object({ name: Type.String() }) }) } }, async (request) => {
    await sleep(1);
    HANDLER_LOG.info(`creating ${request.body.server.name}`);
    return { server: { name: request.body.server.name } };
  });
  app.delete('/v2.1/servers/:id', async () => ({}));
  app.get('/v2.1/boom', async () => {
    await sleep(1);
    throw new Error('database password is hunter2');
  });
};

const compute: ApiService = {
  name: 'compute',
  prefix: '/compute',
  faultFormat: 'nova',
  requestIdHeaders: ['x-compute-request-id'],
  routes: computeRoutes,
};

const network: ApiService = {
  name: 'network',
  prefix: '/network',
  faultFormat: 'neutron',
  routes: async (app) => {
    app.get('/v2.0/networks', async () => ({ networks: [] }));
  },
};

function buildApp(maxBodyBytes = 1024) {
  return buildHttpApp({ services: [compute, network], maxBodyBytes });
}

function linesMatching(pattern: RegExp): string[] {
  return lines.filter((line) => pattern.test(line));
}

afterEach(() => {
  lines.length = 0;
});

describe('request ids', () => {
  test('every response carries a fresh req-<uuid>, repeated in the service header', async () => {
    const app = buildApp();
    const first = await app.inject({ method: 'GET', url: '/compute/v2.1/servers' });
    const second = await app.inject({ method: 'GET', url: '/compute/v2.1/servers' });
    assert.equal(first.statusCode, 200);
    const id = first.headers['x-openstack-request-id'];
    assert.match(String(id), REQUEST_ID);
    assert.equal(first.headers['x-compute-request-id'], id);
    assert.notEqual(second.headers['x-openstack-request-id'], id);
    const network = await app.inject({ method: 'GET', url: '/network/v2.0/networks' });
    assert.match(String(network.headers['x-openstack-request-id']), REQUEST_ID);
    assert.equal(network.headers['x-compute-request-id'], undefined);
  });

  test('errors and unknown paths carry the id too', async () => {
    const app = buildApp();
    for (const url of ['/compute/nope', '/elsewhere', '/compute/v2.1/boom']) {
      const response = await app.inject({ method: 'GET', url });
      assert.match(String(response.headers['x-openstack-request-id']), REQUEST_ID, url);
    }
  });

  test("a well-formed caller id becomes the global id, never the local one", async () => {
    const app = buildApp();
    const response = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: { 'x-openstack-request-id': GLOBAL_ID },
    });
    const body = response.json<{ context: { requestId: string; globalRequestId?: string } }>();
    assert.equal(body.context.globalRequestId, GLOBAL_ID);
    assert.notEqual(body.context.requestId, GLOBAL_ID);
    assert.equal(body.context.requestId, response.headers['x-openstack-request-id']);
  });

  test('a malformed caller id is ignored', async () => {
    const app = buildApp();
    const response = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: { 'x-openstack-request-id': 'req-not-a-uuid' },
    });
    const body = response.json<{ context: { requestId: string; globalRequestId?: string } }>();
    assert.equal(body.context.globalRequestId, undefined);
    assert.match(body.context.requestId, REQUEST_ID);
  });
});

describe('logging under the request id', () => {
  test('a handler line after an await carries the id (GET and a parsed POST body)', async () => {
    const app = buildApp();
    const get = await app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: { 'x-openstack-request-id': GLOBAL_ID },
    });
    const getId = String(get.headers['x-openstack-request-id']);
    assert.equal(linesMatching(new RegExp(`\\[${GLOBAL_ID} ${getId} - -\\] listing servers$`)).length, 1);

    const post = await app.inject({ method: 'POST', url: '/compute/v2.1/servers', payload: { server: { name: 'vm1' } } });
    assert.equal(post.statusCode, 200);
    const postId = String(post.headers['x-openstack-request-id']);
    assert.equal(linesMatching(new RegExp(`\\[${postId} - -\\] creating vm1$`)).length, 1);
  });

  test('over a real socket, a body arriving in a later packet keeps the context', async () => {
    const app = buildApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = app.server.address();
      assert.ok(address !== null && typeof address === 'object');
      const body = JSON.stringify({ server: { name: 'slow' } });
      const requestId = await new Promise<string>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port: address.port,
            method: 'POST',
            path: '/compute/v2.1/servers',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(String(response.headers['x-openstack-request-id'])));
          },
        );
        request.on('error', reject);
        request.write(body.slice(0, 5));
        setTimeout(() => request.end(body.slice(5)), 30);
      });
      assert.equal(linesMatching(new RegExp(`\\[${requestId} - -\\] creating slow$`)).length, 1);
    } finally {
      await app.close();
    }
  });

  test('a hook that learns the user enriches the context for the rest of the request', async () => {
    const identity: ApiService = {
      name: 'identity',
      prefix: '/identity',
      faultFormat: 'keystone',
      routes: async (app) => {
        app.addHook('onRequest', (request, _reply, done) => {
          enterRequestContext(request, { ...request.requestContext, userId: 'u1', projectId: 'p1' }, done);
        });
        app.post('/v3/things', async () => {
          await sleep(1);
          HANDLER_LOG.info('making a thing');
          return {};
        });
      },
    };
    const app = buildHttpApp({ services: [identity], maxBodyBytes: 1024 });
    const response = await app.inject({ method: 'POST', url: '/identity/v3/things', payload: { thing: {} } });
    const id = String(response.headers['x-openstack-request-id']);
    assert.equal(linesMatching(new RegExp(`\\[${id} u1 p1\\] making a thing$`)).length, 1);
    assert.equal(linesMatching(new RegExp(`\\[${id} u1 p1\\] 127\\.0\\.0\\.1 "POST /identity/v3/things`)).length, 1);
  });

  test("one INFO access line per request, in Nova's format, with the request's id", async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'GET', url: '/compute/v2.1/servers?all_tenants=1' });
    const id = String(response.headers['x-openstack-request-id']);
    const access = linesMatching(/ nimbus\.common\.http .*status: /);
    assert.equal(access.length, 1);
    assert.match(
      access[0] ?? '',
      new RegExp(
        ` INFO nimbus\\.common\\.http \\[${id} - -\\] 127\\.0\\.0\\.1 "GET /compute/v2\\.1/servers\\?all_tenants=1 HTTP/1\\.1" ` +
          `status: 200 len: ${String(response.headers['content-length'])} time: \\d+\\.\\d{7}$`,
      ),
    );
  });
});

describe('unknown paths and methods', () => {
  test("404 in the fault format of the prefix's service", async () => {
    const app = buildApp();
    const compute = await app.inject({ method: 'GET', url: '/compute/v2.1/flavors' });
    assert.equal(compute.statusCode, 404);
    assert.deepEqual(compute.json(), { itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    const network = await app.inject({ method: 'GET', url: '/network/v2.0/ports' });
    assert.equal(network.statusCode, 404);
    assert.deepEqual(network.json(), {
      NeutronError: { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' },
    });
  });

  test('404 outside every prefix is a generic error body', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'GET', url: '/placement/resource_providers' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), {
      error: { code: 404, title: 'Not Found', message: 'The resource could not be found.' },
    });
  });

  test('a wrong method on an existing path is 405 with Allow', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'PUT', url: '/compute/v2.1/servers' });
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, 'GET, HEAD, POST');
    assert.deepEqual(response.json(), {
      badMethod: { code: 405, message: 'The method PUT is not allowed for this resource.' },
    });
    const withParam = await app.inject({ method: 'GET', url: '/compute/v2.1/servers/abc?x=1' });
    assert.equal(withParam.statusCode, 405);
    assert.equal(withParam.headers.allow, 'DELETE');
  });

  test('a malformed URL is 400 in the fault format of its prefix, with a request id', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'GET', url: '/network/v2.0/networks/%zz' });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['x-openstack-request-id']), REQUEST_ID);
    assert.equal(response.json<{ NeutronError: { type: string } }>().NeutronError.type, 'HTTPBadRequest');
  });

  test('HEAD answers for GET routes, without a body', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'HEAD', url: '/network/v2.0/networks' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '');
  });
});

describe('request bodies', () => {
  test('a body over the limit is 413: by Content-Length, streamed, or with a Content-Length that lies', async () => {
    const app = buildApp(64);
    const big = { server: { name: 'x'.repeat(100) } };
    const declared = await app.inject({ method: 'POST', url: '/compute/v2.1/servers', payload: big });
    assert.equal(declared.statusCode, 413);
    assert.deepEqual(declared.json(), { overLimit: { code: 413, message: 'Request is too large.' } });

    const streamed = await app.inject({
      method: 'POST',
      url: '/compute/v2.1/servers',
      headers: { 'content-type': 'application/json' },
      payload: Readable.from([JSON.stringify(big).slice(0, 40), JSON.stringify(big).slice(40)]),
    });
    assert.equal(streamed.statusCode, 413);

    const understated = await app.inject({
      method: 'POST',
      url: '/compute/v2.1/servers',
      headers: { 'content-type': 'application/json', 'content-length': '10' },
      payload: JSON.stringify(big),
    });
    assert.equal(understated.statusCode, 413);
  });

  test('an unsupported content type is 415', async () => {
    const app = buildApp();
    const response = await app.inject({
      method: 'POST',
      url: '/compute/v2.1/servers',
      headers: { 'content-type': 'application/xml' },
      payload: '<server/>',
    });
    assert.equal(response.statusCode, 415);
    assert.deepEqual(response.json(), { badMediaType: { code: 415, message: 'Unsupported Content-Type' } });
  });

  test('an empty JSON body is no body: fine where none is needed', async () => {
    const app = buildApp();
    const response = await app.inject({
      method: 'DELETE',
      url: '/compute/v2.1/servers/abc',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 200);
  });
});

describe('unexpected errors', () => {
  test('500 hides the details and logs the stack once at ERROR, under the request id', async () => {
    const app = buildApp();
    const response = await app.inject({ method: 'GET', url: '/compute/v2.1/boom' });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { computeFault: { code: 500, message: UNEXPECTED_ERROR_MESSAGE } });
    assert.doesNotMatch(response.body, /hunter2/);
    const id = String(response.headers['x-openstack-request-id']);
    const records = linesMatching(/ ERROR /);
    assert.equal(records.length, 1);
    const traceback = (records[0] ?? '').split('\n');
    assert.match(traceback[0] ?? '', / ERROR nimbus\.common\.http \[\S+ - -\] Unexpected error serving GET \/compute\/v2\.1\/boom$/);
    assert.ok(traceback.every((line) => line.includes(` ERROR nimbus.common.http [${id} - -] `)));
    assert.ok(traceback.some((line) => line.endsWith('Error: database password is hunter2')));
    assert.ok(traceback.some((line) => / {4}at /.test(line)), 'stack frames are logged');
  });

  test('expected client errors are not logged at ERROR', async () => {
    const app = buildApp();
    await app.inject({ method: 'GET', url: '/compute/nope' });
    assert.equal(linesMatching(/ ERROR /).length, 0);
    assert.equal(linesMatching(/ INFO .*HTTP exception thrown: The resource could not be found\.$/).length, 1);
  });
});

describe('building the app', () => {
  test('prefixes must be distinct and well formed', () => {
    assert.throws(() => buildHttpApp({ services: [compute, compute], maxBodyBytes: 1 }), /already taken/);
    assert.throws(
      () => buildHttpApp({ services: [{ ...compute, prefix: '/compute/' }], maxBodyBytes: 1 }),
      /must start with one slash/,
    );
  });
});

describe('NUL characters (PostgreSQL text cannot hold them)', () => {
  test('in a path segment, a query value, a body string or a body key: 400 in the fault format, no handler runs', async () => {
    const app = buildApp();
    lines.length = 0;
    const requests = [
      { method: 'DELETE' as const, url: '/compute/v2.1/servers/a%00b' },
      { method: 'GET' as const, url: '/compute/v2.1/servers?name=a%00b' },
      { method: 'POST' as const, url: '/compute/v2.1/servers', payload: '{"server": {"name": "a\\u0000b"}}' },
      { method: 'POST' as const, url: '/compute/v2.1/servers', payload: '{"server": {"name": "vm", "a\\u0000": 1}}' },
    ];
    for (const { method, url, payload } of requests) {
      const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
      assert.deepEqual([response.statusCode, response.json()], [400, { badRequest: { code: 400, message: 'Invalid input: the request contains a NUL character (\\u0000).' } }], url);
    }
    assert.deepEqual(linesMatching(/creating|listing servers/), []);
    const escaped = await app.inject({ method: 'POST', url: '/compute/v2.1/servers', payload: '{"server": {"name": "a\\\\u0000b"}}', headers: { 'content-type': 'application/json' } });
    assert.equal(escaped.statusCode, 200, 'a backslash followed by u0000 is text, not a NUL');
    await app.close();
  });
});
