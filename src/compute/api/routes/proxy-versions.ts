/** APIs Nova removed at a microversion: 404 beyond it, before the body is validated. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { versioned } from '../../../common/http/versioned.js';

/** For a plugin whose routes exist from 2.1 up to `max`. */
export function servedUntil(app: Parameters<FastifyPluginAsyncTypebox>[0], max: string): void {
  const versions = versioned([{ min: '2.1', max, value: true }]);
  app.addHook('preValidation', async (request) => {
    versions.select(request.microversion);
  });
}

/** The proxy APIs (images, security groups, floating IPs, networks) exist up to 2.35 (MAX_PROXY_API_SUPPORT_VERSION). */
export function proxyOnlyBefore236(app: Parameters<FastifyPluginAsyncTypebox>[0]): void {
  servedUntil(app, '2.35');
}
