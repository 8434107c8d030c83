/**
 * Test-only: the image routes in the real HTTP framework and policy engine over a fresh image
 * service. The caller's context travels in a test-only header, or, with a token validator, the
 * routes sit behind the real auth middleware and callers send X-Auth-Token.
 */
import type { FastifyInstance } from 'fastify';
import { addAuthToken } from '../../../common/auth/auth-token.js';
import type { TokenValidator } from '../../../common/auth/token-validator.js';
import type { RequestContext } from '../../../common/context/request-context.js';
import type { Database } from '../../../common/db/database.js';
import { buildHttpApp } from '../../../common/http/app.js';
import { enterRequestContext } from '../../../common/http/request-id.js';
import { credentialsOf } from '../../../common/policy/credentials.js';
import { createPolicyEnforcer } from '../../../common/policy/enforcer.js';
import { recordRoutes } from '../../../common/policy/testing/policy-matrix.js';
import type { ImageService } from '../../images/image-service.js';
import { memberOf, withImages, type FixtureOptions } from '../../images/testing/image-fixture.js';
import { IMAGE_POLICIES } from '../../policies.js';
import { imageRoutes } from './index.js';

export const OWNER = memberOf('owner-project');

export interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly raw: Buffer;
}
export interface CallOptions {
  readonly body?: unknown;
  /** The caller (default OWNER); ignored behind the auth middleware, where `headers` carry the token. */
  readonly as?: RequestContext;
  readonly headers?: Record<string, string>;
}
export type Call = (method: string, path: string, options?: CallOptions) => Promise<Reply>;

export interface ImageApp {
  readonly app: FastifyInstance;
  readonly call: Call;
  readonly db: Database;
  readonly images: ImageService;
  /** Every route the image plugin registered, `METHOD /v2/…` (filled once the app is ready). */
  readonly routes: readonly string[];
}

export async function withImageApp(fn: (app: ImageApp) => Promise<void>, options: { validator?: TokenValidator; fixture?: FixtureOptions } = {}): Promise<void> {
  await withImages('sqlite', async ({ images, db }) => {
    const routes: string[] = [];
    const app: FastifyInstance = buildHttpApp({
      maxBodyBytes: 1024,
      services: [
        {
          name: 'image',
          prefix: '/image',
          faultFormat: 'glance',
          routes: async (scope) => {
            recordRoutes(scope, '/image', routes);
            if (options.validator === undefined) {
              scope.addHook('onRequest', (request, _reply, done) => {
                const context = JSON.parse(String(request.headers['x-test-context'])) as RequestContext;
                enterRequestContext(request, context, done);
              });
            } else {
              addAuthToken(scope, { validator: options.validator, identityUri: () => 'http://cloud/identity' });
            }
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
    try {
      const call: Call = async (method, path, { body, as = OWNER, headers = {} } = {}) => {
        const payload = body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) };
        const contentType = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json';
        const response = await app.inject({
          method: method as 'GET',
          url: `/image${path}`,
          headers: {
            ...(options.validator === undefined ? { 'x-test-context': JSON.stringify(as) } : {}),
            ...(body === undefined ? {} : { 'content-type': contentType }),
            ...headers,
          },
          ...payload,
        });
        const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
        return { status: response.statusCode, json: isJson ? response.json<Record<string, unknown>>() : {}, headers: response.headers, raw: response.rawPayload };
      };
      await fn({ app, call, db, images, routes });
    } finally {
      // An import the test started must not outlive the database it writes to.
      await images.whenImportsIdle();
      await app.close();
    }
  }, options.fixture);
}
