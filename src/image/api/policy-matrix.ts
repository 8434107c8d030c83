/**
 * Test-only: Glance Zed's default policies (secure RBAC, src/image/policies.ts) as the status
 * each persona gets on each image route; run by policy-matrix.test.ts. The resource of a row is
 * an image of the owning project (shared visibility, Glance's default); an image another
 * project cannot see is 404 to it, before any policy.
 */
import { statuses, type MatrixRow } from '../../common/policy/testing/policy-matrix.js';

/** What a row can make, fresh for each persona: images of the owning project. */
export interface ImageMatrixFixture {
  /** A queued image. */
  image(): Promise<string>;
  /** An image with data. */
  activeImage(): Promise<string>;
  /** An image with data, deactivated. */
  deactivatedImage(): Promise<string>;
  /** An image shared with `project`. */
  sharedImage(project: string): Promise<string>;
  /** An image with data staged for glance-direct (uploading). */
  stagedImage(): Promise<string>;
  /** An image carrying the tag `t`. */
  taggedImage(): Promise<string>;
}

const ANYONE = statuses(200, 200, 200, 200);
const THIRD_PROJECT = 'third-project';
const DATA = Buffer.from('0123456789');

export const IMAGE_POLICY_MATRIX: readonly MatrixRow<ImageMatrixFixture>[] = [
  // add_image: each caller creates in its own project; a reader may not.
  {
    route: 'POST /v2/images',
    zed: statuses(201, 201, 201, 403),
    request: () => ({ path: '/v2/images', body: { name: 'img', disk_format: 'raw', container_format: 'bare' } }),
  },
  // publicize_image: a public image is the administrator's; community is any member's.
  {
    route: 'POST /v2/images',
    case: 'public',
    zed: statuses(201, 403, 403, 403),
    request: () => ({ path: '/v2/images', body: { name: 'img', disk_format: 'raw', container_format: 'bare', visibility: 'public' } }),
  },
  {
    route: 'POST /v2/images',
    case: 'community',
    zed: statuses(201, 201, 201, 403),
    request: () => ({ path: '/v2/images', body: { name: 'img', disk_format: 'raw', container_format: 'bare', visibility: 'community' } }),
  },
  { route: 'GET /v2/images', zed: ANYONE, request: () => ({ path: '/v2/images' }) },
  { route: 'GET /v2/images/:image_id', zed: statuses(200, 200, 404, 200), request: async (fx) => ({ path: `/v2/images/${await fx.image()}` }) },
  {
    route: 'PATCH /v2/images/:image_id',
    zed: statuses(200, 200, 404, 403),
    request: async (fx) => ({
      path: `/v2/images/${await fx.image()}`,
      body: [{ op: 'replace', path: '/name', value: 'renamed' }],
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    }),
  },
  {
    route: 'PATCH /v2/images/:image_id',
    case: 'made public',
    zed: statuses(200, 403, 404, 403),
    request: async (fx) => ({
      path: `/v2/images/${await fx.image()}`,
      body: [{ op: 'replace', path: '/visibility', value: 'public' }],
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    }),
  },
  { route: 'DELETE /v2/images/:image_id', zed: statuses(204, 204, 404, 403), request: async (fx) => ({ path: `/v2/images/${await fx.image()}` }) },
  {
    route: 'PUT /v2/images/:image_id/file',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.image()}/file`, body: DATA, headers: { 'content-type': 'application/octet-stream' } }),
  },
  // Interoperable import: stage and import are modify_image in Glance.
  {
    route: 'PUT /v2/images/:image_id/stage',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.image()}/stage`, body: DATA, headers: { 'content-type': 'application/octet-stream' } }),
  },
  {
    route: 'POST /v2/images/:image_id/import',
    zed: statuses(202, 202, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.stagedImage()}/import`, body: { method: { name: 'glance-direct' } } }),
  },
  // download_image needs the member role: a reader is refused.
  { route: 'GET /v2/images/:image_id/file', zed: statuses(200, 200, 404, 403), request: async (fx) => ({ path: `/v2/images/${await fx.activeImage()}/file` }) },
  {
    route: 'POST /v2/images/:image_id/actions/:action',
    case: 'deactivate',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.activeImage()}/actions/deactivate` }),
  },
  {
    route: 'POST /v2/images/:image_id/actions/:action',
    case: 'reactivate',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.deactivatedImage()}/actions/reactivate` }),
  },
  { route: 'PUT /v2/images/:image_id/tags/:tag', zed: statuses(204, 204, 404, 403), request: async (fx) => ({ path: `/v2/images/${await fx.image()}/tags/t` }) },
  {
    route: 'DELETE /v2/images/:image_id/tags/:tag',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.taggedImage()}/tags/t` }),
  },
  {
    route: 'POST /v2/images/:image_id/members',
    zed: statuses(200, 200, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.image()}/members`, body: { member: THIRD_PROJECT } }),
  },
  {
    route: 'GET /v2/images/:image_id/members',
    zed: statuses(200, 200, 404, 200),
    request: async (fx) => ({ path: `/v2/images/${await fx.sharedImage(THIRD_PROJECT)}/members` }),
  },
  {
    route: 'GET /v2/images/:image_id/members/:member_id',
    zed: statuses(200, 200, 404, 200),
    request: async (fx) => ({ path: `/v2/images/${await fx.sharedImage(THIRD_PROJECT)}/members/${THIRD_PROJECT}` }),
  },
  // modify_member: only the member project itself accepts or rejects (the image is shared with the other project here).
  {
    route: 'PUT /v2/images/:image_id/members/:member_id',
    zed: statuses(200, 403, 200, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.sharedImage('other-project')}/members/other-project`, body: { status: 'accepted' } }),
  },
  {
    route: 'DELETE /v2/images/:image_id/members/:member_id',
    zed: statuses(204, 204, 404, 403),
    request: async (fx) => ({ path: `/v2/images/${await fx.sharedImage(THIRD_PROJECT)}/members/${THIRD_PROJECT}` }),
  },
  { route: 'GET /v2/schemas/image', zed: ANYONE, request: () => ({ path: '/v2/schemas/image' }) },
  { route: 'GET /v2/schemas/images', zed: ANYONE, request: () => ({ path: '/v2/schemas/images' }) },
  { route: 'GET /v2/schemas/member', zed: ANYONE, request: () => ({ path: '/v2/schemas/member' }) },
  { route: 'GET /v2/schemas/members', zed: ANYONE, request: () => ({ path: '/v2/schemas/members' }) },
  // Discovery: no policy in Glance, any token; a single-store site has no store list.
  { route: 'GET /v2/info/import', zed: ANYONE, request: () => ({ path: '/v2/info/import' }) },
  { route: 'GET /v2/info/usage', zed: ANYONE, request: () => ({ path: '/v2/info/usage' }) },
  { route: 'GET /v2/info/stores', zed: statuses(404, 404, 404, 404), request: () => ({ path: '/v2/info/stores' }) },
  { route: 'GET /v2/info/stores/detail', zed: statuses(404, 404, 404, 404), request: () => ({ path: '/v2/info/stores/detail' }) },
];
