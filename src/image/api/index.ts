import { authenticated } from '../../common/auth/auth-token.js';
import type { ApiService } from '../../common/http/api-service.js';
import type { ApiServiceDeps } from '../../common/http/service-deps.js';
import { credentialsOf } from '../../common/policy/credentials.js';
import type { ImageService } from '../images/image-service.js';
import { imageRoutes } from './routes/index.js';
import { imageVersionRoutes } from './versions.js';

/** Glance v2 at /image. */
export function imageApi(deps: ApiServiceDeps, images: ImageService): ApiService {
  const routes = imageRoutes({
    images,
    policy: deps.policy,
    credentialsOf: (request) => credentialsOf(request.requestContext),
    get publicUrl() {
      return deps.publicUrl;
    },
  });
  return { name: 'image', prefix: '/image', faultFormat: 'glance', routes: authenticated({ ...deps.auth, serviceTypes: ['image'] }, imageVersionRoutes(deps), routes) };
}
