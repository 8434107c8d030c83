import { STATUS_CODES } from 'node:http';
import type { FaultFormat } from './api-service.js';

/** What an error response says, before it is dressed in a service's fault format. */
export interface Fault {
  readonly status: number;
  readonly message: string;
  /** Neutron's `type`: the exception class name; defaults to webob's (`HTTPNotFound`). */
  readonly type?: string;
}

/** Nova's and Cinder's root keys (nova/api/openstack/wsgi.py `Fault._fault_names`); others are computeFault. */
const NOVA_FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** webob's titles where they differ from Node's reason phrases; services built on webob print these. */
const WEBOB_TITLES: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  416: 'Request Range Not Satisfiable',
};

/** The reason phrase webob (and so every OpenStack service) uses for `status`. */
export function statusTitle(status: number): string {
  return WEBOB_TITLES[status] ?? STATUS_CODES[status] ?? 'Unknown Error';
}

/** webob's exception class for `status`: `HTTPNotFound`, `HTTPRequestEntityTooLarge`. */
function webobClassName(status: number): string {
  return `HTTP${statusTitle(status).replace(/[^A-Za-z]/g, '')}`;
}

/**
 * The body each project answers errors with:
 * - nova, cinder: `{"itemNotFound": {"code": 404, "message": "…"}}`
 * - keystone: `{"error": {"code": 404, "title": "Not Found", "message": "…"}}`
 * - neutron: `{"NeutronError": {"type": "HTTPNotFound", "message": "…", "detail": ""}}`
 * - glance (webob's JSON error): `{"code": "404 Not Found", "title": "Not Found", "message": "…"}`
 */
export function faultBody(format: FaultFormat, fault: Fault): Record<string, unknown> {
  const { status, message } = fault;
  switch (format) {
    case 'nova':
    case 'cinder':
      return { [NOVA_FAULT_NAMES[status] ?? 'computeFault']: { code: status, message } };
    case 'keystone':
      return { error: { code: status, title: statusTitle(status), message } };
    case 'neutron':
      return { NeutronError: { type: fault.type ?? webobClassName(status), message, detail: '' } };
    case 'glance':
      return { code: `${status} ${statusTitle(status)}`, title: statusTitle(status), message };
  }
}
