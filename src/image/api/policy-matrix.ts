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
  /**
   * A private metadef namespace of the owning project (made by the administrator, the only one
   * who may), holding object `o`, property `p`, tag `t` and an association with `OS::Nova::Flavor`; its name.
   */
  namespace(): Promise<string>;
}

const ANYONE = statuses(200, 200, 200, 200);
/** Reading a private namespace of the owning project: the other project does not see it. */
const NAMESPACE_READ = statuses(200, 200, 404, 200);
/** Metadef writes are the administrator's; the other project does not even see the namespace. */
const namespaceWrite = (status: number) => statuses(status, 403, 404, 403);
let namespaceCount = 0;
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
  // Metadata definitions (glance/policies/metadef.py): reads follow the namespace's visibility, writes are the administrator's.
  { route: 'GET /v2/metadefs/namespaces', zed: ANYONE, request: () => ({ path: '/v2/metadefs/namespaces' }) },
  {
    route: 'POST /v2/metadefs/namespaces',
    zed: statuses(201, 403, 403, 403),
    request: () => ({ path: '/v2/metadefs/namespaces', body: { namespace: `matrix-new-${(namespaceCount += 1)}` } }),
  },
  { route: 'GET /v2/metadefs/namespaces/:namespace', zed: NAMESPACE_READ, request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}` }) },
  {
    route: 'PUT /v2/metadefs/namespaces/:namespace',
    zed: namespaceWrite(200),
    request: async (fx) => {
      const name = await fx.namespace();
      return { path: `/v2/metadefs/namespaces/${name}`, body: { namespace: name, description: 'changed', owner: 'owner-project' } };
    },
  },
  { route: 'DELETE /v2/metadefs/namespaces/:namespace', zed: namespaceWrite(204), request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}` }) },
  ...(['objects', 'properties', 'tags'] as const).flatMap((items) => [
    { route: `GET /v2/metadefs/namespaces/:namespace/${items}`, zed: NAMESPACE_READ, request: async (fx: ImageMatrixFixture) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/${items}` }) },
    {
      route: `DELETE /v2/metadefs/namespaces/:namespace/${items}`,
      zed: namespaceWrite(204),
      request: async (fx: ImageMatrixFixture) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/${items}` }),
    },
  ]),
  {
    route: 'POST /v2/metadefs/namespaces/:namespace/objects',
    zed: namespaceWrite(201),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/objects`, body: { name: 'o2' } }),
  },
  { route: 'GET /v2/metadefs/namespaces/:namespace/objects/:object_name', zed: NAMESPACE_READ, request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/objects/o` }) },
  {
    route: 'PUT /v2/metadefs/namespaces/:namespace/objects/:object_name',
    zed: namespaceWrite(200),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/objects/o`, body: { name: 'o', description: 'changed' } }),
  },
  {
    route: 'DELETE /v2/metadefs/namespaces/:namespace/objects/:object_name',
    zed: namespaceWrite(204),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/objects/o` }),
  },
  {
    route: 'POST /v2/metadefs/namespaces/:namespace/properties',
    zed: namespaceWrite(201),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/properties`, body: { name: 'p2', title: 'P2', type: 'string' } }),
  },
  {
    route: 'GET /v2/metadefs/namespaces/:namespace/properties/:property_name',
    zed: NAMESPACE_READ,
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/properties/p` }),
  },
  {
    route: 'PUT /v2/metadefs/namespaces/:namespace/properties/:property_name',
    zed: namespaceWrite(200),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/properties/p`, body: { name: 'p', title: 'P', type: 'integer' } }),
  },
  {
    route: 'DELETE /v2/metadefs/namespaces/:namespace/properties/:property_name',
    zed: namespaceWrite(204),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/properties/p` }),
  },
  {
    route: 'POST /v2/metadefs/namespaces/:namespace/tags',
    zed: namespaceWrite(201),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/tags`, body: { tags: [{ name: 'x' }, { name: 'y' }] } }),
  },
  { route: 'GET /v2/metadefs/namespaces/:namespace/tags/:tag_name', zed: NAMESPACE_READ, request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/tags/t` }) },
  { route: 'POST /v2/metadefs/namespaces/:namespace/tags/:tag_name', zed: namespaceWrite(201), request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/tags/t2` }) },
  {
    route: 'PUT /v2/metadefs/namespaces/:namespace/tags/:tag_name',
    zed: namespaceWrite(200),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/tags/t`, body: { name: 't3' } }),
  },
  { route: 'DELETE /v2/metadefs/namespaces/:namespace/tags/:tag_name', zed: namespaceWrite(204), request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/tags/t` }) },
  { route: 'GET /v2/metadefs/resource_types', zed: ANYONE, request: () => ({ path: '/v2/metadefs/resource_types' }) },
  { route: 'GET /v2/metadefs/namespaces/:namespace/resource_types', zed: NAMESPACE_READ, request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/resource_types` }) },
  {
    route: 'POST /v2/metadefs/namespaces/:namespace/resource_types',
    zed: namespaceWrite(201),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/resource_types`, body: { name: 'OS::Nova::Server' } }),
  },
  {
    route: 'DELETE /v2/metadefs/namespaces/:namespace/resource_types/:resource_type',
    zed: namespaceWrite(204),
    request: async (fx) => ({ path: `/v2/metadefs/namespaces/${await fx.namespace()}/resource_types/OS::Nova::Flavor` }),
  },
  { route: 'GET /v2/schemas/metadefs/:schema', zed: ANYONE, request: () => ({ path: '/v2/schemas/metadefs/namespace' }) },
  // Discovery: no policy in Glance, any token; a single-store site has no store list.
  { route: 'GET /v2/info/import', zed: ANYONE, request: () => ({ path: '/v2/info/import' }) },
  { route: 'GET /v2/info/usage', zed: ANYONE, request: () => ({ path: '/v2/info/usage' }) },
  { route: 'GET /v2/info/stores', zed: statuses(404, 404, 404, 404), request: () => ({ path: '/v2/info/stores' }) },
  { route: 'GET /v2/info/stores/detail', zed: statuses(404, 404, 404, 404), request: () => ({ path: '/v2/info/stores/detail' }) },
  // With one store the route is Glance's bare 404 for everyone; multi-store policy is in image-stores.test.ts.
  {
    route: 'DELETE /v2/stores/:store_id/:image_id',
    zed: statuses(404, 404, 404, 404),
    request: async (fx) => ({ method: 'DELETE', path: `/v2/stores/fast/${await fx.image()}` }),
  },
];
