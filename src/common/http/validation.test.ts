import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BadRequest } from '../errors/errors.js';
import { configureLogging } from '../logging/logger.js';
import { buildHttpApp } from './app.js';
import { bodyValidator, compileAllValidators } from './validation.js';

configureLogging({ sink: () => undefined });

const CreateServer = Type.Object(
  {
    server: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        imageRef: Type.Optional(Type.String({ format: 'uuid' })),
        min_count: Type.Optional(Type.Integer({ minimum: 1 })),
        power: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const ListServers = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Optional(Type.Array(Type.String())),
});

const ServerParams = Type.Object({ index: Type.Integer() });

let handlerCalls = 0;

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/servers', { schema: { body: CreateServer } }, async (request) => {
    handlerCalls += 1;
    return { name: request.body.server.name, min_count: request.body.server.min_count ?? null };
  });
  app.get('/servers', { schema: { querystring: ListServers } }, async (request) => ({ query: request.query }));
  app.get('/servers/:index', { schema: { params: ServerParams } }, async (request) => ({ index: request.params.index }));
};

const FORMATS = { nova: '/compute', keystone: '/identity', neutron: '/network', glance: '/image' } as const;

const app = buildHttpApp({
  maxBodyBytes: 4096,
  services: Object.entries(FORMATS).map(([faultFormat, prefix]) => ({
    name: faultFormat,
    prefix,
    faultFormat: faultFormat as keyof typeof FORMATS,
    routes,
  })),
});

async function post(payload: string, prefix = '/compute') {
  return app.inject({
    method: 'POST',
    url: `${prefix}/servers`,
    headers: { 'content-type': 'application/json' },
    payload,
  });
}

function novaMessage(response: { json<T>(): T }): string {
  return response.json<{ badRequest: { message: string } }>().badRequest.message;
}

describe('request bodies', () => {
  test('a valid body reaches the handler, typed', async () => {
    const response = await post(JSON.stringify({ server: { name: 'vm1', min_count: 2 } }));
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { name: 'vm1', min_count: 2 });
  });

  test('invalid JSON is 400 in every fault format', async () => {
    const nova = await post('{"server": ');
    assert.equal(nova.statusCode, 400);
    assert.deepEqual(nova.json(), { badRequest: { code: 400, message: 'Malformed request body' } });
    const keystone = await post('{', '/identity');
    assert.deepEqual(keystone.json(), { error: { code: 400, title: 'Bad Request', message: 'Malformed request body' } });
    const neutron = await post('{', '/network');
    assert.deepEqual(neutron.json(), {
      NeutronError: { type: 'HTTPBadRequest', message: 'Malformed request body', detail: '' },
    });
    const glance = await post('{', '/image');
    assert.deepEqual(glance.json(), { code: '400 Bad Request', title: 'Bad Request', message: 'Malformed request body' });
  });

  test('an unknown field is 400, not stripped, and the handler is not called', async () => {
    const before = handlerCalls;
    const nested = await post(JSON.stringify({ server: { name: 'vm1', flavour: 'big' } }));
    assert.equal(nested.statusCode, 400);
    assert.equal(
      novaMessage(nested),
      `Invalid input for field/attribute server. Value: {"name":"vm1","flavour":"big"}. ` +
        `Additional properties are not allowed ('flavour' was unexpected)`,
    );
    const top = await post(JSON.stringify({ server: { name: 'vm1' }, extra: 1 }));
    assert.equal(novaMessage(top), "Additional properties are not allowed ('extra' was unexpected)");
    assert.equal(handlerCalls, before);
  });

  test('a wrong type is 400 naming the field, with no coercion', async () => {
    const response = await post(JSON.stringify({ server: { name: 1 } }));
    assert.equal(response.statusCode, 400);
    assert.equal(novaMessage(response), "Invalid input for field/attribute name. Value: 1. 1 is not of type 'string'");
    const numeric = await post(JSON.stringify({ server: { name: 'vm1', min_count: '2' } }));
    assert.equal(
      novaMessage(numeric),
      "Invalid input for field/attribute min_count. Value: 2. '2' is not of type 'integer'",
    );
  });

  test('a missing required field is 400', async () => {
    const nested = await post(JSON.stringify({ server: {} }));
    assert.equal(nested.statusCode, 400);
    assert.equal(novaMessage(nested), "Invalid input for field/attribute server. Value: {}. 'name' is a required property");
    const empty = await post('');
    assert.equal(empty.statusCode, 400);
    assert.equal(novaMessage(empty), 'null is not of type \'object\'');
  });

  test('limits, formats and choices are worded as jsonschema words them', async () => {
    const cases: [unknown, string][] = [
      [{ name: '' }, "Invalid input for field/attribute name. Value: . '' is too short"],
      [{ name: 'a', min_count: 0 }, 'Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1'],
      [{ name: 'a', imageRef: 'cirros' }, "Invalid input for field/attribute imageRef. Value: cirros. 'cirros' is not a 'uuid'"],
      [{ name: 'a', power: 'up' }, "Invalid input for field/attribute power. Value: up. 'up' is not valid under any of the given schemas"],
    ];
    for (const [server, message] of cases) {
      const response = await post(JSON.stringify({ server }));
      assert.equal(response.statusCode, 400);
      assert.equal(novaMessage(response), message);
    }
  });
});

describe('query strings and path params', () => {
  test('are coerced, one value filling an array', async () => {
    const response = await app.inject({ method: 'GET', url: '/compute/servers?limit=5&status=ACTIVE' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { query: { limit: 5, status: ['ACTIVE'] } });
    const params = await app.inject({ method: 'GET', url: '/compute/servers/7' });
    assert.deepEqual(params.json(), { index: 7 });
  });

  test('a bad value is 400 naming the query parameter', async () => {
    const response = await app.inject({ method: 'GET', url: '/compute/servers?limit=many' });
    assert.equal(response.statusCode, 400);
    assert.equal(
      novaMessage(response),
      "Invalid input for query parameters limit. Value: many. 'many' is not of type 'integer'",
    );
    const params = await app.inject({ method: 'GET', url: '/compute/servers/seven' });
    assert.equal(params.statusCode, 400);
  });
});

describe('bodyValidator', () => {
  test('checks a body with the same rules and messages, returning it typed', () => {
    const validate = bodyValidator(CreateServer);
    const body = validate({ server: { name: 'vm1' } });
    assert.equal(body.server.name, 'vm1');
    assert.throws(
      () => validate({ server: { name: 'vm1', min_count: '2' } }),
      (error: unknown) =>
        error instanceof BadRequest &&
        error.message === "Invalid input for field/attribute min_count. Value: 2. '2' is not of type 'integer'",
    );
  });
});

describe('Type.Record schemas', () => {
  test('enforce their key pattern (TypeBox leaves other keys unchecked), worded as jsonschema words it', () => {
    const validate = bodyValidator(Type.Object({ specs: Type.Record(Type.String({ pattern: '^[a-z:]{1,8}$' }), Type.String()) }));
    assert.deepEqual(validate({ specs: { 'hw:a': 'x' } }), { specs: { 'hw:a': 'x' } });
    for (const key of ['', 'a/b', 'toolongkey']) {
      assert.throws(
        () => validate({ specs: { [key]: 'x' } }),
        (error: unknown) => error instanceof BadRequest && error.message.endsWith(`'${key}' does not match any of the regexes: '^[a-z:]{1,8}$'`),
        JSON.stringify(key),
      );
    }
  });

  test('whose key has no pattern are refused when compiled: their limits would be lost', () => {
    assert.throws(() => bodyValidator(Type.Record(Type.String({ maxLength: 255 }), Type.String())), /give the key a pattern/);
    assert.doesNotThrow(() => bodyValidator(Type.Object({}, { additionalProperties: Type.String() })));
  });
});

describe('compiling on first use', () => {
  test('a schema mistake strict mode rejects fails compileAllValidators and the first use, not the import', () => {
    const validate = bodyValidator(Type.Object({ name: Type.String({ notAKeyword: true }) }));
    assert.throws(() => compileAllValidators(), /unknown keyword: "notAKeyword"/);
    assert.throws(() => validate({ name: 'vm1' }), /unknown keyword: "notAKeyword"/);
  });
});
