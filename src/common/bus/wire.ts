import type { RequestContext } from '../context/request-context.js';
import type { Envelope, RemoteFailure, Reply } from './transport.js';

/**
 * JSON encoding of envelopes and replies. Whatever arrives is untrusted bytes from another process,
 * so decoding checks the shape and keeps only known context fields.
 */

export class MalformedMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessage';
  }
}

/** Throws (TypeError) for data JSON cannot carry: cycles, BigInt. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/** A result JSON cannot carry becomes a failure for the caller rather than a reply that never comes. */
export function encodeReply(reply: Reply): string {
  try {
    return JSON.stringify(reply);
  } catch (error) {
    const message = `the result is not JSON data: ${error instanceof Error ? error.message : String(error)}`;
    return JSON.stringify({ ok: false, error: { className: 'MalformedMessage', message } });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedMessage('message body is not JSON');
  }
  if (!isObject(value)) throw new MalformedMessage('message body is not a JSON object');
  return value;
}

function optionalString(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

function decodeContext(value: unknown): RequestContext | null {
  if (value === null || value === undefined) return null;
  if (!isObject(value) || typeof value['requestId'] !== 'string') throw new MalformedMessage('context has no requestId');
  const roles = value['roles'];
  return {
    requestId: value['requestId'],
    globalRequestId: optionalString(value, 'globalRequestId'),
    userId: optionalString(value, 'userId'),
    projectId: optionalString(value, 'projectId'),
    roles: Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : undefined,
    isAdmin: typeof value['isAdmin'] === 'boolean' ? value['isAdmin'] : undefined,
    // As oslo.context's auth_token: a worker calls other services (Cinder, Glance) as the user who asked.
    authToken: optionalString(value, 'authToken'),
  };
}

export function decodeEnvelope(text: string): Envelope {
  const value = parse(text);
  const { version, method, args } = value;
  if (typeof version !== 'string') throw new MalformedMessage('envelope has no version');
  if (typeof method !== 'string') throw new MalformedMessage('envelope has no method');
  if (!isObject(args)) throw new MalformedMessage('envelope args is not an object');
  return { version, method, args, context: decodeContext(value['context']) };
}

function decodeFailure(value: unknown): RemoteFailure {
  if (!isObject(value) || typeof value['className'] !== 'string' || typeof value['message'] !== 'string') {
    throw new MalformedMessage('reply error has no className or message');
  }
  const status = value['status'];
  return typeof status === 'number'
    ? { className: value['className'], message: value['message'], status }
    : { className: value['className'], message: value['message'] };
}

export function decodeReply(text: string): Reply {
  const value = parse(text);
  if (value['ok'] === true) return { ok: true, result: value['result'] };
  if (value['ok'] === false) return { ok: false, error: decodeFailure(value['error']) };
  throw new MalformedMessage('reply has no ok flag');
}
