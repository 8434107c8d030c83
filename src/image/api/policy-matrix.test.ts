import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { personaTokenValidator } from '../../common/auth/testing/persona-tokens.js';
import { OWNING_PROJECT, PROJECT_PERSONAS, runPolicyMatrix, tokenHeader } from '../../common/policy/testing/policy-matrix.js';
import { IMAGE_POLICY_MATRIX, type ImageMatrixFixture } from './policy-matrix.js';
import { withImageApp, type Call } from './routes/image-test-app.js';

const AS_MEMBER = tokenHeader('member');
const AS_ADMIN = tokenHeader('admin');

/** Images made through the API by the owning project's member. */
function imageFixture(call: Call): ImageMatrixFixture {
  let namespaces = 0;
  const ok = async (pending: ReturnType<Call>, status: number) => {
    const reply = await pending;
    assert.equal(reply.status, status, JSON.stringify(reply.json));
    return reply;
  };
  const image = async () =>
    String((await ok(call('POST', '/v2/images', { body: { name: 'fixture', disk_format: 'raw', container_format: 'bare' }, headers: AS_MEMBER }), 201)).json['id']);
  const activeImage = async () => {
    const id = await image();
    await ok(call('PUT', `/v2/images/${id}/file`, { body: Buffer.from('fixture data'), headers: AS_MEMBER }), 204);
    return id;
  };
  return {
    image,
    activeImage,
    deactivatedImage: async () => {
      const id = await activeImage();
      await ok(call('POST', `/v2/images/${id}/actions/deactivate`, { headers: AS_MEMBER }), 204);
      return id;
    },
    sharedImage: async (project) => {
      const id = await image();
      await ok(call('POST', `/v2/images/${id}/members`, { body: { member: project }, headers: AS_MEMBER }), 200);
      return id;
    },
    stagedImage: async () => {
      const id = await image();
      await ok(call('PUT', `/v2/images/${id}/stage`, { body: Buffer.from('fixture data'), headers: AS_MEMBER }), 204);
      return id;
    },
    taggedImage: async () => {
      const id = await image();
      await ok(call('PUT', `/v2/images/${id}/tags/t`, { headers: AS_MEMBER }), 204);
      return id;
    },
    namespace: async () => {
      namespaces += 1;
      const body = {
        namespace: `matrix-${namespaces}`,
        owner: OWNING_PROJECT,
        resource_type_associations: [{ name: 'OS::Nova::Flavor' }],
        objects: [{ name: 'o' }],
        properties: { p: { title: 'P', type: 'string' } },
        tags: [{ name: 't' }],
      };
      await ok(call('POST', '/v2/metadefs/namespaces', { body, headers: AS_ADMIN }), 201);
      return body.namespace;
    },
  };
}

describe('image policy matrix', () => {
  test("every image route answers each persona as Glance Zed's defaults do", () =>
    withImageApp(
      async ({ app, call, routes }) => {
        await app.ready();
        const fixture = imageFixture(call);
        const problems = await runPolicyMatrix({
          registered: routes,
          rows: IMAGE_POLICY_MATRIX,
          fixture,
          send: async (persona, method, { path, body, headers = {} }) =>
            (await call(method, path, { body, headers: { ...headers, ...tokenHeader(persona) } })).status,
        });
        assert.deepEqual(problems, []);
      },
      { validator: personaTokenValidator(PROJECT_PERSONAS) },
    ));
});
