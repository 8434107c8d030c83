import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withVolumeCloud } from '../../../volume/testing/volume-cloud.js';
import { ADMIN, insertInstance, memberOf } from '../../db/testing/compute-db.js';
import { withComputeApp } from '../../testing/compute-test-app.js';
import { inProcessVolumes } from '../../testing/in-process-volumes.js';

const DEMO = memberOf('demo');
type Json = Record<string, unknown>;

describe('os-volume_attachments over a real volume service', () => {
  test('attach reserves the volume and casts to the host; the view follows the microversion; detach begins detaching; bad input changes nothing', () =>
    withVolumeCloud('sqlite', (cloud) =>
      withComputeApp(
        async ({ call, db, recorded }) => {
          const volumeId = await cloud.availableVolume({ size: 1 }, DEMO);
          const server = await insertInstance(db, 'demo');
          const path = `/servers/${server}/os-volume_attachments`;

          assert.equal((await call('POST', path, { body: { volumeAttachment: { volumeId, tag: 'data' } }, as: DEMO, version: '2.48' })).status, 400, 'tag is 2.49');
          assert.equal((await call('POST', path, { body: { volumeAttachment: { volumeId, device: 'not-a-device' } }, as: DEMO })).status, 400);
          assert.equal((await call('POST', path, { body: { volumeAttachment: { volumeId: '6e4c4cd5-7cc2-4c61-a2c4-7c5d3c6f9c6f' } }, as: DEMO })).status, 404);
          assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: DEMO })).json['volume'] as Json)['status'], 'available');

          const attached = await call('POST', path, { body: { volumeAttachment: { volumeId, tag: 'data', delete_on_termination: true } }, as: DEMO, version: '2.79' });
          assert.equal(attached.status, 200, JSON.stringify(attached.json));
          assert.deepEqual(attached.json, { volumeAttachment: { id: volumeId, serverId: server, volumeId, device: '/dev/vdb', tag: 'data', delete_on_termination: true } });
          assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: DEMO })).json['volume'] as Json)['status'], 'reserved');
          const cast = recorded.agent.at(-1);
          assert.equal(cast?.verb, 'attach_volume');
          assert.deepEqual((cast?.args as Json)['mountpoint'], '/dev/vdb');

          const listed = await call('GET', path, { as: DEMO, version: '2.1' });
          assert.deepEqual(listed.json, { volumeAttachments: [{ id: volumeId, serverId: server, volumeId, device: '/dev/vdb' }] });
          assert.equal((await call('GET', `${path}/${volumeId}`, { as: memberOf('other') })).status, 404);

          // A second server may not take a volume that is not multiattach.
          const other = await insertInstance(db, 'demo');
          const refused = await call('POST', `/servers/${other}/os-volume_attachments`, { body: { volumeAttachment: { volumeId } }, as: DEMO });
          assert.equal(refused.status, 400, JSON.stringify(refused.json));
          assert.deepEqual((await call('GET', `/servers/${other}/os-volume_attachments`, { as: DEMO })).json, { volumeAttachments: [] });

          // The host's half (what the agent does): connect and complete; then the API may detach.
          const attachmentId = String((cast?.args as Json)['attachmentId']);
          await cloud.core.attachments.update(DEMO, attachmentId, { host: 'compute-1', mountpoint: '/dev/vdb' });
          await cloud.core.attachments.complete(DEMO, attachmentId);

          // 2.85: a PUT naming the same volume updates delete_on_termination; before it a PUT is a swap (admin, not offered).
          const update = (body: Json, version: string, as = DEMO) => call('PUT', `${path}/${volumeId}`, { body: { volumeAttachment: { volumeId, ...body } }, as, version });
          assert.equal((await update({ delete_on_termination: false }, '2.84')).status, 400, 'delete_on_termination is 2.85');
          assert.equal((await update({}, '2.84')).status, 403, 'a swap is the administrator’s');
          // A swap answers Nova's refusals before the 501 of the swap itself.
          const swap = (from: string, to: string, version = '2.84') => call('PUT', `${path}/${from}`, { body: { volumeAttachment: { volumeId: to } }, as: ADMIN, version });
          const spare = await cloud.availableVolume({ size: 1 }, DEMO);
          const small = await cloud.availableVolume({ size: 1 }, DEMO);
          const big = await cloud.availableVolume({ size: 2 }, DEMO);
          const missing = '6e4c4cd5-7cc2-4c61-a2c4-7c5d3c6f9c6f';
          const refusals: [string, string, number, string][] = [
            [missing, spare, 404, `Volume ${missing} could not be found.`],
            [volumeId, missing, 400, `Volume ${missing} could not be found.`],
            [spare, small, 400, 'Invalid volume: Old volume is attached to a different instance.'],
            [volumeId, volumeId, 400, 'Invalid volume: New volume must be detached in order to swap.'],
          ];
          for (const [from, to, status, message] of refusals) {
            const reply = await swap(from, to);
            assert.deepEqual([reply.status, (Object.values(reply.json)[0] as { message: string }).message], [status, message], `${from} → ${to}`);
          }
          assert.equal((await swap(volumeId, big)).status, 501, 'the swap itself is not offered');
          assert.equal((await swap(volumeId, big, '2.85')).status, 501, 'from 2.85, a PUT naming another volume swaps');
          assert.equal((await swap(missing, big, '2.85')).status, 404, 'from 2.85 the attachment is looked up first');
          assert.equal((await update({ tag: 'other' }, '2.85')).status, 400, 'the tag is not mutable');
          assert.equal((await update({ delete_on_termination: false, tag: 'data', device: '/dev/vdb', serverId: server, id: volumeId }, '2.85')).status, 202);
          assert.equal((await call('PUT', `${path}/${volumeId}`, { body: { volumeAttachment: { volumeId } }, as: memberOf('other'), version: '2.85' })).status, 404);
          const shown = await call('GET', `${path}/${volumeId}`, { as: DEMO, version: '2.85' });
          assert.equal((shown.json['volumeAttachment'] as Json)['delete_on_termination'], false);
          // 2.89: the attachment and BDM ids instead of id.
          const at289 = (await call('GET', `${path}/${volumeId}`, { as: DEMO, version: '2.89' })).json['volumeAttachment'] as Json;
          assert.match(String(at289['bdm_uuid']), /^[0-9a-f-]{36}$/);
          assert.deepEqual(at289, { serverId: server, volumeId, device: '/dev/vdb', tag: 'data', delete_on_termination: false, attachment_id: attachmentId, bdm_uuid: at289['bdm_uuid'] });

          assert.equal((await call('DELETE', `${path}/${volumeId}`, { as: DEMO })).status, 202);
          assert.equal(((await cloud.call('GET', `/volumes/${volumeId}`, { as: DEMO })).json['volume'] as Json)['status'], 'detaching');
          assert.equal(recorded.agent.at(-1)?.verb, 'detach_volume');
          assert.equal((await call('DELETE', `${path}/${volumeId}`, { as: DEMO })).status, 400, 'detaching already');
        },
        { volumes: inProcessVolumes(cloud) },
      ),
    ));
});
