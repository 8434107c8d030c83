import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../errors/errors.js';

/** Whether a parsed request part holds U+0000 in any string, key or value (streams are not looked into). */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 512 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => holdsNul(item, depth + 1));
  // Raw bodies (image data) are streams or buffers: bytes, not text.
  if (Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item, depth + 1));
}

/**
 * PostgreSQL text cannot hold U+0000 (the query fails, a 500), so no request carrying one in its
 * path, query or JSON body reaches a handler: it is a 400 in the service's fault format, on every
 * engine alike.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    if (holdsNul(request.params) || holdsNul(request.query) || holdsNul(request.body)) {
      done(new BadRequest('Invalid input: the request contains a NUL character (\\u0000).'));
      return;
    }
    done();
  });
}
