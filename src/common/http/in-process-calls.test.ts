import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NotFound, ServiceUnavailable } from '../errors/errors.js';
import type { ApiService } from './api-service.js';
import { buildHttpApp } from './app.js';
import { serveInProcess } from './in-process-calls.js';
import { fetchService, remoteFault } from './remote-fault.js';

const network: ApiService = {
  name: 'network',
  prefix: '/network',
  faultFormat: 'neutron',
  routes: async (app) => {
    app.get('/v2.0/ports', async (request) => ({ ports: [], query: request.query, token: request.headers['x-auth-token'] ?? null }));
    app.post('/v2.0/ports', async (request, reply) => reply.code(201).header('x-subject-token', 'made').send({ port: request.body }));
    app.delete('/v2.0/ports/:id', async (_request, reply) => reply.code(204).send());
  },
};

/** A listener that takes connections and never answers: a call that reaches it over TCP hangs, one that stays in the process does not. */
let silent: Server;
let base: string;

before(async () => {
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

after(() => new Promise<void>((resolve) => silent.close(() => resolve())));

describe('calls to a service this process serves', () => {
  const app = buildHttpApp({ services: [network], maxBodyBytes: 1024 });
  after(() => app.close());

  test('answer in the process with the route, status, headers and body', async () => {
    const stop = serveInProcess([`${base}/network`], (request) => app.inject(request));
    try {
      const listed = await fetchService(`${base}/network/v2.0/ports?device_id=d1`, { headers: { 'x-auth-token': 't1' }, signal: AbortSignal.timeout(2000) }, 'list ports');
      assert.equal(listed.status, 200);
      assert.deepEqual(await listed.json(), { ports: [], query: { device_id: 'd1' }, token: 't1' });
      assert.match(listed.headers.get('x-openstack-request-id') ?? '', /^req-/);

      const created = await fetchService(`${base}/network/v2.0/ports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"p"}' }, 'create port');
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('x-subject-token'), 'made');
      assert.deepEqual(await created.json(), { port: { name: 'p' } });

      const deleted = await fetchService(`${base}/network/v2.0/ports/p1`, { method: 'DELETE' }, 'delete port');
      assert.equal(deleted.status, 204);
      assert.equal(deleted.body, null);
    } finally {
      stop();
    }
  });

  test("a fault reads as the service's typed error", async () => {
    const stop = serveInProcess([`${base}/network`], (request) => app.inject(request));
    try {
      const missing = await fetchService(`${base}/network/v2.0/nothing`, {}, 'get nothing');
      assert.equal(missing.status, 404);
      assert.ok((await remoteFault(missing, 'get nothing')) instanceof NotFound);
    } finally {
      stop();
    }
  });

  test('other prefixes, and every call once the node stops, go over HTTP', async () => {
    const stop = serveInProcess([`${base}/network`], (request) => app.inject(request));
    const overTcp = (path: string) => fetchService(`${base}${path}`, { signal: AbortSignal.timeout(300) }, path);
    try {
      await assert.rejects(overTcp('/networking/v2.0/ports'), ServiceUnavailable);
    } finally {
      stop();
    }
    await assert.rejects(overTcp('/network/v2.0/ports'), ServiceUnavailable);
  });
});
