import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadRequest, Conflict, NotAcceptable, NotFound, NotImplemented, PayloadTooLarge } from '../errors/errors.js';
import { configureLogging } from '../logging/logger.js';
import type { ApiService, FaultFormat } from './api-service.js';
import { buildHttpApp } from './app.js';
import { classifyError, UNEXPECTED_ERROR_MESSAGE } from './error-handler.js';
import { faultBody, statusTitle } from './faults.js';

configureLogging({ sink: () => undefined });

/** A Neutron-style exception: its class name is the fault's type. */
class NetworkNotFound extends NotFound {
  constructor(id: string) {
    super(`Network ${id} could not be found.`);
  }
}

describe('fault bodies', () => {
  test('nova and cinder: Nova fault names per status, computeFault otherwise', () => {
    const expected: [number, string][] = [
      [400, 'badRequest'],
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'itemNotFound'],
      [405, 'badMethod'],
      [406, 'computeFault'],
      [409, 'conflictingRequest'],
      [413, 'overLimit'],
      [415, 'badMediaType'],
      [429, 'overLimit'],
      [500, 'computeFault'],
      [501, 'notImplemented'],
      [503, 'serviceUnavailable'],
    ];
    for (const format of ['nova', 'cinder'] as const) {
      for (const [status, name] of expected) {
        assert.deepEqual(faultBody(format, { status, message: 'm' }), { [name]: { code: status, message: 'm' } });
      }
    }
  });

  test('keystone: error with code, title and message', () => {
    assert.deepEqual(faultBody('keystone', { status: 401, message: 'The request you have made requires authentication.' }), {
      error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
    });
  });

  test("neutron: NeutronError typed by webob's class or the exception's own name", () => {
    assert.deepEqual(faultBody('neutron', { status: 413, message: 'm' }), {
      NeutronError: { type: 'HTTPRequestEntityTooLarge', message: 'm', detail: '' },
    });
    assert.deepEqual(faultBody('neutron', { status: 404, message: 'm', type: 'NetworkNotFound' }), {
      NeutronError: { type: 'NetworkNotFound', message: 'm', detail: '' },
    });
  });

  test("glance: webob's JSON error", () => {
    assert.deepEqual(faultBody('glance', { status: 409, message: 'Image is locked' }), {
      code: '409 Conflict',
      title: 'Conflict',
      message: 'Image is locked',
    });
    assert.equal(statusTitle(413), 'Request Entity Too Large');
  });
});

describe('classifying errors', () => {
  test('typed errors keep status, message and headers; generic classes carry no type', () => {
    const fault = classifyError(new PayloadTooLarge());
    assert.deepEqual(fault, { status: 413, message: 'Request is too large.', headers: {}, type: undefined, expected: true });
    assert.equal(classifyError(new NetworkNotFound('n1')).type, 'NetworkNotFound');
  });

  test('anything else is an unexpected 500 with a generic message', () => {
    const fault = classifyError(new TypeError('secret'));
    assert.equal(fault.status, 500);
    assert.equal(fault.message, UNEXPECTED_ERROR_MESSAGE);
    assert.equal(fault.expected, false);
    assert.equal(classifyError('a string').status, 500);
  });
});

describe('errors thrown by a route, in each format', () => {
  const thrown: Record<string, () => Error> = {
    '/bad': () => new BadRequest('Bad flavorRef'),
    '/conflict': () => new Conflict("Cannot 'pause' instance while it is in vm_state paused"),
    '/unacceptable': () => new NotAcceptable('No'),
    '/network': () => new NetworkNotFound('n1'),
    '/unimplemented': () => new NotImplemented(),
  };
  const services: ApiService[] = (['nova', 'keystone', 'neutron', 'glance', 'cinder'] as FaultFormat[]).map((format) => ({
    name: format,
    prefix: `/${format}`,
    faultFormat: format,
    routes: async (app) => {
      for (const [path, make] of Object.entries(thrown)) {
        app.get(path, () => Promise.reject(make()));
      }
    },
  }));
  const app = buildHttpApp({ services, maxBodyBytes: 1024 });

  test('each format answers with its exact shape and the status', async () => {
    const expectations: [string, number, unknown][] = [
      ['/nova/conflict', 409, { conflictingRequest: { code: 409, message: "Cannot 'pause' instance while it is in vm_state paused" } }],
      ['/cinder/unacceptable', 406, { computeFault: { code: 406, message: 'No' } }],
      ['/nova/unimplemented', 501, { notImplemented: { code: 501, message: 'This operation is not implemented.' } }],
      ['/keystone/bad', 400, { error: { code: 400, title: 'Bad Request', message: 'Bad flavorRef' } }],
      ['/neutron/network', 404, { NeutronError: { type: 'NetworkNotFound', message: 'Network n1 could not be found.', detail: '' } }],
      ['/neutron/bad', 400, { NeutronError: { type: 'HTTPBadRequest', message: 'Bad flavorRef', detail: '' } }],
      ['/glance/network', 404, { code: '404 Not Found', title: 'Not Found', message: 'Network n1 could not be found.' }],
    ];
    for (const [url, status, body] of expectations) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, status, url);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.deepEqual(response.json(), body, url);
    }
  });
});
