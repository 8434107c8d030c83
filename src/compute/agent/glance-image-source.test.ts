import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startComputeCloud, type ComputeCloud } from '../../../test/support/compute-cloud.js';
import { freePort } from '../../../test/support/free-port.js';
import { serviceUserCredentials } from '../../../test/support/remote-compute-agent.js';
import { newRequestId, type RequestContext } from '../../common/context/request-context.js';
import { Conflict, NotFound, ServiceUnavailable, StartupError, Unauthorized } from '../../common/errors/errors.js';
import { ServiceUserSession } from '../../identity/client/service-user-session.js';
import { GlanceImageSource } from './glance-image-source.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

describe('GlanceImageSource against the image API of a nimbus up child', () => {
  let cloud: ComputeCloud;
  let admin: RequestContext;
  let demo: RequestContext;
  let images: GlanceImageSource;
  let serviceUser: ServiceUserSession;

  before(async () => {
    cloud = await startComputeCloud('glance-client', { hosts: 0 });
    serviceUser = new ServiceUserSession(serviceUserCredentials(cloud.cli.admin));
    const demoToken = await new ServiceUserSession(serviceUserCredentials(cloud.cli.demo)).token();
    admin = { requestId: newRequestId(), authToken: await serviceUser.token() };
    demo = { requestId: newRequestId(), authToken: demoToken };
    images = new GlanceImageSource({ endpointOverride: '', serviceUser });
  });
  after(() => cloud.stop());

  test('reads a record and streams the data of an image, under the caller\'s token', async () => {
    const image = await images.getImageForCompute(demo, cloud.imageId);
    assert.equal(image.id, cloud.imageId);
    assert.equal(image.name, 'cirros');
    assert.equal(image.status, 'active');
    assert.equal(image.disk_format, 'qcow2');
    assert.equal(image.visibility, 'public');
    assert.ok(image.size !== null && image.size > 0);
    const data = await readAll(await images.openImageData(demo, cloud.imageId));
    assert.equal(data.length, image.size);
    assert.equal(createHash(image.os_hash_algo ?? 'sha512').update(data).digest('hex'), image.os_hash_value);
  });

  test('updates, uploads into and deletes an image; errors are the image service\'s own', async () => {
    const created = await cloud.compute('POST', '/image/v2/images', { body: { name: 'snap', disk_format: 'qcow2', container_format: 'bare' } });
    assert.equal(created.status, 201);
    const id = String(created.json['id']);
    // Private to admin's project: demo's token does not see it, as in the process.
    await assert.rejects(images.getImageForCompute(demo, id), (error) => error instanceof NotFound && /No image found with ID/.test(error.message));
    await assert.rejects(images.openImageData(admin, id), Conflict);

    const updated = await images.update(admin, id, [
      { op: 'replace', path: ['disk_format'], value: 'raw' },
      { op: 'add', path: ['instance_uuid'], value: 'abc' },
    ]);
    assert.equal(updated.disk_format, 'raw');
    assert.deepEqual(updated.properties, { instance_uuid: 'abc' });

    const content = Buffer.alloc(1 << 20, 0x42);
    const uploaded = await images.uploadImageData(admin, id, Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
    assert.equal(uploaded.status, 'active');
    assert.equal(uploaded.size, content.length);
    assert.deepEqual(await readAll(await images.openImageData(admin, id)), content);

    await images.delete(admin, id);
    await assert.rejects(images.getImageForCompute(admin, id), NotFound);
    await assert.rejects(images.delete(admin, id), NotFound);
  });

  test('work no user asked for goes with the service user\'s token; without one it is refused', async () => {
    const unattended: RequestContext = { requestId: newRequestId() };
    assert.equal((await images.getImageForCompute(unattended, cloud.imageId)).id, cloud.imageId);
    const tokenless = new GlanceImageSource({ endpointOverride: `${cloud.url}/image` });
    assert.equal((await tokenless.getImageForCompute(demo, cloud.imageId)).id, cloud.imageId);
    await assert.rejects(tokenless.getImageForCompute(unattended, cloud.imageId), Unauthorized);
    await assert.rejects(tokenless.getImageForCompute({ requestId: newRequestId(), authToken: 'not-a-token' }, cloud.imageId), Unauthorized);
  });

  test('the service token is cached and renewed before it expires', async () => {
    let now = Date.now();
    const session = new ServiceUserSession(serviceUserCredentials(cloud.cli.admin), () => now);
    const first = await session.token();
    assert.equal(await session.token(), first);
    // [identity] token_expiration is a day: a minute before its end the token is due for renewal.
    now += 86_400_000 - 60_000;
    const renewed = await session.token();
    assert.notEqual(renewed, first);
    now = Date.now();
    assert.equal(await session.token(), renewed);
    assert.equal(await session.endpoint('image'), `${cloud.url}/image`);
  });

  test('an image API that does not answer is a 503 naming it; no endpoint at all stops start-up', async () => {
    const port = await freePort();
    const nowhere = new GlanceImageSource({ endpointOverride: `http://127.0.0.1:${port}/image` });
    await assert.rejects(nowhere.getImageForCompute(demo, cloud.imageId), (error) => error instanceof ServiceUnavailable && error.message.includes(`127.0.0.1:${port}`));
    assert.throws(() => new GlanceImageSource({ endpointOverride: '' }), StartupError);
  });
});
