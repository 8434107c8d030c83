/** Nova's proxy APIs (images, security groups, floating IPs, networks) exist up to 2.35 (MAX_PROXY_API_SUPPORT_VERSION). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { versioned } from '../../../common/http/versioned.js';

const PROXY_VERSIONS = versioned([{ min: '2.1', max: '2.35', value: true }]);

/** For a proxy's plugin: 404 from 2.36 on, as in Nova, before the body is validated. */
export function proxyOnlyBefore236(app: Parameters<FastifyPluginAsyncTypebox>[0]): void {
  app.addHook('preValidation', async (request) => {
    PROXY_VERSIONS.select(request.microversion);
  });
}
