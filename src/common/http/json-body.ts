import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies as the OpenStack services read them: an empty body is no body (clients send
 * `Content-Type: application/json` on bodiless DELETEs and actions), anything else must parse.
 * Parsing keeps Fastify's prototype-poisoning checks; a route that needs a body says so in its
 * schema, which then rejects the missing one.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser<string>('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    void parseJson(request, body, done);
  });
}
