/**
 * Test-only: the image routes in the real HTTP framework and policy engine over an image service
 * on a migrated SQLite database and a filesystem store. The caller's context travels in a
 * test-only header (absent: a member of `owner-project`).
 */
import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import { buildHttpApp } from '../../../common/http/app.js';
import { enterRequestContext } from '../../../common/http/request-id.js';
import { credentialsOf } from '../../../common/policy/credentials.js';
import { createPolicyEnforcer } from '../../../common/policy/enforcer.js';
import type { ImageService } from '../../images/image-service.js';
import { memberOf, withImages } from '../../images/testing/image-fixture.js';
import { IMAGE_POLICIES } from '../../policies.js';
import { imageRoutes } from './index.js';

export const OWNER = memberOf('owner-project');

export interface ImageReply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly raw: Buffer;
}
export interface ImageCallOptions {
  /** JSON, or raw bytes sent as application/octet-stream. */
  readonly body?: unknown;
  readonly as?: RequestContext;
  readonly headers?: Record<string, string>;
}
export type ImageCall = (method: string, path: string, options?: ImageCallOptions) => Promise<ImageReply>;

export interface ImageHarness {
  readonly app: FastifyInstance;
  readonly call: ImageCall;
  readonly images: ImageService;
  readonly db: Database;
}

export async function withImageApp(fn: (harness: ImageHarness) => Promise<void>): Promise<void> {
  await withImages('sqlite', async ({ images, db }) => {
    const app: FastifyInstance = buildHttpApp({
      maxBodyBytes: 1024,
      services: [
        {
          name: 'image',
          prefix: '/image',
          faultFormat: 'glance',
          routes: async (scope) => {
            scope.addHook('onRequest', (request, _reply, done) => {
              const context = JSON.parse(String(request.headers['x-test-context'])) as RequestContext;
              enterRequestContext(request, context, done);
            });
            await scope.register(
              imageRoutes({
                images,
                policy: createPolicyEnforcer({ defaults: IMAGE_POLICIES }),
                credentialsOf: (request) => credentialsOf(request.requestContext),
                publicUrl: 'http://cloud',
              }),
            );
          },
        },
      ],
    });
    const call: ImageCall = async (method, path, { body, as = OWNER, headers = {} } = {}) => {
      const payload = body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) };
      const contentType = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json';
      const response = await app.inject({
        method: method as 'GET',
        url: `/image${path}`,
        headers: { 'x-test-context': JSON.stringify(as), ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
        ...payload,
      });
      const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
      return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {}, headers: response.headers, raw: response.rawPayload };
    };
    try {
      await fn({ app, call, images, db });
    } finally {
      await app.close();
    }
  });
}
